"""Families and persons: one record per person, households over time, episodes, consent;
requests for support, their triage and allocation."""

from .consent import Consent, DataKind
from .episode import Episode, TafMember
from .family import Family, FamilyMember
from .person import Address, Person, PersonMerge, PersonName
from .request import SupportRequest, SupportRequestMember
from .triage import Allocation, Priority, TriageDecision

__all__ = [
    "Address",
    "Allocation",
    "Consent",
    "DataKind",
    "Episode",
    "Family",
    "FamilyMember",
    "Person",
    "PersonMerge",
    "PersonName",
    "Priority",
    "SupportRequest",
    "SupportRequestMember",
    "TafMember",
    "TriageDecision",
]
