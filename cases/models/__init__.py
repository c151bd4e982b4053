"""Families and persons: one record per person, households over time, episodes, consent;
the episode's work: the team, plan, meetings, reviews, notes, closure, step-up and step-down."""

from .closure import Closure, ClosureReason
from .consent import Consent, DataKind
from .episode import Episode, TafMember
from .family import Family, FamilyMember
from .lead import LeadChange
from .notification import Notification
from .person import Address, Person, PersonMerge, PersonName
from .plan import PlanAction, PlanActionUpdate, PlanReview
from .request import SupportRequest
from .steps import StepDecision, StepDown, StepUp
from .taf import CaseNote, TafMeeting

__all__ = [
    "Address",
    "CaseNote",
    "Closure",
    "ClosureReason",
    "Consent",
    "DataKind",
    "Episode",
    "Family",
    "FamilyMember",
    "LeadChange",
    "Notification",
    "Person",
    "PersonMerge",
    "PersonName",
    "PlanAction",
    "PlanActionUpdate",
    "PlanReview",
    "StepDecision",
    "StepDown",
    "StepUp",
    "SupportRequest",
    "TafMeeting",
    "TafMember",
]
