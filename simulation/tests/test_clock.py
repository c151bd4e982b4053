"""The simulation's clock moves every service to the simulated day, and only while it runs."""

from datetime import date

from django.utils import timezone

from simulation.clock import Clock, simulated


def test_services_read_the_simulated_day_and_time_moves_on():
    clock = Clock(date(2027, 1, 4), hour=9)
    with simulated(clock):
        assert timezone.localdate() == date(2027, 1, 4)
        first, second = timezone.now(), timezone.now()
        assert second > first
        assert timezone.localtime(first).hour == 9
        clock.set(date(2027, 1, 5), hour=2)
        assert timezone.localdate() == date(2027, 1, 5)
    assert timezone.localdate() != date(2027, 1, 5)
