"""`make run`'s demo puts a few requests in the hub's queue, once."""

import pytest
from django.core.management import call_command

from cases.models import Family, SupportRequest

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_queue_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", password="demo-password-1", families=0)
    waiting = SupportRequest.objects.filter(status="awaiting_triage")
    assert waiting.count() == 3
    assert {r.kind for r in waiting} == {"multi_agency", "family", "step_down"}
    assert waiting.get(kind="multi_agency").family.consents.filter(kind="verbal").exists()
    call_command("seed_demo", password="demo-password-1", families=0)
    assert SupportRequest.objects.count() == 3 and Family.objects.count() == 3
