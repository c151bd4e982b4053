"""A family's chronology: everything that happened in its episodes, newest first.

One query, whatever its length: each kind of record contributes a SELECT of
the same columns and PostgreSQL puts them together (UNION ALL), orders and
pages them. Filtering by kind leaves the other SELECTs out. Nothing is copied
into an events table, so the chronology can never disagree with the records.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    F,
    IntegerField,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Left
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from assessments.models import AssessmentStatusChange, EarlyHelpAssessment, ToolScore
from cases.models import (
    CaseNote,
    Closure,
    ClosureReason,
    Episode,
    LeadChange,
    OpenEpisodeResolution,
    PlanAction,
    PlanActionUpdate,
    PlanReview,
    StepDecision,
    StepDown,
    StepUp,
    TafMeeting,
    TafMember,
)
from earlyhelp import compiled

KINDS = {
    "notes": "Case notes",
    "actions": "Plan actions",
    "meetings": "Team around the family meetings",
    "reviews": "Reviews",
    "team": "The team",
    "assessment": "The assessment",
    "scores": "Outcome tool scores",
    "episode": "Episodes, leads, closure, step-up and step-down",
}
TEXT_LENGTH = 300  # an entry's text is cut here, in SQL; the page shows it as it comes


@dataclass(frozen=True)
class Entry:
    kind: str
    what: str
    at: object
    dated: bool
    text: str
    about: str
    by: str
    ref: int

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def title(self) -> str:
        return describe(self)

    @property
    def shows_author(self) -> bool:
        """Whether `by` wrote the entry (not: it is about them, as a team member or a lead)."""
        return self.kind not in ("team", "episode") and bool(self.by)

    @property
    def row(self) -> str:
        """The entry as the family page's chronology table row, written here rather than by
        the template language (which cost a tenth of a millisecond a row): the date as the
        template's `date` filter gives it (in local time), every part from a record escaped
        (the standard library's html.escape, which Django's escape calls), marked safe once."""
        at = timezone.localtime(self.at) if timezone.is_aware(self.at) else self.at
        when = html.escape(date_format(at, "j M Y" if self.dated else "j M Y, H:i"))
        text = f"<br>{html.escape(self.text)}" if self.text else ""
        by = html.escape(self.by) if self.shows_author else ""
        return mark_safe(  # noqa: S308 (every part is escaped or a constant)
            '<tr class="govuk-table__row">'
            f'<td class="govuk-table__cell app-nowrap">{when}</td>'
            '<td class="govuk-table__cell"><span class="govuk-!-font-weight-bold">'
            f"{html.escape(self.title)}</span>{text}</td>"
            f'<td class="govuk-table__cell">{by}</td>'
            "</tr>"
        )


def describe(entry: Entry) -> str:
    """An entry in words: "Visit", "Action done: Book the school meeting"."""
    what, about = entry.what, entry.about
    if entry.kind == "notes":
        return CaseNote.Kind(what).label if what in CaseNote.Kind.values else "Case note"
    if entry.kind == "actions":
        if what == "added":
            return f"Action added, for {about}"
        status = dict(PlanAction.Status.choices).get(what, what)
        return f"Action {status.lower()}: {about}"
    if entry.kind == "meetings":
        return "Team around the family meeting"
    if entry.kind == "reviews":
        return "Review of the plan"
    if entry.kind == "team":
        where = f" ({about})" if about else ""
        return f"{entry.by}{where} {'joined' if what == 'joined' else 'left'} the team"
    if entry.kind == "assessment":
        label = dict(EarlyHelpAssessment.Status.choices).get(what, what)
        return f"Assessment: {label.lower()}"
    if entry.kind == "scores":
        tool, _, stage = what.partition(":")
        name = dict(ToolScore.Tool.choices).get(tool, tool)
        stage = dict(ToolScore.Stage.choices).get(stage, stage).lower()
        return f"{name} scores ({stage}){f' for {about}' if about else ''}"
    head, _, tail = what.partition(":")
    reasons = dict(ClosureReason.choices)
    decisions = {
        StepDecision.PENDING: "asked for",
        StepDecision.ACCEPTED: "accepted",
        StepDecision.DECLINED: "declined",
    }
    if head == "opened":
        lead = f", led by {entry.by}" if entry.by else ""
        return f"Episode opened{lead}{f' ({about})' if about else ''}"
    if head == "closed":
        return f"Episode closed: {reasons.get(tail, tail).lower()}"
    if head == "lead_changed":
        return f"Lead practitioner changed to {entry.by}{f' ({about})' if about else ''}"
    if head == "closure":
        status = {
            "awaiting_sign_off": "asked for",
            "returned": "returned",
            "signed_off": "signed off",
        }.get(tail, tail)
        return f"Closure {status}: {reasons.get(about, about).lower()}"
    if head == "step_up":
        return f"Step-up to social care {decisions.get(tail, tail)}"
    if head == "request":
        source = f" from {about}" if about else ""
        if tail == OpenEpisodeResolution.Outcome.ADDED:
            return f"Request for support{source} added to the episode"
        return f"Request for support{source} passed to {entry.by or 'the lead practitioner'}"
    if head == "step_down":
        return f"Step-down to early help {decisions.get(tail, tail)}"
    return what


def _text(value):
    return Cast(value, TextField())


def _name(prefix: str):
    """A person's name through a foreign key ("" when there is none: Concat skips NULLs)."""
    return Concat(F(f"{prefix}__first_name"), Value(" "), F(f"{prefix}__last_name"))


def _rows(queryset, *, kind, what, at, text=None, about=None, by=None, dated=False):
    # Names that no model has as a field (annotations may not shadow fields).
    return queryset.order_by().values(
        e_kind=Value(kind, output_field=CharField()),
        e_what=_text(what if not isinstance(what, str) else Value(what)),
        e_at=at if not dated else Cast(at, DateTimeField()),
        e_dated=Value(dated, output_field=BooleanField()),
        e_text=_text(Left(text, TEXT_LENGTH)) if text is not None else Value("", TextField()),
        e_about=_text(about) if about is not None else Value("", TextField()),
        e_by=_name(by) if by else Value("", CharField()),
        e_ref=Cast("pk", IntegerField()),
    )


def _sources(family_id: int) -> dict[str, list]:
    in_family = Q(episode__family_id=family_id)
    return {
        "notes": [
            _rows(
                CaseNote.objects.filter(in_family),
                kind="notes",
                what=F("kind"),
                at=F("happened_on"),
                dated=True,
                text=F("text"),
                by="written_by",
            )
        ],
        "actions": [
            _rows(
                PlanAction.objects.filter(in_family),
                kind="actions",
                what="added",
                at=F("created_at"),
                text=F("what"),
                about=Case(
                    When(owner__isnull=True, then=Value("The family")),
                    default=_name("owner"),
                ),
                by="created_by",
            ),
            _rows(
                PlanActionUpdate.objects.filter(action__episode__family_id=family_id),
                kind="actions",
                what=F("status"),
                at=F("at"),
                text=F("note"),
                about=Left(F("action__what"), 120),
                by="by",
            ),
        ],
        "meetings": [
            _rows(
                TafMeeting.objects.filter(in_family),
                kind="meetings",
                what="held",
                at=F("held_on"),
                dated=True,
                text=F("decisions"),
                by="recorded_by",
            )
        ],
        "reviews": [
            _rows(
                PlanReview.objects.filter(in_family),
                kind="reviews",
                what="held",
                at=F("held_on"),
                dated=True,
                text=F("progress"),
                by="recorded_by",
            )
        ],
        "team": [
            _rows(
                TafMember.objects.filter(in_family),
                kind="team",
                what="joined",
                at=F("joined_on"),
                dated=True,
                about=F("user__team__organisation__name"),
                by="user",
            ),
            _rows(
                TafMember.objects.filter(in_family, left_on__isnull=False),
                kind="team",
                what="left",
                at=F("left_on"),
                dated=True,
                about=F("user__team__organisation__name"),
                by="user",
            ),
        ],
        "assessment": [
            _rows(
                AssessmentStatusChange.objects.filter(assessment__episode__family_id=family_id),
                kind="assessment",
                what=F("status"),
                at=F("at"),
                text=F("comments"),
                by="by",
            )
        ],
        "scores": [
            _rows(
                ToolScore.objects.filter(in_family),
                kind="scores",
                what=Concat(F("tool"), Value(":"), F("stage")),
                at=F("scored_on"),
                dated=True,
                about=_name("person"),
                by="recorded_by",
            )
        ],
        "episode": [
            _rows(
                Episode.objects.filter(family_id=family_id),
                kind="episode",
                what="opened",
                at=F("started_on"),
                dated=True,
                about=F("lead_agency__name"),
                by="lead_practitioner",
            ),
            _rows(
                Episode.objects.filter(family_id=family_id, ended_on__isnull=False),
                kind="episode",
                what=Concat(Value("closed:"), F("closure_reason")),
                at=F("ended_on"),
                dated=True,
            ),
            _rows(
                LeadChange.objects.filter(in_family, status=LeadChange.Status.APPLIED),
                kind="episode",
                what="lead_changed",
                at=F("changed_on"),
                dated=True,
                text=F("reason"),
                about=F("to_agency__name"),
                by="to_practitioner",
            ),
            _rows(
                Closure.objects.filter(in_family),
                kind="episode",
                what=Concat(Value("closure:"), F("status")),
                at=Coalesce(F("decided_at"), F("requested_at")),
                text=Coalesce(F("comments"), Value("")),
                about=F("reason"),
                by="requested_by",
            ),
            _rows(
                StepUp.objects.filter(in_family),
                kind="episode",
                what=Concat(Value("step_up:"), F("status")),
                at=Coalesce(F("decided_at"), F("requested_at")),
                text=F("reason"),
                about=Coalesce(F("social_care__name"), Value("")),
                by="requested_by",
            ),
            # A request for support the hub added to the open episode, or passed to its lead.
            _rows(
                OpenEpisodeResolution.objects.filter(in_family).exclude(
                    outcome=OpenEpisodeResolution.Outcome.CLOSED
                ),
                kind="episode",
                what=Concat(Value("request:"), F("outcome")),
                at=F("resolved_at"),
                text=F("request__reason"),
                about=Coalesce(F("request__source_agency__name"), Value("the family")),
                by="lead_practitioner",
            ),
            _rows(
                StepDown.objects.filter(family_id=family_id),
                kind="episode",
                what=Concat(Value("step_down:"), F("status")),
                at=Coalesce(F("decided_at"), F("requested_at")),
                text=F("reason"),
                about=Coalesce(F("lead_agency__name"), Value("")),
                by="requested_by",
            ),
        ],
    }


ORDER = ("-e_at", "-e_kind", "-e_ref")


def _combined(family_id: int, kind: str | None):
    sources = _sources(family_id)
    chosen = sources[kind] if kind in sources else [q for qs in sources.values() for q in qs]
    first, *rest = chosen
    return first.union(*rest, all=True) if rest else first


def chronology(family_id: int, *, kind: str | None = None):
    """The family's chronology as one queryset of rows, newest first; `kind` filters it."""
    return _combined(family_id, kind).order_by(*ORDER)


def chronology_page(family_id: int, *, kind: str | None = None, number=1, size: int = 25) -> Page:
    """One page of the chronology and its length, in one query (the count is a window over
    the same rows), so PostgreSQL plans the sixteen SELECTs once, not twice."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    sql, params = _sql_for(family_id, kind)
    paged = (
        f"SELECT c.*, COUNT(*) OVER () AS e_total FROM ({sql}) AS c "  # noqa: S608
        "ORDER BY c.e_at DESC, c.e_kind DESC, c.e_ref DESC LIMIT %s OFFSET %s"
    )
    # Prepared once a connection, like the page's other reads (earlyhelp.compiled):
    # planning the sixteen SELECTs cost more than running them.
    page_params = [*params, size, (number - 1) * size]
    rows = _fetch(
        compiled.prepared(
            connection,
            compiled.statement_name(f"chronology page {kind}"),
            paged,
            len(page_params),
        ),
        page_params,
    )
    total = rows[0]["e_total"] if rows else 0
    if not rows and number > 1:  # past the end: show the last page, as Paginator.get_page does
        count = f"SELECT COUNT(*) AS e_total FROM ({sql}) AS c"  # noqa: S608
        total = _fetch(count, params)[0]["e_total"]
        number = max(1, -(-total // size))
        rows = _fetch(paged, [*params, size, (number - 1) * size])
    paginator = Paginator([], size)
    paginator.count = total  # known already: Paginator would count again
    return Page(entries(rows), number, paginator)


# The SQL of the sixteen SELECTs is the same for every family: Django compiles it once per
# kind (earlyhelp.compiled.sql_of), and each page puts the family's id in its parameters.
# (Compiling it took half the chronology's time.) Every value stays a parameter.
def _sql_for(family_id: int, kind: str | None) -> tuple[str, list]:
    return compiled.sql_of(f"chronology:{kind}", lambda pk: _combined(pk, kind), family_id)


def _fetch(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def entries(rows) -> list[Entry]:
    return [
        Entry(
            kind=row["e_kind"],
            what=row["e_what"],
            at=row["e_at"],
            dated=row["e_dated"],
            text=row["e_text"] or "",
            about=(row["e_about"] or "").strip(),
            by=(row["e_by"] or "").strip(),
            ref=row["e_ref"],
        )
        for row in rows
    ]
