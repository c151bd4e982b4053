"""Form answers with their dates as a person types them into the GOV.UK date input."""

from earlyhelp.date_input import as_typed

DATE_FIELDS = {
    "changed_on",
    "chase_on",
    "date_of_birth",
    "due_on",
    "effective_from",
    "expected_date_of_birth",
    "given_on",
    "happened_on",
    "held_on",
    "joined_on",
    "left_on",
    "moved_in",
    "period_end",
    "period_start",
    "scored_on",
}


def typed(data: dict) -> dict:
    """`data` with each date answer ("2026-02-30", a date, "") split into its day, month and
    year boxes, by the field's name (a prefixed name too: "person-date_of_birth")."""
    answers = {}
    for key, value in data.items():
        if key.rpartition("-")[2] in DATE_FIELDS:
            answers.update(as_typed(key, value))
        else:
            answers[key] = value
    return answers
