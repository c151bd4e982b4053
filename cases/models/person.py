"""A person: one record across every episode and service (DOMAIN §3, "one record per child")."""

import pghistory
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Left, Length, Upper

from cases.people.identifiers import validate_nhs_number, validate_ni_number, validate_upn
from earlyhelp.models import Locality


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Not known"


class Ethnicity(models.TextChoices):
    # The 2021 census's five high-level groups, plus "not stated".
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_STATED = "not_stated", "Not stated"


class Send(models.TextChoices):
    NONE = "none", "No special educational needs"
    SEN_SUPPORT = "sen_support", "SEN support"
    EHC_PLAN = "ehc_plan", "Education, health and care plan"


class SocialCareStatus(models.TextChoices):
    """A child's status with children's social care (DOMAIN §2's specialist level), the most
    intensive one that applies now: the cohorts of the §9 lead-agency table. Changes are kept
    in the person's history like every other field."""

    NONE = "", "None known"
    CHILD_IN_NEED = "cin", "Child in need (section 17)"
    CHILD_PROTECTION = "cp", "Child protection plan (section 47)"
    LOOKED_AFTER = "lac", "Looked after"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="PersonEvent")
class Person(models.Model):
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(
        null=True, blank=True, help_text="For an unborn child: the expected date of delivery."
    )
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_identity = models.CharField(max_length=100, blank=True)
    ethnicity = models.CharField(
        max_length=20, choices=Ethnicity.choices, default=Ethnicity.NOT_STATED
    )
    first_language = models.CharField(max_length=100, blank=True, default="English")
    interpreter_needed = models.BooleanField(default=False)
    disability = models.CharField(max_length=200, blank=True)
    send = models.CharField(max_length=20, choices=Send.choices, default=Send.NONE)
    young_carer = models.BooleanField(default=False)
    social_care_status = models.CharField(
        max_length=3, choices=SocialCareStatus.choices, blank=True, default=SocialCareStatus.NONE
    )
    school = models.CharField(max_length=200, blank=True)
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    ni_number = models.CharField(
        "National Insurance number", max_length=9, blank=True, validators=[validate_ni_number]
    )
    upn = models.CharField(
        "Unique pupil number", max_length=13, blank=True, validators=[validate_upn]
    )
    # The current postcode, kept from the address history so that matching
    # and search need no join (Address rows remain the history).
    postcode = models.CharField(max_length=8, blank=True)
    # Set when this record was merged into another: it stays as a pointer.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            GinIndex(
                OpClass(Upper("last_name"), name="gin_trgm_ops"),
                name="person_last_name_trgm",
            ),
            GinIndex(
                OpClass(Upper("first_name"), name="gin_trgm_ops"),
                name="person_first_name_trgm",
            ),
            # A one-word name search finds the names like it (KnownName), then the people who
            # bear each, in the order a page lists them: read from these, stopping at a page.
            models.Index(
                Upper("last_name"),
                "last_name",
                "first_name",
                "id",
                name="person_by_last_name",
                condition=models.Q(merged_into__isnull=True),
            ),
            models.Index(
                Upper("first_name"),
                "last_name",
                "first_name",
                "id",
                name="person_by_first_name",
                condition=models.Q(merged_into__isnull=True),
            ),
            # A first and last name search reads the bearers of each pair of known names.
            models.Index(
                Upper("last_name"),
                Upper("first_name"),
                "last_name",
                "first_name",
                "id",
                name="person_by_full_name",
                condition=models.Q(merged_into__isnull=True),
            ),
            models.Index(fields=["date_of_birth"], name="person_dob"),
            models.Index(fields=["postcode"], name="person_postcode"),
            models.Index(
                fields=["nhs_number"], name="person_nhs", condition=~models.Q(nhs_number="")
            ),
            models.Index(fields=["ni_number"], name="person_ni", condition=~models.Q(ni_number="")),
            models.Index(fields=["upn"], name="person_upn", condition=~models.Q(upn="")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_of_birth__isnull=True)
                | models.Q(expected_date_of_birth__isnull=True),
                name="person_born_or_expected",
                violation_error_message="Give a date of birth or an expected date, not both",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("id")),
                name="person_not_merged_into_self",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in [self.first_name, self.last_name] if part)

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_birth is not None


class KnownName(models.Model):
    """Each first or last name (upper-cased) anyone recorded bears or bore: what a one-word name
    search matches, before it reads the people who bear each name (cases/people/selectors.py).
    A common surname is one row here, not thousands of people to compare with the search.

    Kept by triggers on people (migration 0012) whoever writes them; a name no one bears any
    longer stays, and finds no one."""

    class Part(models.TextChoices):
        FIRST = "first", "First name"
        LAST = "last", "Last name"

    part = models.CharField(max_length=5, choices=Part.choices)
    name = models.CharField(max_length=100)
    # Set by the database as each name arrives (migration 0020), for a misspelt name to find
    # it: the name in plain letters (no accents, hyphens or apostrophes: WISNIEWSKI for
    # WIŚNIEWSKI, OBRIEN for O'BRIEN) and how it sounds (fuzzystrmatch's double metaphone).
    plain = models.CharField(max_length=100, blank=True, default="")
    sound = models.CharField(max_length=20, blank=True, default="")
    sound_alt = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["part", "name"], name="known_name_once")]
        indexes = [
            GinIndex(OpClass("name", name="gin_trgm_ops"), name="known_name_trgm"),
            GinIndex(OpClass("plain", name="gin_trgm_ops"), name="known_name_plain_trgm"),
            models.Index(fields=["sound"], name="known_name_sound"),
            models.Index(fields=["sound_alt"], name="known_name_sound_alt"),
            # A slip or two of typing: names of the same initial and about the same length.
            models.Index(Left("plain", 1), Length("plain"), name="known_name_initial_length"),
        ]

    def __str__(self):
        return self.name


class PersonName(models.Model):
    """A previous name or an alias, searched and matched like the current one."""

    class Kind(models.TextChoices):
        PREVIOUS = "previous", "Previous name"
        ALIAS = "alias", "Alias or known as"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    used_until = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            GinIndex(
                OpClass(Upper("last_name"), name="gin_trgm_ops"),
                name="personname_last_name_trgm",
            ),
            # A name search reads the people who bore each name like the one searched.
            models.Index(Upper("last_name"), "person", name="personname_by_last_name"),
            models.Index(Upper("first_name"), "person", name="personname_by_first_name"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="AddressEvent")
class Address(models.Model):
    """Where a person lived, from when to when: the address history."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField("Address line 1", max_length=200)
    line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8)
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.PROTECT)
    moved_in = models.DateField(null=True, blank=True)
    moved_out = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person", "-moved_in"]

    def __str__(self):
        return ", ".join(p for p in [self.line_1, self.town, self.postcode] if p)


class PersonMerge(models.Model):
    """A merge of a duplicate into the surviving record, and what it moved (to unmerge it)."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    duplicate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_gone")
    # {"model label": [ids of rows whose person link moved]} so an unmerge moves exactly these back.
    moved = models.JSONField(default=dict)
    reason = models.TextField()
    merged_by = models.ForeignKey("earlyhelp.User", on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    unmerged_by = models.ForeignKey(
        "earlyhelp.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self):
        return f"{self.duplicate_id} into {self.survivor_id}"


class PossibleDuplicate(models.Model):
    """A person recorded as new although a likely match exists that the recorder may not see.

    The recorder is told only that someone with these details is already known; linking the
    two is the hub's, which sees both records while the check is open
    (`Relation.DUPLICATE_TO_CHECK`) and decides: merge them, or record that they are not the
    same person. Deciding ends that sight. Not a live link: a merge leaves it where it is.
    """

    class Decision(models.TextChoices):
        SAME = "same", "The same person: merged"
        DIFFERENT = "different", "Not the same person"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="duplicate_checks_raised"
    )
    known = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(
        "cases.Family", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by = models.ForeignKey("earlyhelp.User", on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "earlyhelp.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "known"],
                condition=models.Q(decided_at__isnull=True),
                name="one_open_check_per_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_at__isnull=True, decision="")
                | models.Q(decided_at__isnull=False) & ~models.Q(decision=""),
                name="decided_with_a_decision",
            ),
        ]

    def __str__(self):
        return f"{self.person_id} may be {self.known_id}"
