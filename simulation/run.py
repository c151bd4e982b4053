"""The year, day by day: the night's job, the morning's hourly jobs, the working day's
actions, then every invariant.

`simulate_year` plays `days` days from `start` on the current database, through the services
only, on the simulation's clock (`simulation.clock`): every service reads the simulated day
from `timezone.now()`. Weekends have only the nightly and hourly jobs. It returns the `Summary` the
command prints.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.http import Http404

from cases.gate import family_for, person_for
from cases.models import Episode, Family
from cases.people.selectors import current_members_of
from earlyhelp.models import AuditEntry, Organisation

from . import casework, front_door, invariants, programme
from .clock import Clock, simulated
from .world import World, staff_for

START = date(2026, 4, 1)  # the first day of a programme year (DOMAIN §12)
READS_A_DAY = 1


@dataclass
class Summary:
    days: int = 0
    actions: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    checked: Counter = field(default_factory=Counter)  # invariant checks, by invariant
    broken: list = field(default_factory=list)  # (day, invariant's name, Broken)
    seconds: Counter = field(default_factory=Counter)  # wall-clock time, by part of the day

    @contextmanager
    def timed(self, part: str):
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[part] += time.perf_counter() - began

    def table(self) -> str:
        # Columns fit the longest name up to 70 characters; a longer one pushes its own row.
        names = [*self.actions, *self.skipped, *self.checked, *self.seconds]
        width = min(max([len(k) for k in names] + [30]), 70)
        lines = [f"{'Days simulated':<{width}}  {self.days:>8}", "", "Actions"]
        lines += [f"  {k:<{width - 2}}  {n:>8}" for k, n in sorted(self.actions.items())]
        if self.skipped:
            lines += ["", "Refused by a service (not forced through)"]
            lines += [f"  {k:<{width - 2}}  {n:>8}" for k, n in sorted(self.skipped.items())]
        lines += ["", f"{'Invariants':<{width}}  {'checked':>8}  {'broken':>8}"]
        broken = Counter(name for _, name, _ in self.broken)
        for name, n in sorted(self.checked.items()):
            lines.append(f"  {name:<{width - 2}}  {n:>8}  {broken[name]:>8}")
        lines.append(f"{'Broken in all':<{width}}  {'':>8}  {len(self.broken):>8}")
        if self.seconds:
            lines += ["", f"{'Where the time went':<{width}}  {'seconds':>8}"]
            for part, n in self.seconds.most_common():
                lines.append(f"  {part:<{width - 2}}  {n:>8.1f}")
        return "\n".join(lines)


def simulate_year(
    *, families: int, days: int, seed: int, start: date = START, out=None, progress=False
) -> Summary:
    out = out or sys.stdout
    rng = random.Random(seed)  # noqa: S311 -- a reproducible year, not a secret
    clock = Clock(start)
    summary = Summary()
    with simulated(clock):
        world = World(
            rng=rng, staff=staff_for(families, rng=rng), start=start, today=start, families=families
        )
        agencies = {
            a.name: a for a in Organisation.objects.filter(name__in=front_door.REFERRING_AGENCIES)
        }
        yesterday: dict = {}
        span = range(days)
        if progress:
            from tqdm import tqdm

            span = tqdm(span, desc="Simulated days", unit="day", file=sys.stderr)
        for n in span:
            before = Counter(summary.seconds)
            day = start + timedelta(days=n)
            world.today = day
            clock.set(day, 2)
            with summary.timed("the nightly job"):
                programme.nightly(world)
            _check(summary, day, out, invariants.nightly_matches_engine, day)
            clock.set(day, 8)
            with summary.timed("hourly jobs and settings"):
                programme.hourly(world)
                programme.settings_change(world)
            clock.set(day, 9)
            if day.weekday() < 5:
                working_day(world, agencies=agencies, timed=summary.timed)
            with summary.timed("returns"):
                programme.returns(world)
            clock.set(day, 18)
            with summary.timed("check: lead_history_kept"):
                periods = invariants.lead_periods()
            _check(
                summary, day, out, invariants.requests_reach_a_decision, day, hub=world.staff.hub[0]
            )
            _check(summary, day, out, invariants.one_open_episode, day)
            _check(
                summary,
                day,
                out,
                invariants.lead_history_kept,
                day,
                periods=periods,
                yesterday=yesterday,
            )
            with summary.timed("check: lead_history_kept"):
                yesterday = invariants.past_periods(day + timedelta(days=1), periods)
            _check(summary, day, out, invariants.reads_audited, day, reads=world.reads)
            world.reads = []
            _check(summary, day, out, invariants.access_ended, day)
            _check(summary, day, out, invariants.claims_once_and_claimable, day)
            _check(
                summary, day, out, invariants.reports_reconcile, day, reader=world.staff.programme
            )
            summary.days += 1
            if progress:
                part, took = (summary.seconds - before).most_common(1)[0]
                span.set_postfix_str(f"{day}, slowest: {part} {took:.1f}s")
    summary.actions, summary.skipped = world.counts, world.skipped
    return summary


@contextmanager
def _untimed(part: str):
    yield


def working_day(world: World, *, agencies, timed=_untimed) -> None:
    with timed("front door"):
        front_door.front_door_day(world, agencies=agencies)
    with timed("casework"):
        for episode in casework.open_episodes():
            try:
                casework.episode_day(world, episode)
            except ValidationError as error:
                world.skipped[f"casework refused: {error.messages[0]}"] += 1
    with timed("step-ups and step-downs"):
        casework.step_ups_decide(world)
        casework.step_downs_request(world)
        casework.step_downs_decide(world)
    with timed("workers leaving"):
        programme.worker_leaves(world)
    with timed("attachment"):
        programme.attach(world)
    if world.today.weekday() == 4:
        with timed("evidence files"):
            programme.evidence_arrives(world)
    with timed("claims and audit"):
        programme.claims(world)
        programme.audit_verdicts(world)
    with timed("reads through the gate"):
        led = Episode.objects.filter(status=Episode.Status.OPEN, lead_practitioner__isnull=False)
        open_ids = list(led.order_by("pk").values_list("pk", flat=True))
        chosen = world.rng.sample(open_ids, k=min(READS_A_DAY, len(open_ids)))
        reads(
            world,
            list(
                Episode.objects.filter(pk__in=chosen).select_related("family", "lead_practitioner")
            ),
        )


def reads(world: World, episodes: list[Episode]) -> None:
    """Some families read through the gate: the family and a member by their lead (allowed),
    the family by a partner not on their team (refused); each read must leave an audit row
    (checked at the day's end)."""
    for episode in episodes:
        members = current_members_of(episode.family)
        stranger = world.rng.choice(world.staff.partners)
        for user in (episode.lead_practitioner, stranger):
            after = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            try:
                family_for(user, episode.family_id)
                world.did("family read")
            except Http404:
                world.did("family read refused")
            world.reads.append(invariants.Read(user.pk, episode.family_id, None, after))
            if members and user == episode.lead_practitioner:
                person_id = members[0].person_id
                try:
                    person_for(user, person_id)
                    world.did("person read")
                except Http404:
                    world.did("person read refused")
                world.reads.append(invariants.Read(user.pk, None, person_id, after))


def _check(summary: Summary, day: date, out, invariant, *args, **kwargs) -> None:
    summary.checked[invariant.__name__] += 1
    with summary.timed(f"check: {invariant.__name__}"):
        broken = invariant(*args, **kwargs)
    references = dict(
        Family.objects.filter(pk__in={b.family_id for b in broken}).values_list("pk", "reference")
    )
    for b in broken:
        family = references.get(b.family_id, "no one family")
        out.write(f"{day} {family}: {b.invariant}: {b.message}\n")
        summary.broken.append((day, invariant.__name__, b))
