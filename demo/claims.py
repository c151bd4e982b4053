"""The demo's nightly results and claim batch, made the way the service makes them (DOMAIN §8).

The demo's batch is not written row by row. As in service: the nightly job judged the attached
families the night of the batch's submission, the last day of the programme year's latest claim
window to close before the demo's day; the programme
team's own service (`outcomes.claim_batches`) built the batch from the families claimable then,
judging each again on that date and drawing the internal-audit sample from the claims; and last
night (the demo's day) the job judged the families again, the claimed ones among them (their
claims marked them, `outcomes.changes`), whose results now say "claimed". So the batch page,
the evidence packs, the programme home and the results agree; families that became claimable
since the batch are left for the demo's programme team to claim, marked new.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from earlyhelp.models import User
from outcomes.claim_batches import claim_batch_submit, claim_candidates
from outcomes.nightly import nightly_run
from outcomes.years import claim_windows


def seed_results(*, today: date, seed: int) -> dict:
    """A claim batch submitted on the last day of the latest claim window to close before
    `today` (None when there is none, or no family was claimable then), and last night's results
    as of `today`. Returns {"nightly_run": …, "claim_batch": …}."""
    closed = [w for w in claim_windows(today) if w.closes < today]
    batch = None
    if closed:
        window = closed[-1]
        nightly_run(as_of=window.closes)
        batch = seed_claim_batch(window=window, seed=seed)
    return {"nightly_run": nightly_run(as_of=today), "claim_batch": batch}


def seed_claim_batch(*, window, seed: int):
    submitted_on = window.closes
    programme = User.objects.get(username="programme")
    family_ids = list(
        claim_candidates(programme, submitted_on=submitted_on).values_list("family_id", flat=True)
    )
    if not family_ids:
        return None
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
