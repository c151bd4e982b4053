"""Families and persons: one record per person, households over time, episodes, consent."""

from .consent import Consent, DataKind
from .episode import Episode, TafMember
from .family import Family, FamilyMember
from .person import Address, Person, PersonMerge, PersonName
from .request import SupportRequest

__all__ = [
    "Address",
    "Consent",
    "DataKind",
    "Episode",
    "Family",
    "FamilyMember",
    "Person",
    "PersonMerge",
    "PersonName",
    "SupportRequest",
    "TafMember",
]
