"""The demo's nightly results and claim batch, made the way the service makes them (DOMAIN §8).

The demo's batch is not written row by row. As in service: the nightly job judged the attached
families the night of the batch's submission, a month before the demo's day; the programme
team's own service (`outcomes.claim_batches`) built the batch from the families claimable then,
judging each again on that date and drawing the internal-audit sample from the claims; and last
night (the demo's day) the job judged the families again, the claimed ones among them (their
claims marked them, `outcomes.changes`), whose results now say "claimed". So the batch page,
the evidence packs, the programme home and the results agree; families that became claimable
since the batch are left for the demo's programme team to claim, marked new.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from earlyhelp.models import User
from outcomes.claim_batches import claim_batch_submit, claim_candidates
from outcomes.engine.plan import ClaimWindow
from outcomes.nightly import nightly_run

SUBMITTED_BEFORE_TODAY = timedelta(days=30)


def seed_results(*, today: date, seed: int) -> dict:
    """A claim batch submitted a month before `today` (None when no family was claimable then),
    and last night's results as of `today`. Returns {"nightly_run": …, "claim_batch": …}."""
    submitted_on = today - SUBMITTED_BEFORE_TODAY
    nightly_run(as_of=submitted_on)
    batch = seed_claim_batch(submitted_on=submitted_on, seed=seed)
    return {"nightly_run": nightly_run(as_of=today), "claim_batch": batch}


def seed_claim_batch(*, submitted_on: date, seed: int):
    programme = User.objects.get(username="programme")
    family_ids = list(
        claim_candidates(programme, submitted_on=submitted_on).values_list("family_id", flat=True)
    )
    if not family_ids:
        return None
    last_day = calendar.monthrange(submitted_on.year, submitted_on.month)[1]
    window = ClaimWindow(submitted_on.replace(day=1), submitted_on.replace(day=last_day))
    try:
        return claim_batch_submit(
            window=window,
            submitted_on=submitted_on,
            family_ids=family_ids,
            by=programme,
            seed=seed,
        )
    except ValidationError:  # none was still claimable on the day: no batch, as in the pages
        return None
