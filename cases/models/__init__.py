"""Families and persons: one record per person, households over time, episodes, consent;
requests for support, their triage and allocation; the episode's work: the team, plan,
meetings, reviews, notes, closure, step-up and step-down."""

from .closure import Closure, ClosureReason
from .consent import Consent, DataKind
from .dashboard import DashboardFigures
from .episode import Episode, TafMember
from .family import Family, FamilyMember
from .lead import LeadChange
from .notification import Notification
from .person import Address, KnownName, Person, PersonMerge, PersonName, PossibleDuplicate
from .plan import PlanAction, PlanActionUpdate, PlanReview
from .request import SupportRequest, SupportRequestMember
from .steps import StepDecision, StepDown, StepUp
from .taf import CaseNote, TafMeeting
from .triage import Allocation, OpenEpisodeResolution, Priority, TriageDecision

__all__ = [
    "Address",
    "Allocation",
    "CaseNote",
    "Closure",
    "ClosureReason",
    "Consent",
    "DashboardFigures",
    "DataKind",
    "Episode",
    "Family",
    "FamilyMember",
    "LeadChange",
    "Notification",
    "OpenEpisodeResolution",
    "Person",
    "PersonMerge",
    "KnownName",
    "PersonName",
    "PlanAction",
    "PlanActionUpdate",
    "PlanReview",
    "PossibleDuplicate",
    "Priority",
    "StepDecision",
    "StepDown",
    "StepUp",
    "SupportRequest",
    "SupportRequestMember",
    "TafMeeting",
    "TafMember",
    "TriageDecision",
]
