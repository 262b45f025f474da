"""Cron lines in named zones: weekday numbers, DST transitions, period keys, last due slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from digest.errors import ConfigError
from digest.plugins import load_settings
from digest.schedule import describe, last_due_slot, next_slots, parse_cadence, period_key


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def weekdays(expr: str, zone: str = "UTC") -> list[str]:
    cadence = parse_cadence(expr, zone)
    slots = next_slots(cadence, utc(2026, 6, 1), 7)  # 2026-06-01 is a Monday
    return sorted({s.astimezone(ZoneInfo(zone)).strftime("%a") for s in slots})


@pytest.mark.parametrize(
    ("expr", "days"),
    [
        ("0 9 * * 1", ["Mon"]),
        ("0 9 * * mon", ["Mon"]),
        ("0 9 * * Monday", ["Mon"]),
        ("0 9 * * 0", ["Sun"]),
        ("0 9 * * 7", ["Sun"]),
        ("0 9 * * sun", ["Sun"]),
        ("0 9 * * 5", ["Fri"]),
        ("0 9 * * 1-5", ["Fri", "Mon", "Thu", "Tue", "Wed"]),
        ("0 9 * * mon-fri", ["Fri", "Mon", "Thu", "Tue", "Wed"]),
        ("0 9 * * 6,0", ["Sat", "Sun"]),
        ("0 9 * * sat,sun", ["Sat", "Sun"]),
        ("0 9 * * 5-7", ["Fri", "Sat", "Sun"]),
    ],
)
def test_weekday_numbers_and_names_mean_what_standard_cron_says(expr: str, days: list[str]) -> None:
    # APScheduler 3's from_crontab would put "1" on Tuesday; we must not.
    assert weekdays(expr) == sorted(days)


def test_monday_means_local_monday_in_seoul_although_it_is_sunday_in_utc() -> None:
    cadence = parse_cadence("0 8 * * 1", "Asia/Seoul")  # 08:00 KST is 23:00 UTC the day before
    slots = next_slots(cadence, utc(2026, 6, 1), 3)
    assert slots == [utc(2026, 6, 7, 23), utc(2026, 6, 14, 23), utc(2026, 6, 21, 23)]
    assert all(s.strftime("%a") == "Sun" for s in slots)  # in UTC
    keys = [period_key(cadence, s) for s in slots]
    assert keys == ["weekly:2026-W24", "weekly:2026-W25", "weekly:2026-W26"]


def test_seoul_has_no_dst_so_utc_times_never_move_all_year() -> None:
    cadence = parse_cadence("0 9 * * 1", "Asia/Seoul")
    slots = next_slots(cadence, utc(2026, 1, 1), 53)
    assert {s.strftime("%H:%M") for s in slots} == {"00:00"}
    assert len({period_key(cadence, s) for s in slots}) == 53


def test_new_york_keeps_nine_oclock_wall_time_across_both_dst_changes() -> None:
    cadence = parse_cadence("0 9 * * 1", "America/New_York")
    spring = next_slots(cadence, utc(2026, 3, 1), 2)  # DST starts Sunday 2026-03-08
    assert spring == [utc(2026, 3, 2, 14), utc(2026, 3, 9, 13)]
    autumn = next_slots(cadence, utc(2026, 10, 26), 2)  # DST ends Sunday 2026-11-01
    assert autumn == [utc(2026, 10, 26, 13), utc(2026, 11, 2, 14)]
    zone = ZoneInfo("America/New_York")
    assert {s.astimezone(zone).strftime("%H:%M") for s in spring + autumn} == {"09:00"}


def test_new_york_spring_forward_runs_a_missing_time_once_an_hour_later() -> None:
    cadence = parse_cadence("30 2 * * sun", "America/New_York")  # 02:30 does not exist on 2026-03-08
    slots = next_slots(cadence, utc(2026, 3, 7), 2)
    assert slots[0] == utc(2026, 3, 8, 7, 30)  # 03:30 EDT
    assert slots[1] - slots[0] == timedelta(days=7) - timedelta(hours=1)


def test_new_york_fall_back_double_fire_is_one_period() -> None:
    cadence = parse_cadence("30 1 * * sun", "America/New_York")  # 01:30 happens twice on 2026-11-01
    slots = next_slots(cadence, utc(2026, 10, 31), 3)
    assert slots[:2] == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)]
    assert period_key(cadence, slots[0]) == period_key(cadence, slots[1]) == "weekly:2026-W44"
    assert period_key(cadence, slots[2]) == "weekly:2026-W45"


def test_berlin_fall_back_double_fire_is_one_period_and_last_due_slot_handles_the_fold() -> None:
    cadence = parse_cadence("30 2 * * sun", "Europe/Berlin")  # 02:30 twice on 2026-10-25
    slots = next_slots(cadence, utc(2026, 10, 24), 3)
    assert slots[:2] == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)]
    assert {period_key(cadence, s) for s in slots[:2]} == {"weekly:2026-W43"}
    # Inside the repeated hour (02:45 CET, the second time round) the last slot is the second fire.
    assert last_due_slot(cadence, utc(2026, 10, 25, 1, 45)) == utc(2026, 10, 25, 1, 30)
    assert last_due_slot(cadence, utc(2026, 10, 25, 1, 0)) == utc(2026, 10, 25, 0, 30)


def test_berlin_spring_forward_fires_once_at_the_shifted_time() -> None:
    cadence = parse_cadence("30 2 * * sun", "Europe/Berlin")  # 02:30 does not exist on 2026-03-29
    slots = next_slots(cadence, utc(2026, 3, 28), 2)
    assert slots == [utc(2026, 3, 29, 1, 30), utc(2026, 4, 5, 0, 30)]
    assert period_key(cadence, slots[0]) == "weekly:2026-W13"


def test_daily_schedule_in_the_repeated_hour_is_one_period_a_day() -> None:
    cadence = parse_cadence("30 1 * * *", "America/New_York")
    slots = next_slots(cadence, utc(2026, 10, 31, 12), 3)
    keys = [period_key(cadence, s) for s in slots]
    assert keys == ["daily:2026-11-01", "daily:2026-11-01", "daily:2026-11-02"]


def test_last_due_slot_after_a_three_week_gap_is_the_latest_one() -> None:
    cadence = parse_cadence("0 9 * * 1", "Europe/Berlin")
    now = utc(2026, 6, 23, 12)  # Tuesday, three weeks after the Monday 2026-06-01 edition
    assert last_due_slot(cadence, now) == utc(2026, 6, 22, 7)
    assert last_due_slot(cadence, utc(2026, 6, 22, 6, 59)) == utc(2026, 6, 15, 7)


def test_monthly_and_other_kinds_of_keys() -> None:
    monthly = parse_cadence("0 8 1 * *", "UTC")
    assert period_key(monthly, utc(2026, 7, 1, 8)) == "monthly:2026-07"
    twice = parse_cadence("0 8 * * mon,thu", "UTC")
    assert period_key(twice, utc(2026, 7, 2, 8)) == "slot:2026-07-02T08:00"


def test_describe_in_plain_words() -> None:
    assert describe(parse_cadence("0 9 * * 1", "Asia/Seoul")) == "every Monday at 09:00 (Asia/Seoul)"
    assert describe(parse_cadence("30 17 * * fri", "UTC")) == "every Friday at 17:30 (UTC)"
    assert describe(parse_cadence("0 8 1 * *", "UTC")) == "on day 1 of the month at 08:00 (UTC)"


@pytest.mark.parametrize(
    ("values", "key", "words"),
    [
        ({"DIGEST_SCHEDULE": "0 9 * *"}, "DIGEST_SCHEDULE", "4 fields"),
        ({"DIGEST_SCHEDULE": "0 9 * * funday"}, "DIGEST_SCHEDULE", "not a valid cron line"),
        ({"DIGEST_SCHEDULE": "0 9 31 2 *"}, "DIGEST_SCHEDULE", "never fires"),
        ({"DIGEST_SCHEDULE": "0 9 1 * 1"}, "DIGEST_SCHEDULE", "not both"),
        ({"DIGEST_SOCIAL_SCHEDULE": "0 25 * * *"}, "DIGEST_SOCIAL_SCHEDULE", "not a valid cron line"),
        ({"DIGEST_TIMEZONE": "Mars/Olympus"}, "DIGEST_TIMEZONE", "IANA"),
        ({"DIGEST_MAX_LATENESS": "two days"}, "DIGEST_MAX_LATENESS", "48h"),
        ({"DIGEST_MAX_LATENESS": "0h"}, "DIGEST_MAX_LATENESS", "longer than zero"),
        ({"DIGEST_ALERT_EMAIL": "office"}, "DIGEST_ALERT_EMAIL", "not"),
    ],
)
def test_bad_schedule_settings_name_the_key(values: dict[str, str], key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"DIGEST_SOURCES": "content", **values}, read_dotenv=False)
    assert caught.value.key == key
    assert words in str(caught.value)


def test_lateness_units() -> None:
    base = {"DIGEST_SOURCES": "content"}
    for raw, hours in (("48h", 48), ("2d", 48), ("90m", 1.5), ("36", 36), ("1.5d", 36)):
        s = load_settings(environ={**base, "DIGEST_MAX_LATENESS": raw}, read_dotenv=False)
        assert s.max_lateness == timedelta(hours=hours), raw
    assert load_settings(environ=base, read_dotenv=False).max_lateness == timedelta(hours=48)
