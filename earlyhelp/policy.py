"""The service's settings, as administrators keep them in a page (issue 18): read here.

They were environment variables, which only a restart changed. Now they are one row of
`ServicePolicy`, the one source of truth for Python and SQL alike:

- Python reads them with `current()` (or `review_interval()`, `caseload_target()`…): one
  primary-key read, kept while one request is answered (the gate's `kept`), so a page asks
  once however many lists use them, and every process sees a change from its next request.
  Outside a request (commands, tasks) each call reads the row afresh.
- The database reads them itself where a query depends on one (`hub_window_start`): the
  gate's window after triage is a scalar subquery of the same statement, which PostgreSQL
  evaluates once per query, so the gate costs no extra query and can never disagree with
  the page.

A missing row (a test database emptied by a flush) reads as the model's defaults, in Python
and in SQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta

from django.db.models import DateTimeField, Func, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import access
from .models import ServicePolicy, User

_KEPT_AS = ("service-policy",)


@dataclass(frozen=True)
class Policy:
    review_interval_weeks: int
    hub_recent_triage_days: int
    caseload_target: int

    @property
    def review_interval(self) -> timedelta:
        return timedelta(weeks=self.review_interval_weeks)


FIELDS = tuple(f.name for f in fields(Policy))


def _default(name: str) -> int:
    return ServicePolicy._meta.get_field(name).default


DEFAULT = Policy(**{name: _default(name) for name in FIELDS})


def _read() -> Policy:
    row = ServicePolicy.objects.filter(pk=ServicePolicy.ONE).values(*FIELDS).first()
    return DEFAULT if row is None else Policy(**row)


def current() -> Policy:
    """The service's settings now: read once per request, afresh outside one."""
    return access.kept(_KEPT_AS, _read)


def forget() -> None:
    """Read the settings afresh from here on in this request (after a change)."""
    access.forget(_KEPT_AS)


def review_interval() -> timedelta:
    """A plan is reviewed this long after the later of its episode's start and the last review."""
    return current().review_interval


def hub_recent_triage_days() -> int:
    return current().hub_recent_triage_days


def caseload_target() -> int:
    """The number of open families a lead practitioner is expected to hold."""
    return current().caseload_target


# --- read by the database -------------------------------------------------------------------


def stored(name: str) -> Coalesce:
    """Setting `name` as the database reads it, inside the query that uses it (its default when
    the row is missing)."""
    row = ServicePolicy.objects.filter(pk=ServicePolicy.ONE).values(name)[:1]
    return Coalesce(Subquery(row), Value(_default(name)))


class _DaysBefore(Func):
    """A moment less a number of days, in SQL."""

    arity = 2
    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra):
        (moment, moment_params), (days, days_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return f"({moment} - make_interval(days => {days}))", [*moment_params, *days_params]


def hub_window_start(now) -> _DaysBefore:
    """The moment the hub's window after triage opened, as of `now`: a request (step-up,
    step-down, employment referral) decided since then keeps its family visible to the hub.
    Read by the database from the stored setting in the gate's own query."""
    return _DaysBefore(Value(now, output_field=DateTimeField()), stored("hub_recent_triage_days"))


# --- history --------------------------------------------------------------------------------

# How each setting is named and its value said in a sentence of the history.
SAID = {
    "review_interval_weeks": ("the review interval", lambda n: _count(n, "week")),
    "hub_recent_triage_days": (
        "how long the hub sees a family after triage",
        lambda n: _count(n, "day"),
    ),
    "caseload_target": ("the caseload target", lambda n: _count(n, "family", "families")),
}


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _when(at) -> str:
    local = timezone.localtime(at)
    return f"{local:%-d %B %Y} at {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class Change:
    at: object  # datetime
    by: object  # User, or None where no one signed in made it (the first settings)
    sentence: str


def history() -> list[Change]:
    """Every change to the service's settings, newest first, each as a sentence that says who
    changed what from what to what, and when ("Ann Admin changed the caseload target from 10
    families to 12 families on 7 December 2026 at 2:41pm"). Two queries."""
    events = list(
        ServicePolicy.pgh_event_model.objects.select_related("pgh_context").order_by("pgh_id")
    )
    ids = {_who(e) for e in events} - {None}
    people = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    out, before = [], None
    for e in events:
        who = people.get(_who(e))
        name = str(who) if who else None
        if e.pgh_label == "insert" or before is None:
            at = "to" if name else "at"
            values = _listed(
                [f"{said} {at} {show(getattr(e, f))}" for f, (said, show) in SAID.items()]
            )
            sentence = f"{name} set {values}" if name else f"The service started with {values}"
        else:
            parts = [
                f"{said} from {show(getattr(before, f))} to {show(getattr(e, f))}"
                for f, (said, show) in SAID.items()
                if getattr(before, f) != getattr(e, f)
            ]
            if not parts:
                before = e
                continue
            sentence = f"{name or 'Someone'} changed {_listed(parts)}"
        out.append(Change(e.pgh_created_at, who, f"{sentence} on {_when(e.pgh_created_at)}"))
        before = e
    return out[::-1]


def _who(event):
    context = event.pgh_context.metadata if event.pgh_context_id and event.pgh_context else None
    return (context or {}).get("user")
