"""The adaptive schedule and the shared poller's thread discipline."""

import math
import threading
import time

import pytest

from gpjob_widget.poller import (
    BACKOFF_CAP,
    FIRST_INTERVAL,
    MAX_INTERVAL,
    TAIL_GRACE,
    TAIL_INTERVAL,
    EndForecast,
    Poller,
    backoff,
    next_interval,
)


def test_interval_starts_quick_and_grows_to_the_cap():
    assert next_interval(0) == FIRST_INTERVAL
    intervals = [next_interval(s) for s in (0, 10, 30, 60, 600, 6000)]
    assert intervals == sorted(intervals)
    assert intervals[-1] == MAX_INTERVAL


def test_interval_is_brought_forward_to_the_expected_end():
    assert next_interval(600, until_end=(2.0, 7.0)) == 2.0
    assert next_interval(600, until_end=(0.1, 3.0)) == FIRST_INTERVAL
    # the end is due: checks every TAIL_INTERVAL until TAIL_GRACE after the latest forecast
    assert next_interval(600, until_end=(-1.0, 4.0)) == TAIL_INTERVAL
    assert next_interval(600, until_end=(-9.0, -TAIL_GRACE + 0.1)) == TAIL_INTERVAL
    assert next_interval(600, until_end=(-20.0, -TAIL_GRACE - 1)) == MAX_INTERVAL  # given up


def test_the_end_forecast_is_the_window_in_which_the_last_step_was_reached():
    forecast = EndForecast()
    assert forecast.until_end(0) is None
    for now, percent in ((0, 10), (10, 10), (20, 30), (30, 30), (40, 50)):
        forecast.observe(percent, now)
    # 1 %/s (20 % per 20 s between first sightings); 50 % reached between t=30 and t=40
    assert forecast.until_end(40) == (40.0, 50.0)
    forecast.observe(None, 45)  # a check without percent keeps the forecast
    assert forecast.until_end(45) == (35.0, 45.0)


def _watch_simulated(duration: float, percent_at) -> tuple[int, float, int]:
    """Checks of a job of *duration* s watched with the real schedule and forecast:
    (checks, seconds between its end and the check that saw it, checks after its 1st min)."""
    forecast, t, checks, late = EndForecast(), 0.0, 0, 0
    while True:
        checks += 1
        if t >= duration:
            return checks, t - duration, late
        late += t >= 60
        forecast.observe(percent_at(t), t)
        t += next_interval(t, until_end=forecast.until_end(t), probe_in=forecast.probe_in(t))


def test_steady_progress_is_forecast_to_about_a_second_with_few_checks():
    for duration in (150.0, 151.3, 152.7, 600.0, 611.1):
        steps = 30 if duration < 300 else 20
        _, late_by, after_first_minute = _watch_simulated(
            duration, lambda t, d=duration, n=steps: 100.0 * math.floor(t / d * n) / n)
        assert late_by <= 1.0, (duration, late_by)  # its end seen within about a second
        minutes = (duration - 60) / 60  # (a fixed 1 s poll: 60 a minute; the forecast of the
        # last step's window alone, as before: 9.7 on average over such jobs)
        assert after_first_minute / minutes <= (10.5 if duration < 300 else 7), duration


def test_a_probe_narrows_the_window_of_steady_progress():
    def truth(t: float) -> float:  # 10 % every 5 s from t = -1.7
        return 10.0 * math.floor((t + 1.7) / 5)

    forecast = EndForecast()
    last = 33
    for now in (0, 3, 9, 21, last):  # each change known only within the checks around it
        forecast.observe(truth(now), now)
    earliest, latest = forecast.until_end(last)
    assert latest - earliest > 2 * TAIL_INTERVAL  # too wide to wait for the end with
    due = forecast.probe_in(last)
    assert due is not None and 0 < due <= 5  # the next step is due within its period
    forecast.observe(truth(last + due), last + due)
    narrower = forecast.until_end(last + due)
    assert narrower[1] - narrower[0] < latest - earliest  # narrower (the rate refits too)
    assert narrower[0] <= 100 / 2 - 1.7 - (last + due) <= narrower[1]  # the true end is in it


def test_uneven_progress_falls_back_to_the_last_step_window():
    forecast = EndForecast()
    for now, percent in ((0, 0), (10, 10), (20, 80), (30, 80)):  # no steady pace
        forecast.observe(percent, now)
    assert forecast.probe_in(30) is None
    # 70 % in 10 s: 20 % more after 80 % reached between t=10 and t=20
    earliest, latest = forecast.until_end(30)
    assert (earliest, latest) == pytest.approx((10 + 20 / 7 - 30, 20 + 20 / 7 - 30))


def test_backoff_doubles_with_jitter_and_honours_retry_after():
    assert 0.8 <= backoff(1) <= 1.2
    assert 3.2 <= backoff(3) <= 4.8
    assert backoff(50) <= BACKOFF_CAP * 1.2
    assert backoff(1, retry_after=7) == 7
    assert backoff(1, retry_after=10_000) == 300


def _poller_threads():
    return [t for t in threading.enumerate() if t.name.startswith("gpjob-poller")]


def test_poller_runs_tasks_until_they_stop_and_threads_then_exit():
    poller = Poller(max_workers=3, idle_exit=0.3)
    runs = {"a": 0, "b": 0}

    def make(name, times):
        def task():
            runs[name] += 1
            return 0.01 if runs[name] < times else None
        return task

    poller.schedule(make("a", 5))
    poller.schedule(make("b", 3))
    deadline = time.monotonic() + 5
    while (runs["a"] < 5 or runs["b"] < 3) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runs == {"a": 5, "b": 3}
    deadline = time.monotonic() + 5
    while poller.threads and time.monotonic() < deadline:
        time.sleep(0.05)
    assert poller.threads == 0


def test_poller_bounds_its_threads_under_many_tasks():
    poller = Poller(max_workers=4, idle_exit=0.3)
    done = []
    peak = []

    def make(i):
        def task():
            peak.append(poller.threads)
            time.sleep(0.002)
            done.append(i)
        return task

    for i in range(200):
        poller.schedule(make(i))
    deadline = time.monotonic() + 10
    while len(done) < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(done) == list(range(200))
    assert max(peak) <= 4


def test_cancel_stops_rescheduling_and_wake_runs_now():
    poller = Poller(max_workers=2, idle_exit=0.3)
    calls = []
    handle = poller.schedule(lambda: calls.append(time.monotonic()) or 30.0)
    deadline = time.monotonic() + 3
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    poller.wake(handle)
    deadline = time.monotonic() + 3
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(calls) == 2  # woken long before its 30 s interval
    poller.cancel(handle)
    assert poller.pending == 0


def test_a_crashing_task_does_not_kill_the_poller():
    poller = Poller(max_workers=1, idle_exit=0.3)
    ok = []
    poller.schedule(lambda: 1 / 0)
    poller.schedule(lambda: ok.append(1))
    deadline = time.monotonic() + 3
    while not ok and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ok == [1]
