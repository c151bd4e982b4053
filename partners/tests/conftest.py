"""Fixtures of the partner API's tests."""

import pytest

from earlyhelp.tests.factories import OrganisationFactory


@pytest.fixture
def school(db):
    return OrganisationFactory(name="Loughborough Grammar Academy", kind="education")
