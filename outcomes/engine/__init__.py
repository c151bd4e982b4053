"""The Family Outcomes Plan engine: pure rules over a family snapshot (no Django, no clock).

    from outcomes.engine import Plan, evaluate, load_plan
    result = evaluate(snapshot, load_plan("outcomes/plans/fop_v9.json"))

See FORMAT.md for the snapshot and result JSON.
"""

from .evaluate import EvaluationError, evaluate
from .kinds import EVIDENCE_KINDS, check_values
from .plan import Plan, PlanError
from .results import FamilyResult
from .snapshot import (
    Attachment,
    Episode,
    EvidenceItem,
    FamilySnapshot,
    FamilyWorking,
    Member,
    PreviousClaim,
    ProblemIdentified,
    ProgrammeYear,
    SchoolTerm,
)

__all__ = [
    "EVIDENCE_KINDS",
    "Attachment",
    "Episode",
    "EvaluationError",
    "EvidenceItem",
    "FamilyResult",
    "FamilySnapshot",
    "FamilyWorking",
    "Member",
    "Plan",
    "PlanError",
    "PreviousClaim",
    "ProblemIdentified",
    "ProgrammeYear",
    "SchoolTerm",
    "check_values",
    "evaluate",
]
