"""The parts of an assessment as the page and autosave name them.

A part is named "working_well" for the whole family, "needs-12" for member
12's needs, or "indicators" for the headline problems ticked. The same names
are the form's fields (`section-<name>`, `version-<name>`, `digest-<name>`),
so the plain form post and autosave go through one save.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cases.models import FamilyMember

from .models import (
    CHILD_SECTIONS,
    FAMILY_SECTIONS,
    MEMBER_SECTIONS,
    SectionKey,
)

INDICATORS = "indicators"

HINTS = {
    SectionKey.WORKING_WELL: "Strengths and safety: what the family does well, who helps them.",
    SectionKey.WORRIED_ABOUT: "What has happened, and what could happen if nothing changes.",
    SectionKey.NEEDS_TO_HAPPEN: "What the family and the team will do, and what would show it "
    "is working.",
    SectionKey.FAMILY_VIEWS: "In the family's own words, as far as you can.",
    SectionKey.NEEDS: "",
    SectionKey.STRENGTHS: "",
    SectionKey.CHILD_VIEWS: "In their own words: what they like, what worries them, "
    "what they want to change.",
}


@dataclass(frozen=True)
class Part:
    """One part of the assessment on the page."""

    name: str  # "working_well", "needs-12", "indicators"
    key: str  # a SectionKey value, or "indicators"
    label: str
    member: FamilyMember | None = None

    @property
    def member_id(self) -> int | None:
        return self.member.pk if self.member else None

    @property
    def short_label(self) -> str:
        """The label under the member's own heading: "Needs", "Their own views"."""
        return SectionKey(self.key).label if self.key != INDICATORS else self.label

    @property
    def missing_message(self) -> str:
        """What to say when a submission lacks this part."""
        if self.member is None:
            return f"Enter {self.label[0].lower()}{self.label[1:]}"
        name = self.member.person.full_name
        if self.key == SectionKey.CHILD_VIEWS:
            return f"Enter {name}'s own views"
        return f"Enter {name}'s {self.short_label.lower()}"

    @property
    def hint(self) -> str:
        return HINTS.get(self.key, "")


def part_name(key: str, member_id: int | None) -> str:
    return key if member_id is None else f"{key}-{member_id}"


def parts_for(members: list[FamilyMember]) -> list[Part]:
    """Every part of the assessment for these household members, in the page's order."""
    parts = [Part(k.value, k.value, k.label) for k in FAMILY_SECTIONS]
    for member in members:
        keys = list(MEMBER_SECTIONS)
        if member.role == FamilyMember.Role.CHILD:
            keys += list(CHILD_SECTIONS)
        for key in keys:
            label = f"{member.person.full_name}: {key.label.lower()}"
            parts.append(Part(part_name(key.value, member.pk), key.value, label, member))
    parts.append(Part(INDICATORS, INDICATORS, "Headline problems present"))
    return parts


def digest(value) -> str:
    """A short fingerprint of what a part held when the page was drawn."""
    if isinstance(value, list | tuple):
        value = " ".join(sorted(value))
    return hashlib.sha256(str(value).encode()).hexdigest()[:16]


def normalise_text(text: str) -> str:
    # Browsers post textareas with CRLF line ends; compare and store with LF.
    return text.replace("\r\n", "\n")
