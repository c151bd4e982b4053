"""Issue 18: "every free-text field capped at a length the model holds".

Every form of the service either caps each text answer itself or is a GOV.UK form
(`GovukMessagesMixin`), which caps any it was not told about at TEXT_MAX, with a message
written for the field; the services refuse the same lengths for the API.
"""

import importlib
import inspect
import pkgutil

import pytest
from django import forms

from earlyhelp.limits import TEXT_MAX
from earlyhelp.manage_forms import GovukMessagesMixin

APPS = [
    "cases",
    "assessments",
    "outcomes",
    "partners",
    "earlyhelp",
    "workspace",
    "reports",
    "returns",
]


def project_forms():
    found = set()
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            # The Django admin keeps its own widgets: it is the developers' tool, not a page.
            if any(part in module.name for part in (".tests", "migrations", "settings.", ".admin")):
                continue
            loaded = importlib.import_module(module.name)
            for _, cls in inspect.getmembers(loaded, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == loaded.__name__:
                    found.add(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def uncapped(cls) -> list[str]:
    return [
        name
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField)
        and field.max_length is None
        and not isinstance(field.widget, forms.PasswordInput)
    ]


def test_every_form_caps_its_text_answers_or_has_them_capped():
    classes = project_forms()
    assert len(classes) > 40  # the scan found the service's forms, not nothing
    loose = {
        f"{cls.__module__}.{cls.__name__}": uncapped(cls)
        for cls in classes
        if not issubclass(cls, GovukMessagesMixin) and uncapped(cls)
    }
    assert loose == {}


class Loose(GovukMessagesMixin, forms.Form):
    story = forms.CharField(label="What happened", widget=forms.Textarea)
    postcode = forms.CharField(label="Postcode", max_length=8)


@pytest.mark.parametrize(
    "data, errors",
    [
        ({"story": "x" * TEXT_MAX, "postcode": "LE1 1AA"}, {}),
        (
            {"story": "x" * (TEXT_MAX + 1), "postcode": "LE1 1AA"},
            {"story": ["What happened must be 10,000 characters or fewer"]},
        ),
        (
            {"story": "x", "postcode": "LE1 1AA 2B"},
            {"postcode": ["Postcode must be 8 characters or fewer"]},
        ),
    ],
)
def test_a_govuk_form_caps_text_with_a_message_for_the_field(data, errors):
    form = Loose(data)
    form.is_valid()
    assert dict(form.errors) == errors
