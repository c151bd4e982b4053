"""The programme's simulated year: attachment, partners' evidence files, the nightly job,
claim batches in each window, internal audit's verdicts and the national returns (DOMAIN §8,
§10), and the staff changes managers make (a leaver's cases moved).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.test import override_settings

from cases.closure.reallocation import caseload_reallocate, receiving_workers
from cases.models import Episode, FamilyMember
from cases.people.selectors import current_memberships
from cases.tasks import apply_scheduled_lead_changes, notify_consent_chase_due
from earlyhelp.models import User
from earlyhelp.services import service_policy_update, user_deactivate
from outcomes.claim_batches import (
    audit_verdict_record,
    claim_batch_submit,
    claim_candidates,
    claim_windows,
)
from outcomes.models import AuditSampleItem, NightlyRun, SchoolTerm
from outcomes.programme import attachment_check, attachment_create
from outcomes.tasks import nightly_schedule
from partners.services import evidence_file_import
from returns.models import ReturnKind
from returns.selectors import NoLayout, national_return
from returns.services import return_made_record

from .world import World, _user

HEADINGS = ["family", "person", "kind", "period_start", "period_end", "values", "source"]
HEADINGS += ["external_id"]
# Of attached families, the share whose problems the evidence shows turned around (our
# assumption; seed 002 reports a 35% claim rate as the aim, "should achieve a claim rate of 35%").
TURNED_AROUND = 0.6
DISAGREE_CHANCE = 0.1
JOB_AFTER = 60  # days after the episode began that a parent turned around finds work
LEAVER_EVERY = 60  # days between one worker leaving and the next (our assumption)
NOTICE = timedelta(weeks=2)  # a leaver who gives notice has their cases moved from their last day
# Half-way through the year the administrator shortens the review interval in the settings
# page's service, and every review after follows it without a restart.
POLICY_CHANGE_AFTER = timedelta(days=183)
SHORTER_REVIEWS_WEEKS = 6
FILE_ROWS = 10_000  # a file holds at most 20,000 rows (outcomes.evidence_files.MAX_ROWS)
QUARTER_ENDS = {(3, 31), (6, 30), (9, 30), (12, 31)}


def nightly(world: World) -> NightlyRun:
    """The beat's 02:00 task, run eagerly in this process whatever the settings say."""
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        run_id = nightly_schedule.apply().get()
    world.did("nightly run")
    return NightlyRun.objects.get(pk=run_id)


def hourly(world: World) -> None:
    """The beat's hourly tasks, as the morning's first run: the lead moves scheduled for
    today take effect, and leads are told of verbal consents whose chase date has passed."""
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        applied = apply_scheduled_lead_changes.apply().get()
        chased = notify_consent_chase_due.apply().get()
    world.did("scheduled lead move applied", applied)
    world.did("lead told a written consent is overdue", chased)
    for leaver in world.staff.workers():
        last_day = world.leaving.get(leaver.pk)
        if last_day is not None and last_day <= world.today:
            user_deactivate(leaver)  # the staff list's own record, so it is inactive there too
            del world.leaving[leaver.pk]
            world.did("worker left on their notified day")


def settings_change(world: World) -> None:
    """The administrator changes the review interval once, in the year's middle."""
    if world.today != world.start + POLICY_CHANGE_AFTER:
        return
    admin = User.objects.get(username="admin")
    if service_policy_update(by=admin, review_interval_weeks=SHORTER_REVIEWS_WEEKS):
        world.did("service setting changed")


def attach(world: World) -> None:
    """The programme team attaches every episode whose four principles hold, looking again at
    one that was not ready four weeks later (each check reads the whole case)."""
    episodes = (
        Episode.objects.filter(
            status=Episode.Status.OPEN,
            assessment__status="signed_off",
            attachment__isnull=True,
            actions__isnull=False,
        )
        .select_related("family")
        .distinct()
    )
    for episode in episodes:
        if world.attach_after.get(episode.pk, world.today) > world.today:
            continue
        check = attachment_check(episode.family, on=world.today)
        if not check.ready:
            world.attach_after[episode.pk] = world.today + timedelta(weeks=4)
            for reason in check.reasons:
                world.skipped[f"not ready to attach: {reason}"] += 1
            continue
        try:
            attachment_create(family=episode.family, by=world.staff.programme, on=world.today)
        except ValidationError as error:
            world.skipped[f"attachment refused: {error.messages[0]}"] += 1
            continue
        world.did("attach")


def _turned_around(family_id: int) -> bool:
    digest = hashlib.sha256(f"family {family_id}".encode()).digest()
    return digest[0] / 255 < TURNED_AROUND


def evidence_rows(world: World) -> list[dict]:
    """What the partners' feeds hold today for every family whose assessment is signed off
    (the programme's candidates and its attached families): each child's attendance in every
    term ended since a year before the episode began (school census), each parent's
    out-of-work benefit claim and, for a family turned around, the job that ended it (DWP),
    and the anti-social behaviour intervention that brought the family in (police). Rows keep
    their external id, so a resend is recognised as unchanged."""
    today = world.today
    terms = list(SchoolTerm.objects.filter(ends_on__lt=today).order_by("starts_on"))
    rows = []
    # The families the programme team may add evidence to: candidates (an open episode) and
    # those attached.
    episodes = Episode.objects.filter(
        Q(status=Episode.Status.OPEN) | Q(attachment__isnull=False),
        assessment__status="signed_off",
    ).select_related("family")
    for episode in episodes.order_by("pk"):
        good, ref = _turned_around(episode.family_id), episode.family.reference
        began = episode.started_on
        members = list(current_memberships().filter(family=episode.family_id).order_by("pk"))
        for member in members:
            pid = str(member.person_id)
            if member.role == FamilyMember.Role.CHILD:
                for term in [t for t in terms if t.ends_on >= began - timedelta(days=365)]:
                    share = 0.95 if good and term.starts_on >= began else 0.8
                    attended = int(140 * share)
                    rows.append(
                        _row(
                            ref,
                            pid,
                            "school_attendance",
                            term.starts_on,
                            term.ends_on,
                            "School census",
                            f"att-{pid}-{term.pk}",
                            term=term.engine_name,
                            possible_sessions=140,
                            sessions_attended=attended,
                            authorised_absence=(140 - attended) // 3,
                            unexplained_absence=140 - attended - (140 - attended) // 3,
                            concern=False,
                        )
                    )
            elif member.role == FamilyMember.Role.PARENT_CARER:
                # DWP sends a parent's claim once it knows how it went on, so a row it sent is
                # never sent again with other content (that would need a correction).
                claim_from = began - timedelta(days=300)
                job_from = began + timedelta(days=JOB_AFTER)
                if job_from > today:
                    continue
                working = good
                rows.append(
                    _row(
                        ref,
                        pid,
                        "benefit_claim",
                        claim_from,
                        job_from - timedelta(days=1) if working else None,
                        "DWP",
                        f"claim-{pid}-{episode.pk}",
                        benefit="JSA",
                        work_related_conditions=True,
                    )
                )
                if working:
                    rows.append(
                        _row(
                            ref,
                            pid,
                            "employment",
                            job_from,
                            None,
                            "DWP",
                            f"job-{pid}-{episode.pk}",
                            hours_per_week=30,
                        )
                    )
        if members:
            on = began - timedelta(days=40)
            rows.append(
                _row(
                    ref,
                    str(members[0].person_id),
                    "asb_intervention",
                    on,
                    on,
                    "Police",
                    f"asb-{episode.pk}",
                    intervention="acceptable behaviour contract",
                )
            )
    # A person in two episodes' households is in the feeds once: the first episode's row.
    return list({row["external_id"]: row for row in reversed(rows)}.values())


def _row(family, person, kind, start, end, source, external_id, **values) -> dict:
    return {
        "family": family,
        "person": person,
        "kind": kind,
        "period_start": start.isoformat(),
        "period_end": end.isoformat() if end else "",
        "values": json.dumps(values),
        "source": source,
        "external_id": external_id,
    }


def evidence_arrives(world: World) -> None:
    """Each Friday the programme team uploads the week's partner feeds as one CSV file."""
    rows = evidence_rows(world)
    for start in range(0, len(rows), FILE_ROWS):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=HEADINGS)
        writer.writeheader()
        writer.writerows(rows[start : start + FILE_ROWS])
        report = evidence_file_import(
            name=f"feeds-{world.today}-{start // FILE_ROWS + 1}.csv",
            data=out.getvalue().encode(),
            by=world.staff.programme,
            today=world.today,
        )
        world.did("evidence file imported")
        world.did("evidence rows saved", report.created)
        for _number, _field, message in report.problems:
            world.skipped[f"evidence row rejected: {message}"] += 1


def claims(world: World) -> None:
    """A batch in each claim window, ten days after it opens (or on its last day)."""
    today, by = world.today, world.staff.programme
    for window in claim_windows(today):
        if window.pk in world.batched_windows or not window.opens <= today <= window.closes:
            continue
        if today < min(window.opens + timedelta(days=10), window.closes):
            continue
        world.batched_windows.add(window.pk)
        family_ids = list(
            claim_candidates(by, submitted_on=today).values_list("family_id", flat=True)
        )
        if not family_ids:
            world.did("claim window with nothing to claim")
            continue
        try:
            batch = claim_batch_submit(
                window=window,
                submitted_on=today,
                family_ids=family_ids,
                by=by,
                seed=world.rng.randrange(2**32),
            )
        except ValidationError as error:
            world.skipped[f"claim batch refused: {error.messages[0]}"] += 1
            continue
        world.did("claim batch")
        world.did("families claimed", batch.claims.count())


def audit_verdicts(world: World) -> None:
    auditor = world.staff.auditor
    for item in AuditSampleItem.objects.filter(verdict="").select_related("family").order_by("pk"):
        disagree = world.rng.random() < DISAGREE_CHANCE
        audit_verdict_record(
            item=item,
            verdict=AuditSampleItem.Verdict.DISAGREE if disagree else AuditSampleItem.Verdict.AGREE,
            reason="The attendance figures do not match the school's" if disagree else "",
            by=auditor,
        )
        world.did("audit disagreed" if disagree else "audit agreed")


def returns(world: World) -> None:
    """Both national returns at each quarter's end, made and their views recorded."""
    key = (world.today.month, world.today.day)
    if key not in QUARTER_ENDS:
        return
    for kind in ReturnKind.values:
        try:
            made = national_return(world.staff.programme, kind=kind, as_of=world.today)
        except NoLayout:
            world.skipped[f"no {kind} layout"] += 1
            continue
        return_made_record(made, by=world.staff.programme)
        world.did(f"return {kind}")


def worker_leaves(world: World) -> None:
    """Every so often a worker leaves: their manager splits their cases across the team's
    other workers, each to whoever holds fewest at that moment. Every other leaver goes at
    once (the cases move today and the administrator deactivates them); the rest give notice
    (the moves are scheduled for their last day, two weeks on, and they are deactivated then,
    by `hourly`). A new worker starts either way."""
    if (world.today - world.start).days % LEAVER_EVERY or world.today == world.start:
        return
    staff = world.staff
    team_id = world.rng.choice(sorted(staff.practitioners))
    workers = [u for u in staff.practitioners[team_id] if u.is_active and u.pk not in world.leaving]
    holding = set(
        Episode.objects.filter(lead_practitioner__in=workers, status=Episode.Status.OPEN)
        .values_list("lead_practitioner", flat=True)
        .distinct()
    )
    # Someone with cases to move, where anyone holds any (a small year's teams may not).
    leaver = world.rng.choice([u for u in workers if u.pk in holding] or workers)
    notice = world.leavers % 2 == 1
    last_day = world.today + NOTICE if notice else world.today
    others = {w.pk: w for w in receiving_workers(leaver) if w.pk not in world.leaving}
    load = {pk: w.open_cases for pk, w in others.items()}
    moves = {}
    for episode in (
        Episode.objects.filter(lead_practitioner=leaver, status=Episode.Status.OPEN)
        .select_related("family")
        .order_by("pk")
    ):
        to = min(others.values(), key=lambda w: (load[w.pk], w.pk))
        moves[episode] = to
        load[to.pk] += 1
    caseload_reallocate(
        from_practitioner=leaver,
        moves=moves,
        changed_on=last_day,
        reason=f"{leaver.get_full_name()} left the service",
        by=staff.managers[team_id],
    )
    world.leavers += 1
    if notice:
        world.leaving[leaver.pk] = last_day
        world.did("worker gave notice, cases split from their last day")
    else:
        user_deactivate(leaver)
        world.did("worker left, cases split")
    staff.practitioners[team_id].append(
        _user(f"sim-{team_id}-joiner-{world.leavers}", leaver.role, leaver.team, world.rng)
    )
