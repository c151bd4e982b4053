"""Duplicate detection: what a practitioner is offered when they record a person."""

import datetime
import json
from pathlib import Path

import factory.random
import pytest

from cases.models import Person, PersonName
from cases.people.identifiers import upn_check_letter
from cases.people.matching import MATCH_THRESHOLD, likely_duplicates
from cases.people.nicknames import NICKNAME_GROUPS, same_given_name
from cases.tests.factories import PersonFactory, PersonNameFactory, valid_nhs_number, valid_upn

PAIRS = json.loads((Path(__file__).parent / "data" / "duplicate_pairs.json").read_text())

pytestmark = pytest.mark.django_db


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _record(details: dict) -> Person:
    """Put one labelled person on file, with any previous names or aliases."""
    fields = {k: v for k, v in details.items() if k != "other_names"}
    for key in ("date_of_birth", "expected_date_of_birth"):
        fields[key] = _date(fields.get(key))
    person = Person.objects.create(**fields)
    for other in details.get("other_names", []):
        PersonName.objects.create(person=person, **other)
    return person


def _search(details: dict, **extra):
    keys = ("first_name", "last_name", "postcode", "nhs_number", "ni_number", "upn")
    wanted = {key: details[key] for key in keys if key in details}
    return likely_duplicates(date_of_birth=_date(details.get("date_of_birth")), **wanted, **extra)


def _offered(matches) -> dict[int, list[str]]:
    return {match.person.pk: match.reasons for match in matches}


# --- The labelled set -----------------------------------------------------------------------


def test_labelled_pairs_are_found_with_high_precision_and_recall():
    """Every pair's second person is on file at once, among unrelated people, as in a council."""
    factory.random.reseed_random("duplicate-pairs")
    PersonFactory.create_batch(300)
    on_file = [_record(pair["b"]) for pair in PAIRS]

    true_pos = false_pos = false_neg = 0
    mistakes = []
    for pair, b in zip(PAIRS, on_file, strict=True):
        offered = _offered(_search(pair["a"]))
        if pair["duplicate"] and b.pk in offered:
            true_pos += 1
        elif pair["duplicate"]:
            false_neg += 1
            mistakes.append(f"missed: {pair['why']}")
        elif b.pk in offered:
            false_pos += 1
            mistakes.append(f"offered: {pair['why']} {offered[b.pk]}")
        # Anyone else offered is someone the practitioner would have to rule out.
        for pk, reasons in offered.items():
            if pk != b.pk:
                false_pos += 1
                mistakes.append(f"stray {Person.objects.get(pk=pk)} for {pair['why']}: {reasons}")

    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    print(
        f"\n{len(PAIRS)} pairs, threshold {MATCH_THRESHOLD}: precision {precision:.2f}, "
        f"recall {recall:.2f} (TP {true_pos}, FP {false_pos}, FN {false_neg})"
    )
    print("\n".join(mistakes))
    assert precision >= 0.9, mistakes
    assert recall >= 0.9, mistakes


def test_labelled_set_is_big_enough_and_balanced():
    assert len(PAIRS) >= 40
    assert 0.3 <= sum(pair["duplicate"] for pair in PAIRS) / len(PAIRS) <= 0.7
    assert all(pair["why"] for pair in PAIRS)


def test_people_made_for_tests_carry_identifiers_only_when_asked():
    plain = PersonFactory()
    assert (plain.nhs_number, plain.ni_number, plain.upn) == ("", "", "")
    identified = PersonFactory(with_identifiers=True)
    identified.full_clean()  # runs the NHS, NI and UPN validators
    assert identified.nhs_number and identified.ni_number and identified.upn
    assert PersonFactory(with_nhs_number=True).nhs_number != identified.nhs_number


# --- Each reason ----------------------------------------------------------------------------


def _only_match(**search):
    matches = likely_duplicates(**search)
    assert len(matches) == 1, matches
    return matches[0]


BORN = datetime.date(2014, 3, 9)


def test_same_nhs_number_finds_a_record_spelt_differently():
    person = PersonFactory(first_name="Alexandra", last_name="Novak", with_nhs_number=True)
    match = _only_match(first_name="Aleksandra", last_name="Nowak", nhs_number=person.nhs_number)
    assert match.person == person
    assert "Same NHS number" in match.reasons


def test_nhs_number_typed_with_spaces_still_matches():
    person = PersonFactory(with_nhs_number=True)
    spaced = f"{person.nhs_number[:3]} {person.nhs_number[3:6]} {person.nhs_number[6:]}"
    match = _only_match(first_name=person.first_name, last_name="Zzyzx", nhs_number=spaced)
    assert "Same NHS number" in match.reasons


def test_different_nhs_numbers_rule_out_an_otherwise_identical_record():
    PersonFactory(first_name="Emily", last_name="Clarke", date_of_birth=BORN, with_nhs_number=True)
    matches = likely_duplicates(
        first_name="Emily",
        last_name="Clarke",
        date_of_birth=BORN,
        nhs_number=valid_nhs_number(10_000),
    )
    assert matches == []


def test_same_national_insurance_number():
    person = PersonFactory(first_name="Sarah", last_name="Gill", with_ni_number=True)
    match = _only_match(first_name="Sarah", last_name="Kaur", ni_number=person.ni_number)
    # What disagrees is shown too, so the practitioner can judge the surname change.
    assert match.reasons == [
        "Same National Insurance number",
        "First name matches",
        "Different surname",
    ]


def test_same_unique_pupil_number():
    person = PersonFactory(first_name="Alfred", last_name="Dobson", with_upn=True)
    match = _only_match(first_name="Alfie", last_name="Dobson", upn=person.upn)
    assert match.reasons[:2] == ["Same unique pupil number", "Known nickname: Alfie / Alfred"]


def test_a_temporary_pupil_number_does_not_count_against():
    """A temporary UPN (ending in a letter) is replaced later, so a different one says nothing."""
    temporary = upn_check_letter("12345678901B") + "12345678901B"
    PersonFactory(first_name="Noah", last_name="Bell", date_of_birth=BORN, upn=temporary)
    match = _only_match(first_name="Noah", last_name="Bell", date_of_birth=BORN, upn=valid_upn(7))
    assert not any("pupil" in reason for reason in match.reasons)


@pytest.mark.parametrize(
    "recorded, reason",
    [
        (BORN, "Date of birth matches"),
        (BORN + datetime.timedelta(days=1), "Date of birth a day out"),
        (BORN - datetime.timedelta(days=1), "Date of birth a day out"),
        (datetime.date(2014, 9, 3), "Day and month of birth swapped"),
        (datetime.date(2015, 3, 9), "Year of birth looks mistyped"),
    ],
)
def test_dates_of_birth_close_enough_to_be_a_slip(recorded, reason):
    PersonFactory(first_name="Olivia", last_name="Hargreaves", date_of_birth=recorded)
    match = _only_match(first_name="Olivia", last_name="Hargreaves", date_of_birth=BORN)
    assert reason in match.reasons


def test_a_different_date_of_birth_rules_out_a_namesake():
    """Father and son with the same name at the same address are two people."""
    PersonFactory(first_name="David", last_name="Okonkwo", date_of_birth=datetime.date(1972, 5, 19))
    matches = likely_duplicates(
        first_name="David", last_name="Okonkwo", date_of_birth=datetime.date(2001, 11, 3)
    )
    assert matches == []


def test_known_nickname():
    PersonFactory(first_name="William", last_name="Ashworth", date_of_birth=BORN)
    match = _only_match(first_name="Bill", last_name="Ashworth", date_of_birth=BORN)
    assert match.reasons == [
        "Date of birth matches",
        "Known nickname: Bill / William",
        "Surname matches",
    ]


def test_first_name_one_letter_out():
    PersonFactory(first_name="John", last_name="Pritchard", date_of_birth=BORN)
    match = _only_match(first_name="Jhon", last_name="Pritchard", date_of_birth=BORN)
    assert "First name one letter out (Jhon / John)" in match.reasons


def test_first_initial_only():
    PersonFactory(first_name="Jennifer", last_name="Featherstone", date_of_birth=BORN)
    match = _only_match(first_name="J", last_name="Featherstone", date_of_birth=BORN)
    assert "First initial matches" in match.reasons


def test_goes_by_middle_name():
    PersonFactory(
        first_name="Robert", middle_names="James", last_name="Thornton", date_of_birth=BORN
    )
    match = _only_match(first_name="Jim", last_name="Thornton", date_of_birth=BORN)
    assert "Goes by middle name James" in match.reasons


def test_matches_an_alias():
    person = PersonFactory(first_name="Deirdre", last_name="Flanagan", date_of_birth=BORN)
    PersonNameFactory(person=person, kind="alias", first_name="Dee", last_name="Flanagan")
    match = _only_match(first_name="Dee", last_name="Flanagan", date_of_birth=BORN)
    assert "Matches alias Dee Flanagan" in match.reasons


def test_matches_previous_name():
    person = PersonFactory(first_name="Laura", last_name="Bennett", date_of_birth=BORN)
    PersonNameFactory(person=person, first_name="Laura", last_name="Whitfield")
    match = _only_match(first_name="Laura", last_name="Whitfield", date_of_birth=BORN)
    assert "Matches previous name Whitfield" in match.reasons


def test_surname_one_letter_out():
    PersonFactory(first_name="Ethan", last_name="Millner", date_of_birth=BORN)
    match = _only_match(first_name="Ethan", last_name="Milner", date_of_birth=BORN)
    assert "Surname one letter out (Milner / Millner)" in match.reasons


def test_surname_similar_shows_the_similarity():
    PersonFactory(first_name="Paul", last_name="Harris", date_of_birth=BORN)
    match = _only_match(first_name="Paul", last_name="Harrison", date_of_birth=BORN)
    assert "Surname similar (0.60: Harrison / Harris)" in match.reasons


def test_part_of_a_double_barrelled_surname():
    PersonFactory(first_name="Isla", last_name="Robinson", date_of_birth=BORN)
    match = _only_match(first_name="Isla", last_name="Patel-Robinson", date_of_birth=BORN)
    assert "Surname part matches (Patel-Robinson / Robinson)" in match.reasons


def test_names_entered_the_other_way_round():
    PersonFactory(first_name="Ali", last_name="Hussain", date_of_birth=BORN)
    match = _only_match(first_name="Hussain", last_name="Ali", date_of_birth=BORN)
    assert "First and last names swapped" in match.reasons


def test_same_postcode_whatever_the_spacing():
    PersonFactory(first_name="Harriet", last_name="Quigley", postcode="LE18 2AB")
    match = _only_match(first_name="Harriet", last_name="Quigley", postcode="le182ab")
    assert match.reasons == ["First name matches", "Surname matches", "Same postcode"]


def test_a_baby_recorded_before_birth():
    PersonFactory(
        first_name="Baby",
        last_name="Kowalczyk",
        date_of_birth=None,
        expected_date_of_birth=datetime.date(2024, 3, 1),
        postcode="LE1 5WW",
    )
    match = _only_match(
        first_name="Ava",
        last_name="Kowalczyk",
        date_of_birth=datetime.date(2024, 2, 20),
        postcode="LE1 5WW",
    )
    assert "Born close to the expected date of delivery" in match.reasons


def test_twins_are_not_offered_as_one_another():
    PersonFactory(
        first_name="Scarlett", last_name="Sandford", date_of_birth=BORN, postcode="LE4 0AA"
    )
    matches = likely_duplicates(
        first_name="Ruby", last_name="Sandford", date_of_birth=BORN, postcode="LE4 0AA"
    )
    assert matches == []


# --- Merged records, exclusion and ranking --------------------------------------------------


def test_a_merged_record_is_never_offered_but_its_survivor_is():
    survivor = PersonFactory(first_name="Kathryn", last_name="Rutherford", date_of_birth=BORN)
    merged = PersonFactory(
        first_name="Kate", last_name="Rutherfrod", date_of_birth=BORN, merged_into=survivor
    )
    match = _only_match(first_name="Kate", last_name="Rutherfrod", date_of_birth=BORN)
    assert match.person == survivor
    assert match.reasons[-1] == "Through Kate Rutherfrod's record, merged into this one"
    assert str(merged.pk) not in " ".join(match.reasons)


def test_a_chain_of_merges_offers_the_last_survivor():
    last = PersonFactory(first_name="Kyle", last_name="Brennan", date_of_birth=BORN)
    middle = PersonFactory(first_name="Kyle", last_name="Brenan", merged_into=last)
    PersonFactory(first_name="Kyle", last_name="Brennen", date_of_birth=BORN, merged_into=middle)
    match = _only_match(first_name="Kyle", last_name="Brennen", date_of_birth=BORN)
    assert match.person == last


def test_the_person_being_edited_is_not_offered_as_their_own_duplicate():
    person = PersonFactory(first_name="Olivia", last_name="Hargreaves", date_of_birth=BORN)
    assert (
        likely_duplicates(
            first_name="Olivia",
            last_name="Hargreaves",
            date_of_birth=BORN,
            exclude_person_id=person.pk,
        )
        == []
    )


def test_best_match_first_and_limit_respected():
    exact = PersonFactory(first_name="Olivia", last_name="Hargreaves", date_of_birth=BORN)
    day_out = PersonFactory(
        first_name="Olivia", last_name="Hargreaves", date_of_birth=BORN + datetime.timedelta(1)
    )
    typo = PersonFactory(first_name="Olivia", last_name="Hargraeves", date_of_birth=BORN)
    matches = likely_duplicates(first_name="Olivia", last_name="Hargreaves", date_of_birth=BORN)
    assert [m.person for m in matches] == [exact, typo, day_out]
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    two = likely_duplicates(
        first_name="Olivia", last_name="Hargreaves", date_of_birth=BORN, limit=2
    )
    assert [m.person for m in two] == [exact, typo]


def test_lookup_takes_the_same_few_queries_however_many_people_match(
    django_assert_max_num_queries,
):
    def look():
        return likely_duplicates(
            first_name="Olivia",
            last_name="Hargreaves",
            date_of_birth=BORN,
            postcode="LE4 6TR",
            nhs_number=valid_nhs_number(20_000),
            ni_number="JT000001A",
            upn=valid_upn(20_000),
        )

    PersonFactory(first_name="Olivia", last_name="Hargreaves", date_of_birth=BORN)
    with django_assert_max_num_queries(3):
        assert len(look()) == 1
    for n in range(30):
        person = PersonFactory(first_name="Olivia", last_name="Hargreaves", date_of_birth=BORN)
        PersonNameFactory(person=person, last_name=f"Hargreaves{n}")
        PersonFactory(first_name="Olivia", last_name="Hargraves", merged_into=person)
    with django_assert_max_num_queries(3):
        assert len(look()) == 10


# --- Nicknames ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("Bill", "William"),
        ("liam", "WILLIAM"),
        ("Peggy", "Meg"),
        ("Jack", "Jonathan"),
        ("Sasha", "Alexandra"),
        ("Zoë", "Zoe"),
        ("Muhammad", "Mohammed"),
        ("Sam", "Samantha"),
        ("Sam", "Samuel"),
    ],
)
def test_names_one_person_may_go_by(a, b):
    assert same_given_name(a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Samuel", "Samantha"),
        ("Christopher", "Christine"),
        ("Charles", "Charlotte"),
        ("Francis", "Frances"),
        ("Ruby", "Scarlett"),
        ("", "John"),
    ],
)
def test_names_that_belong_to_different_people(a, b):
    assert not same_given_name(a, b)


def test_the_nickname_table_is_broad():
    assert len(NICKNAME_GROUPS) >= 60
