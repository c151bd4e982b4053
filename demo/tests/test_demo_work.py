"""Demo conversations and panel decisions: valid, reproducible, something for the hub to do."""

import pytest
from dateutil.relativedelta import relativedelta

from assessments.models import WorkConversation
from assessments.selectors import panel_referrals
from demo.families import TODAY, seed_families
from demo.organisations import seed_demo
from earlyhelp.models import User

pytestmark = pytest.mark.django_db


def stored():
    return list(
        WorkConversation.objects.order_by("pk").values_list(
            "person__first_name",
            "held_on",
            "status",
            "provider__name",
            "not_allocated_reason",
            "decided_at",
        )
    )


def test_demo_conversations_hang_together_and_give_the_hub_a_panel():
    seed_demo(password="demo-password-1")
    loaded = seed_families(families=300, seed=2)
    conversations = list(
        WorkConversation.objects.select_related("person", "episode").prefetch_related(
            "episode__family__memberships"
        )
    )
    assert loaded["work_conversations"] == len(conversations) > 5
    statuses = {c.status for c in conversations}
    assert statuses == {"draft", "completed"}
    assert any(c.provider_id for c in conversations)
    for c in conversations:
        assert c.episode.status == "open" and c.episode.started_on <= c.held_on < TODAY
        assert c.person.date_of_birth + relativedelta(years=18) <= c.held_on  # adults only
        members = {m.person_id for m in c.episode.family.memberships.all()}
        assert c.person_id in members
        if c.decided_at:
            assert c.status == "completed" and c.completed_at <= c.decided_at
    hub = User.objects.get(username="hub")
    weeks = panel_referrals(hub)
    assert weeks and all(r.decided_at is None for w in weeks for r in w.referrals)


def test_the_same_seed_gives_the_same_conversations():
    seed_demo(password="demo-password-1")
    seed_families(families=120, seed=5)
    first = [row[:5] for row in stored()]
    seed_families(families=120, seed=5)  # a second load of the same families, beside the first
    both = [row[:5] for row in stored()]
    assert first and both == first + first
