"""Issue 18: "every date entered with the GOV.UK date input (day, month, year), with the
pattern's own error messages; dates of birth never in the future"."""

from datetime import date, timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from cases.models import Person
from cases.tests.requesting import PARENT
from earlyhelp.date_input import DateInputField
from tests.test_text_caps import project_forms
from tests.worlds import make_family


def test_no_form_asks_for_a_date_in_one_box():
    classes = project_forms()
    one_box = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField)
    ]
    assert one_box == []
    three_boxes = [
        cls
        for cls in classes
        if any(isinstance(f, DateInputField) for f in cls.base_fields.values())
    ]
    assert len(three_boxes) >= 10


class Dated(forms.Form):
    held_on = DateInputField(name="Date of the review", label="Date of the review")


@pytest.mark.parametrize(
    "day, month, year, message",
    [
        ("", "", "", "Enter the date of the review"),
        ("3", "", "2026", "Date of the review must include a month"),
        ("", "", "2026", "Date of the review must include a day and a month"),
        ("3", "4", "", "Date of the review must include a year"),
        ("30", "2", "2026", "Date of the review must be a real date"),
        ("3", "13", "2026", "Date of the review must be a real date"),
        ("three", "4", "2026", "Date of the review must be a real date"),
        ("3", "4", "26", "Date of the review must be a real date"),
    ],
)
def test_the_date_input_says_what_is_wrong_in_the_patterns_words(day, month, year, message):
    form = Dated({"held_on_day": day, "held_on_month": month, "held_on_year": year})
    assert not form.is_valid()
    assert form.errors["held_on"] == [message]


def test_a_real_date_is_read_from_its_three_boxes():
    form = Dated({"held_on_day": " 3", "held_on_month": "04", "held_on_year": "2026"})
    assert form.is_valid() and form.cleaned_data["held_on"] == date(2026, 4, 3)


def add_member(client, family, **answers):
    person = {k: v for k, v in PARENT.items() if k != "person-date_of_birth"}
    person.update({"person-first_name": "Aisha", "person-last_name": "Bennett"})
    return client.post(
        reverse("member-add", args=[family.pk]),
        {**person, **{f"person-{k}": v for k, v in answers.items()}},
    )


@pytest.mark.parametrize(
    "born, message",
    [
        (
            {"date_of_birth_day": "1", "date_of_birth_month": "1", "date_of_birth_year": "2030"},
            "Date of birth must be today or in the past",
        ),
        (
            {"date_of_birth_day": "1", "date_of_birth_month": "", "date_of_birth_year": "2015"},
            "Date of birth must include a month",
        ),
        (
            {"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "2015"},
            "Date of birth must be a real date",
        ),
    ],
)
def test_a_parent_born_in_the_future_is_refused_on_the_family_page(
    users, client_for, born, message
):
    """The issue's own case: 'a parent "born 1 January 2030" is accepted'."""
    family = make_family("Bennett family", lead=users["practitioner"])
    response = add_member(client_for("practitioner"), family, **born)
    page = response.content.decode()
    assert response.status_code == 400, page[:2000]
    assert message in page and "<title>Error:" in page
    assert not Person.objects.filter(first_name="Aisha").exists()


def test_an_unborn_child_has_an_expected_date_instead(users, client_for):
    family = make_family("Bennett family", lead=users["practitioner"])
    due = timezone.localdate() + timedelta(weeks=20)
    response = add_member(
        client_for("practitioner"),
        family,
        first_name="Baby",
        expected_date_of_birth=due,
    )
    if response.status_code == 200:  # records that may be the same person are offered first
        response = add_member(
            client_for("practitioner"),
            family,
            first_name="Baby",
            expected_date_of_birth=due,
            **{"match": "new"},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    baby = Person.objects.get(first_name="Baby")
    assert baby.date_of_birth is None and baby.expected_date_of_birth == due
