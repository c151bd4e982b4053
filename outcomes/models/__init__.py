"""The outcomes plan as data, the evidence it judges, and programme attachment and claims."""

from .evidence import Evidence
from .plan import OutcomesPlanVersion, SchoolTerm
from .programme import Attachment, AuditSampleItem, ClaimBatch

__all__ = [
    "Attachment",
    "AuditSampleItem",
    "ClaimBatch",
    "Evidence",
    "OutcomesPlanVersion",
    "SchoolTerm",
]
