"""The Early Help Assessment and the outcome tools."""

from .assessment import (
    CHILD_SECTIONS,
    FAMILY_SECTIONS,
    MEMBER_SECTIONS,
    AssessmentSection,
    AssessmentStatusChange,
    EarlyHelpAssessment,
    SectionKey,
)
from .tools import ToolLayout, ToolProgress, ToolScore
from .work import (
    Barrier,
    Benefit,
    EmploymentProvider,
    NotAllocated,
    ProgressStep,
    WorkConversation,
    WorkSituation,
)

__all__ = [
    "CHILD_SECTIONS",
    "FAMILY_SECTIONS",
    "MEMBER_SECTIONS",
    "AssessmentSection",
    "Barrier",
    "Benefit",
    "EmploymentProvider",
    "NotAllocated",
    "ProgressStep",
    "WorkConversation",
    "WorkSituation",
    "AssessmentStatusChange",
    "EarlyHelpAssessment",
    "SectionKey",
    "ToolLayout",
    "ToolProgress",
    "ToolScore",
]
