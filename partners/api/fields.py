"""The shapes the API's input serializers accept: strict where JSON is loose.

Input serializers check a payload's shape and types; the rules are the services' (which the
pages share), and so are the words: each field here is given its messages from the rules'
module, so a missing answer or a date that is not real reads the same in a page and here.

JSON is looser than a page's form: DRF's text field would take 5 as "5", its date field
reads only strings but says so in its own words, and its whole-number field takes "5". Here a
number, true/false, list or object where the schema says text is refused by name; a date is a
string in the form YYYY-MM-DD and anything else (`[null, null]` and "" too) is a date that is
not real; an id is a JSON whole number.
"""

from django.db import models
from rest_framework import serializers

NOT_TEXT = "Give text here, not a number, true/false, a list or an object"
NOT_AN_ID = "Give a whole number here"


def says(message: str, **more: str) -> dict:
    """The error messages of an answer that must be given: missing, empty or null alike."""
    return {"required": message, "blank": message, "null": message, "empty": message, **more}


class Text(serializers.CharField):
    default_error_messages = {"not_text": NOT_TEXT}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class Day(serializers.DateField):
    """A date, YYYY-MM-DD; anything else is refused with `not_real`."""

    def __init__(self, *, not_real: str, **kwargs):
        messages = kwargs.pop("error_messages", {})
        super().__init__(
            error_messages={"invalid": not_real, "datetime": not_real, **messages}, **kwargs
        )

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid")
        return super().to_internal_value(value)


class Id(serializers.IntegerField):
    """A record's id: a JSON whole number (not "5", not true)."""

    default_error_messages = {"invalid": NOT_AN_ID}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class Choices(serializers.ListField):
    """Several of a list of choices, as a JSON list of strings; one not in the list is
    refused for the field as a whole (`unknown`), as a page's checkboxes are."""

    child = Text()
    default_error_messages = {"unknown": "Select from the list"}

    def __init__(self, *, choices, **kwargs):
        super().__init__(allow_empty=False, **kwargs)
        self.choices = dict(choices)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not all(isinstance(v, str) and v in self.choices for v in data):
            self.fail("unknown")
        return super().to_internal_value(data)


class Named(Text):
    """A record chosen by its name (any case), among those in use; `unknown` for any other."""

    default_error_messages = {"unknown": "Select from the list"}

    def __init__(self, *, model: type[models.Model], **kwargs):
        super().__init__(**kwargs)
        self.model = model

    def run_validation(self, data=serializers.empty):
        name = super().run_validation(data)  # text, and no NUL, before it is looked up
        return self.record(name) if name else name

    def record(self, name: str):
        # PostgreSQL cannot compare text holding a NUL: no record is named so.
        found = None
        if "\x00" not in name:
            found = self.model.objects.filter(name__iexact=name.strip(), is_active=True).first()
        if found is None:
            self.fail("unknown")
        return found


class AllNamed(serializers.ListField):
    """Records chosen by their names, as a JSON list: any name unknown refuses the field."""

    default_error_messages = {"unknown": "Select from the list"}

    def __init__(self, *, model: type[models.Model], **kwargs):
        self.named = Named(model=model)
        super().__init__(child=Text(), allow_empty=False, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not all(isinstance(v, str) for v in data):
            self.fail("unknown")
        try:
            return [self.named.run_validation(name) for name in data]
        except serializers.ValidationError:
            self.fail("unknown")
