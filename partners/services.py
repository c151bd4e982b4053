"""Writes for partner API clients (create one, its secret shown once; revoke one) and for
evidence files uploaded in the page."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from cases.gate import families_allowing
from earlyhelp import audit
from earlyhelp.access import Action
from earlyhelp.models import AuditEntry, Organisation, Role, Team
from earlyhelp.services import user_create
from outcomes.evidence_files import REQUIRED, EvidenceFileError, file_format, read_evidence_file
from outcomes.services import evidence_import

from .models import ApiClient, EvidenceFile, InformationSharingAgreement
from .scopes import SCOPES

SYSTEMS_TEAM = "Partner systems"


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    client_id: str
    client_secret: str  # shown once: only its hash is kept


@transaction.atomic
def api_client_create(
    *, organisation: Organisation, name: str, scopes: list[str], requests_per_minute: int = 120
) -> NewClient:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError(
            f"Unknown scope {', '.join(unknown)}: choose from {', '.join(SCOPES)}"
        )
    if not scopes:
        raise ValidationError("Give the client at least one scope")
    if ApiClient.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationError(f"{organisation} already has a client called {name}")
    team, _ = Team.objects.get_or_create(organisation=organisation, name=SYSTEMS_TEAM)
    user = user_create(
        username=f"api-{slugify(organisation.name)[:60]}-{slugify(name)[:60]}",
        email="",
        role=Role.PRACTITIONER,
        team=team,
        first_name=name[:150],
        last_name="(partner system)",
    )
    secret = generate_client_secret()
    application = Application.objects.create(
        name=f"{organisation}: {name}"[:255],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        user=user,
    )
    client = ApiClient.objects.create(
        organisation=organisation,
        name=name,
        scopes=sorted(set(scopes)),
        user=user,
        application=application,
        requests_per_minute=requests_per_minute,
    )
    return NewClient(client=client, client_id=application.client_id, client_secret=secret)


@transaction.atomic
def api_client_revoke(*, client: ApiClient) -> int:
    """No new tokens, and every token it holds stops working now. Returns how many ended."""
    client.is_active = False
    client.save(update_fields=["is_active"])
    ended, _ = AccessToken.objects.filter(application=client.application).delete()
    return ended


def evidence_file_import(*, name: str, data: bytes, by, today=None) -> EvidenceFile:
    """An uploaded evidence file: its good rows saved, its bad rows reported (issue 10).

    A file is not refused whole for a few bad rows ("accepted except exactly those");
    each saved row is saved complete, and the rows with the file's report in one
    transaction, so a crash part-way saves nothing. Rows name only families the
    uploader may add evidence to; any other family answers as an unknown one.
    Raises EvidenceFileError when the file as a whole cannot be read.
    """
    format = file_format(name)
    if format is None:
        raise EvidenceFileError("The selected file must be a CSV or JSON file")
    read = read_evidence_file(data, format=format, required=(*REQUIRED, "external_id"))
    # Rows another upload saved at the same moment count as resends: evidence_import checks
    # them again when its insert meets them.
    return _import_file(read, name=name, size=len(data), by=by, today=today)


@transaction.atomic
def _import_file(read, *, name: str, size: int, by, today) -> EvidenceFile:
    report = evidence_import(
        read.rows,
        recorded_by=by,
        families=families_allowing(by, Action.ADD_EVIDENCE),
        today=today,
        keep_good_rows=True,
        first_row=read.first_row,
    )
    return EvidenceFile.objects.create(
        uploaded_by=by,
        name=name[:255],
        format=read.format,
        size=size,
        rows=len(read.rows),
        created=len(report.created),
        unchanged=len(report.unchanged),
        rejected=len({p.row for p in report.problems}),
        problems=[[p.row, p.field, p.message] for p in report.problems],
    )


# --- information sharing agreements --------------------------------------------------------------

AGREEMENT_ENDS_BEFORE_START = "The end date must be the same as or after the start date"
AGREEMENT_NEEDS_TWO = "Select at least two organisations: an agreement is between agencies"


def agreement_problems(*, starts_on, ends_on, organisations) -> dict:
    """An agreement runs forwards, and is between at least two agencies (DOMAIN §1: which
    agencies share which kinds of data, from when to when)."""
    problems = {}
    if starts_on and ends_on and ends_on < starts_on:
        problems["ends_on"] = [AGREEMENT_ENDS_BEFORE_START]
    if organisations is not None and len(organisations) < 2:
        problems["organisations"] = [AGREEMENT_NEEDS_TWO]
    return problems


@transaction.atomic
def agreement_save(
    *, agreement, name, organisations, data_kinds, starts_on, ends_on, by
) -> InformationSharingAgreement:
    """Add or change an agreement. What agencies may see follows it at once (the gate reads the
    agreements), so each change is written to the audit trail with what it now says."""
    if problems := agreement_problems(
        starts_on=starts_on, ends_on=ends_on, organisations=organisations
    ):
        raise ValidationError(problems)
    agreement = agreement or InformationSharingAgreement()
    agreement.name = name
    agreement.data_kinds = list(data_kinds)
    agreement.starts_on = starts_on
    agreement.ends_on = ends_on
    agreement.save()
    agreement.organisations.set(organisations)
    names = ", ".join(sorted(o.name for o in organisations))
    ends = f" to {ends_on:%-d %B %Y}" if ends_on else ""
    audit.record(
        by,
        action="agreement_save",
        outcome=AuditEntry.Outcome.ALLOWED,
        detail=f"{name}: {names}; {', '.join(data_kinds)}; from {starts_on:%-d %B %Y}{ends}"[:300],
    )
    return agreement
