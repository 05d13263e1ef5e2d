"""Unit tests for the schedule/SLA/time-zone parsers and the session-time calculator."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dig_lsp.model import schedule as s
from dig_lsp.model.schedule import ScheduleError

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2024, 1, 31, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo


def test_java_split_drops_trailing_empty_strings_only() -> None:
    assert s.java_split("07:00:", ":") == ["07", "00"]
    assert s.java_split(":07:00", ":") == ["", "07", "00"]
    assert s.java_split("", ":") == [""]
    assert s.java_split("1,2,3", ",", 2) == ["1", "2,3"]


def test_java_parse_int() -> None:
    assert s.java_parse_int("+5") == 5
    assert s.java_parse_int("-07") == -7
    assert s.java_parse_int(" 5") is None
    assert s.java_parse_int("2147483648") is None
    assert s.java_parse_int("") is None


def test_java_text_reads_scalars_as_jackson_does() -> None:
    assert s.java_text(7) == "7"
    assert s.java_text(True) == "true"
    assert s.java_text(None) is None
    with pytest.raises(ScheduleError):
        s.java_text({"a": 1})


@pytest.mark.parametrize(("text", "delay"), [("30:00", 1800), ("09:00", 540), ("75:00", 4500), ("00:05:", 5)])
def test_hourly_at(text: str, delay: int) -> None:
    assert s.parse_hourly_at(text) == delay


@pytest.mark.parametrize("text", ["10:11:12", "10", "aa:00", "10: 00"])
def test_hourly_at_rejects(text: str) -> None:
    with pytest.raises(ScheduleError, match="hourly>: scheduler requires mm:ss format"):
        s.parse_hourly_at(text)


def test_daily_at_accepts_out_of_range_numbers() -> None:
    assert s.parse_daily_at("07:00:00") == 7 * 3600
    assert s.parse_daily_at("25:00:00") == 25 * 3600
    with pytest.raises(ScheduleError, match="daily> scheduler requires hh:mm:ss format: 7:00"):
        s.parse_daily_at("7:00")


def test_weekly_at() -> None:
    assert s.parse_weekly_at("Sun, 10:00:00") == ("Sun", 36000)
    assert s.parse_weekly_at("mon-fri,01:00:00") == ("mon-fri", 3600)
    assert s.parse_weekly_at("7,00:00:00") == ("7", 0)
    with pytest.raises(ScheduleError, match="invalid day: -1"):
        s.parse_weekly_at("-1,10:00:00")
    with pytest.raises(ScheduleError, match="day,hh:mm:ss"):
        s.parse_weekly_at("Sunday,10:00:00")
    with pytest.raises(ScheduleError, match="weekly> scheduler requires hh:mm:ss"):
        s.parse_weekly_at("Sun,10:00")


def test_monthly_at_is_not_trimmed_and_checks_the_day() -> None:
    assert s.parse_monthly_at("1,09:00:00") == (1, 9 * 3600)
    with pytest.raises(ScheduleError):
        s.parse_monthly_at(" 1,09:00:00")
    with pytest.raises(ScheduleError, match="days of month"):
        s.parse_monthly_at("0,09:00:00")


def test_cron4j_parsing() -> None:
    pattern = s.parse_cron4j("*/20 22-2 L jan-mar 7|0 5 * * *")
    first, second = pattern.alternatives
    assert first[0].values == (0, 20, 40)
    assert first[1].values == (22, 23, 0, 1, 2)  # wrap-around range
    assert first[2].values == (s.LAST_DAY_OF_MONTH,)
    assert first[3].values == (1, 2, 3)
    assert first[4].values == (0,)  # 7 is Sunday
    assert second[2].any
    assert s.croniter_expressions(pattern) == ["0,20,40 0,1,2,22,23 L 1,2,3 0", "0 5 * * *"]


@pytest.mark.parametrize("text", ["0 25 * * *", "0 9 * *", "*/0 * * * *", "0 0 0 * *", "0 0 * * 8", "", "|",
                                  "0 0 * * sunday", "0 0 * 13 *"])
def test_cron4j_rejects(text: str) -> None:
    with pytest.raises(ScheduleError):
        s.parse_cron4j(text)


def test_duration() -> None:
    assert s.parse_duration("1d 2h") == timedelta(days=1, hours=2)
    assert s.parse_duration("30S") == timedelta(seconds=30)
    assert s.parse_duration(" 3m ") == timedelta(minutes=3)
    for bad in ("30", "", "1m 1h", "1.5h", "\uff11m"):
        with pytest.raises(ScheduleError):
            s.parse_duration(bad)


def test_schedule_date_is_strict() -> None:
    assert s.parse_schedule_date("2024-02-29") == date(2024, 2, 29)
    for bad in ("2023-02-29", "2024-1-05", "20240105", "2024-01-05T00:00"):
        with pytest.raises(ScheduleError):
            s.parse_schedule_date(bad)


def test_sla_time() -> None:
    assert s.parse_sla_time("02:02") == (2, 2, 0)
    assert s.parse_sla_time("00:00:05") == (0, 0, 5)
    for bad in ("${TIME}", "30m", "5", "1:2:3:4"):
        with pytest.raises(ScheduleError, match="HH:MM or HH:MM:SS"):
            s.parse_sla_time(bad)


@pytest.mark.parametrize(("text", "offset"), [
    ("Z", 0), ("UTC", 0), ("GMT", 0), ("+09:00", 9 * 3600), ("UTC+9", 9 * 3600), ("-0530", -19800),
    ("GMT-03:30", -12600), ("UT+01", 3600), ("+18:00", 18 * 3600),
])
def test_zone_offsets(text: str, offset: int) -> None:
    assert s.parse_zone_id(text).utcoffset(NOW) == timedelta(seconds=offset)


def test_zone_regions() -> None:
    assert s.parse_zone_id(" Asia/Tokyo ") == TOKYO
    for bad in ("Asia/Tokio", "asia/tokyo", "JST", "+19:00", "UTC+9:00", "+9:0", "X", "Factory"):
        with pytest.raises(ScheduleError):
            s.parse_zone_id(bad)


def _sessions(type_name: str, command: object, params: dict[str, object], count: int = 3) -> list[tuple[str, str]]:
    parsed = s.build_schedule(type_name, command, params)
    return [(t.session_time.isoformat(), t.run_time.isoformat())
            for t in s.next_session_times(parsed, TOKYO, NOW, count)]


def test_daily_session_time_is_midnight_and_runs_after_the_delay() -> None:
    assert _sessions("daily", "07:00:00", {}, 2) == [
        ("2024-02-01T00:00:00+09:00", "2024-02-01T07:00:00+09:00"),
        ("2024-02-02T00:00:00+09:00", "2024-02-02T07:00:00+09:00"),
    ]


def test_hourly_first_session_is_the_current_hour_when_its_run_is_still_ahead() -> None:
    assert _sessions("hourly", "30:00", {}, 1) == [("2024-01-31T21:00:00+09:00", "2024-01-31T21:30:00+09:00")]


def test_cron_uses_and_of_day_fields() -> None:
    # Friday the 13th: cron4j needs both the day of month and the day of week to match.
    assert [session for session, _ in _sessions("cron", "0 0 13 * fri", {}, 2)] == [
        "2024-09-13T00:00:00+09:00", "2024-12-13T00:00:00+09:00"]


def test_minutes_interval_step_beyond_the_hour_means_once_an_hour() -> None:
    assert [session[11:16] for session, _ in _sessions("minutes_interval", 90, {}, 2)] == ["21:00", "22:00"]


def test_seconds_interval_counts_from_the_epoch() -> None:
    assert _sessions("seconds_interval", 7, {"delay": 1}, 1) == [
        ("2024-01-31T21:00:03+09:00", "2024-01-31T21:00:04+09:00")]


def test_start_and_inclusive_end() -> None:
    sessions = _sessions("daily", "07:00:00", {"start": "2024-02-03", "end": "2024-02-04"}, 5)
    assert [session[:10] for session, _ in sessions] == ["2024-02-03", "2024-02-04"]


def test_build_schedule_fields() -> None:
    parsed = s.build_schedule("weekly", None, {"at": "Sun,10:00:00", "skip_delayed_by": "1h",
                                               "skip_on_overtime": "true"})
    assert parsed.delay == 36000
    assert parsed.skip_on_overtime
    assert parsed.skip_delayed_by == timedelta(hours=1)
    assert parsed.cron is not None
    assert parsed.cron.text == "0 0 * * Sun"


@pytest.mark.parametrize(("type_name", "command", "params"), [
    ("nope", "x", {}),
    ("daily", None, {}),
    ("minutes_interval", "x", {}),
    ("seconds_interval", 0, {}),
    ("cron", "0 0 * * *", {"delay": "10s"}),
    ("daily", "07:00:00", {"start": "2024-02-02", "end": "2024-02-01"}),
    ("daily", "07:00:00", {"skip_on_overtime": "yes"}),
])
def test_build_schedule_rejects(type_name: str, command: object, params: dict[str, object]) -> None:
    with pytest.raises(ScheduleError):
        s.build_schedule(type_name, command, params)
