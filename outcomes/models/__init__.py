"""The outcomes plan as data, the evidence it judges, and programme attachment and claims."""

from .evidence import Evidence
from .plan import OutcomesPlanVersion, SchoolTerm
from .programme import Attachment, AuditSampleItem, Claim, ClaimBatch, ProblemIdentified
from .results import ClaimStatus, FamilyChange, FamilyResult, NightlyChunk, NightlyRun
from .years import FundingLine, FundingStream, ProgrammeClaimWindow, ProgrammeYear

__all__ = [
    "Attachment",
    "AuditSampleItem",
    "Claim",
    "ClaimBatch",
    "ClaimStatus",
    "FamilyChange",
    "FundingLine",
    "FundingStream",
    "ProgrammeClaimWindow",
    "ProgrammeYear",
    "FamilyResult",
    "NightlyChunk",
    "NightlyRun",
    "ProblemIdentified",
    "Evidence",
    "OutcomesPlanVersion",
    "SchoolTerm",
]
