"""The demo's nightly results and claim batch, made the way the service makes them (DOMAIN §8).

The demo's batch is not written row by row: the nightly job judges the attached families as of
the demo's day, and the programme team's own service (`outcomes.claim_batches`) builds the batch
from the families claimable on its submission date, judging each again on that date, drawing the
internal-audit sample from the claims, and judging the claimed families again so their results
say "claimed". So the batch page, the evidence packs, the programme home and the results agree,
as they do for a batch built in the pages.

The batch was submitted a month before the demo's day: families that became claimable since are
left for the demo's programme team to claim.
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
    """Last night's results as of `today`, and a claim batch submitted a month before it (None
    when no family was claimable then). Returns {"nightly_run": …, "claim_batch": …}."""
    run = nightly_run(as_of=today)
    return {"nightly_run": run, "claim_batch": seed_claim_batch(today=today, seed=seed)}


def seed_claim_batch(*, today: date, seed: int):
    programme = User.objects.get(username="programme")
    submitted_on = today - SUBMITTED_BEFORE_TODAY
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
