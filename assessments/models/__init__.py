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
from .tools import ToolScore

__all__ = [
    "CHILD_SECTIONS",
    "FAMILY_SECTIONS",
    "MEMBER_SECTIONS",
    "AssessmentSection",
    "AssessmentStatusChange",
    "EarlyHelpAssessment",
    "SectionKey",
    "ToolScore",
]
