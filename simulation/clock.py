"""The simulation's clock: what `django.utils.timezone.now` answers while a year is played.

The services read the time only through `timezone.now()` and `timezone.localdate()` (which
calls `now()` itself), and `auto_now_add` fields do the same, so patching that one function
for the length of the run moves every service to the simulated day, with nothing in the
services changed and nothing patched outside the simulation. Each call answers a moment a
millisecond after the one before, from the hour of day set, so records keep their order.
(A few model fields take `db_default=Now()`: they keep the real time, and no service reads
them as the day's date.)
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock:
    def __init__(self, day: date, hour: int = 9):
        self.set(day, hour)

    def set(self, day: date, hour: int = 9) -> None:
        self.day = day
        self._start = datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(UTC)
        self._ticks = 0

    def now(self) -> datetime:
        self._ticks += 1
        return self._start + timedelta(milliseconds=self._ticks)


@contextmanager
def simulated(clock: Clock):
    """Within this, every service's `timezone.now()` is `clock.now()`."""
    with mock.patch("django.utils.timezone.now", clock.now):
        yield clock
