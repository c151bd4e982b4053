"""The API's query filters: django-filter's, refusing a typed filter sent with no value."""

from django import forms
from django_filters import rest_framework as filters


class _NoEmptyFilters(forms.Form):
    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if self.data.get(name) == "" and not isinstance(field, forms.CharField):
                self.add_error(name, "Give a value, or leave this filter out")
        return cleaned


class FilterSet(filters.FilterSet):
    """A filter sent with no value is refused (400), unless it filters text.

    `updated_since=` used to answer the whole list, as if it had been left out: a client
    whose date went missing would read everything and believe it was a change.
    """

    def get_form_class(self):
        return type(f"{type(self).__name__}Form", (_NoEmptyFilters, super().get_form_class()), {})


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, building the FilterSets of `filterset_fields` on ours."""

    filterset_base = FilterSet
