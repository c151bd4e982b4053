"""The short year of issue 18: about 150 families over 365 days, with no invariant broken."""

import io

import pytest

from simulation.run import simulate_year

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_short_year_breaks_no_invariant():
    out = io.StringIO()
    summary = simulate_year(families=150, days=365, seed=7, out=out)
    print(summary.table())  # shown when it fails
    assert summary.days == 365
    assert summary.broken == [], out.getvalue()
    # Every kind of work the year is meant to hold happened at least once.
    for kind in [
        "request multi_agency",
        "request family",
        "request step_down",
        "re-referral",
        "merge duplicate",
        "triage p3a",
        "triage advice",
        "allocate to the agency",
        "lead named by the manager",
        "single-service response ended by the agency",
        "assessment written and submitted",
        "assessment returned",
        "assessment signed off",
        "TAF member joined",
        "TAF member left",
        "TAF meeting",
        "consent added for a team member's agency",
        "written consent received after verbal",
        "lead told a written consent is overdue",
        "Family Star scored (start)",
        "Family Star scored (close)",
        "plan action added",
        "plan action updated",
        "review",
        "case note",
        "closure requested",
        "closure signed off",
        "step-up requested",
        "step-up accepted",
        "consent withdrawn",
        "worker left, cases split",
        "worker gave notice, cases split from their last day",
        "scheduled lead move applied",
        "worker left on their notified day",
        "service setting changed",
        "attach",
        "evidence file imported",
        "nightly run",
        "claim batch",
        "family read",
        "family read refused",
        "return nis",
        "return fpd",
    ]:
        assert summary.actions[kind] > 0, kind
    assert set(summary.checked) == {
        "nightly_matches_engine",
        "requests_reach_a_decision",
        "one_open_episode",
        "lead_history_kept",
        "reads_audited",
        "access_ended",
        "claims_once_and_claimable",
        "reports_reconcile",
    }
    assert all(n == 365 for n in summary.checked.values())
