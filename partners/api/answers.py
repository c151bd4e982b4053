"""A JSON body's answers, handed to a page's form as a browser hands them: as text.

Until the services take typed arguments, several API writes reach their rules through the
request pages' forms, whose fields read text. A JSON number, true/false, list or object where
the schema says a string, or an empty string where it says a date, is refused here by name: a
form's date field cannot even read one (a server error), and a text field would quietly keep
its repr ("{}" saved as a note).
"""

from django import forms

NOT_TEXT = "Give text here, not a number, true/false, a list or an object"
NOT_A_DATE = "Give a date, like 2026-09-01, or leave it out"


def form_answers(given: dict, fields: dict, *, errors: list, prefix: str = "") -> dict:
    """The answers in `given` for the form `fields` (name: form field), each checked as the
    schema says; a problem for each that is not is added to `errors` as {"field", "message"}."""
    taken = {}
    for name, field in fields.items():
        value = given.get(name)
        if value is None:
            continue  # left out, as a page leaves out an unanswered question
        if isinstance(field, forms.BooleanField) and isinstance(value, bool):
            taken[name] = value
        elif not isinstance(value, str):
            errors.append({"field": f"{prefix}{name}", "message": NOT_TEXT})
        elif value == "" and isinstance(field, forms.DateField):
            errors.append({"field": f"{prefix}{name}", "message": NOT_A_DATE})
        else:
            taken[name] = value
    return taken
