"""Demo work readiness conversations and triage panel decisions (demo.families).

Some open episodes with an adult get a conversation: most completed (a
referral), some still drafts; referrals older than a week mostly have the
panel's decision, in about the seed's proportions (2017–19: 218 of 556 to the
DWP advisors, 308 to GREAT, the rest not allocated). The demo practitioner's
own case gets a referral awaiting this week's panel, so the demo hub always
has one to decide.

Choices come from a random generator of their own, so adding conversations
leaves every other demo row as it was for the same seed. Rows are built in
memory and written by `demo.families` with the rest of the batch.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assessments.models import EmploymentProvider, NotAllocated, WorkConversation
from outcomes.engine.periods import age_on

LONDON = ZoneInfo("Europe/London")
SHARE = 0.12  # of open episodes with an adult
COMPLETED = 0.8
DECIDED = 0.9  # of referrals completed more than a week ago
DECISIONS = [("DWP employment advisor", 39), ("GREAT project", 55), (None, 6)]
REASONS = [
    (NotAllocated.IN_WORK, 45),
    (NotAllocated.MOVED, 25),
    (NotAllocated.DECLINED, 25),
    (NotAllocated.OTHER, 5),
]
ANSWERS = {
    "situation": ["looking", "looking", "not_looking", "caring", "sick", "part_time"],
    "benefits": [["uc"], ["uc"], ["uc"], ["esa"], ["jsa"], ["is"], ["none"]],
    "aspirations": [
        "Work in a shop near home, school hours",
        "Back into driving: wants a forklift licence",
        "Care work, part time",
        "An office job once the youngest starts school",
        "Anything with regular hours",
    ],
    "barriers": ["childcare", "confidence", "skills", "health", "transport", "money", "id"],
    "steps": ["id", "bank", "email", "cv", "job_site", "skills_start"],
    "next_steps": [
        "Write a CV together at the next visit",
        "Book a session with the employment adviser",
        "Look at nursery places and funded hours",
        "Register with two agencies",
    ],
}


class WorkConversations:
    def __init__(self, seed: int, today: date, hub_user_id: int | None):
        self.rng = random.Random(f"work-{seed}")  # noqa: S311 -- demo data, not secrets
        self.today = today
        self.hub_user_id = hub_user_id
        self.providers = dict(EmploymentProvider.objects.values_list("name", "pk"))

    def for_episode(self, episode, persons, lead_user_id: int, *, showcase: bool = False):
        """A conversation for an open episode with one of its adults (or None)."""
        rng = self.rng
        if not (showcase or rng.random() < SHARE):
            return None
        yesterday = self.today - timedelta(days=1)
        if episode.started_on > yesterday:
            return None
        earliest = max(episode.started_on, self.today - timedelta(days=150))
        held_on = (
            yesterday
            if showcase
            else earliest + timedelta(days=rng.randint(0, (yesterday - earliest).days))
        )
        adults = [p for p in persons if p.date_of_birth and age_on(p.date_of_birth, held_on) >= 18]
        if not adults:
            return None
        person = rng.choice(adults)
        conversation = WorkConversation(
            episode=episode,
            person=person,
            held_on=held_on,
            situation=rng.choice(ANSWERS["situation"]),
            benefits=rng.choice(ANSWERS["benefits"]),
            aspirations=rng.choice(ANSWERS["aspirations"]),
            barriers=sorted(rng.sample(ANSWERS["barriers"], rng.randint(0, 3))),
            steps_taken=sorted(rng.sample(ANSWERS["steps"], rng.randint(0, 2))),
            next_steps=rng.choice(ANSWERS["next_steps"]),
            created_by_id=lead_user_id,
            updated_by_id=lead_user_id,
        )
        if showcase or rng.random() < COMPLETED:
            conversation.status = WorkConversation.Status.COMPLETED
            conversation.agrees_to_referral = True
            conversation.completed_by_id = lead_user_id
            conversation.completed_at = self._at(held_on, 16)
            if not showcase and held_on < self.today - timedelta(days=7):
                self._decide(conversation)
        return conversation

    def _decide(self, conversation) -> None:
        rng = self.rng
        if self.hub_user_id is None or rng.random() >= DECIDED:
            return
        names, weights = zip(*DECISIONS, strict=True)
        name = rng.choices(names, weights=weights)[0]
        panel_day = conversation.held_on + timedelta(days=rng.randint(1, 7))
        conversation.decided_at = self._at(min(panel_day, self.today - timedelta(days=1)), 11)
        conversation.decided_by_id = self.hub_user_id
        if name is not None and name in self.providers:
            conversation.provider_id = self.providers[name]
            return
        reasons, weights = zip(*REASONS, strict=True)
        conversation.not_allocated_reason = rng.choices(reasons, weights=weights)[0]
        if conversation.not_allocated_reason == NotAllocated.OTHER:
            conversation.not_allocated_detail = "Started a college course instead"

    @staticmethod
    def _at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour, 0), tzinfo=LONDON)
