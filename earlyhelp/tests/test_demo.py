"""`make run` loads demo data; a second run must not duplicate it."""

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.models import Locality, Organisation, Role, Team, User

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Locality, Organisation, Team, User, TOTPDevice)]


def test_seed_demo_is_idempotent_and_makes_one_user_per_role(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", password="demo-password-1")
    first = counts()
    call_command("seed_demo", password="demo-password-1")
    assert counts() == first
    assert first[0] == 7  # Leicestershire's districts
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Organisation.objects.get(name="Children's Social Care").tier == 1
    assert Organisation.objects.get(name="Multi-Systemic Therapy").tier == 2
    assert Organisation.objects.get(name="Leicestershire Police").tier == 3
    manager = User.objects.get(username="manager")
    assert manager.check_password("demo-password-1")
    assert manager.managed_teams.filter(pk=manager.team_id).exists()
    assert "demo-password-1" in capsys.readouterr().out


def test_seed_demo_refuses_on_a_production_server(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("ALLOW_DEMO_DATA", raising=False)
    with pytest.raises(CommandError, match="Refusing to load demo accounts"):
        call_command("seed_demo")
    assert User.objects.count() == 0


def test_seed_demo_rejects_a_short_password(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="at least 8 characters"):
        call_command("seed_demo", password="short")
    assert User.objects.count() == 0
