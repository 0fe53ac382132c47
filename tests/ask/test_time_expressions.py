"""The time grammar: relative expressions count from the data's last complete day R (here 2025-12-31, 昨天 = R)."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestration.ask.numerals import to_int
from orchestration.ask.timeexpr import TimeGrammar, load_promotions

R = dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("昨天", "2025-12-31", "2025-12-31"),
        ("前天", "2025-12-30", "2025-12-30"),
        ("近7天", "2025-12-25", "2025-12-31"),
        ("近十五天", "2025-12-17", "2025-12-31"),
        ("近三个月", "2025-10-01", "2025-12-31"),
        ("近三月", "2025-10-01", "2025-12-31"),
        ("上个月", "2025-12-01", "2025-12-31"),
        ("上周", "2025-12-22", "2025-12-28"),
        ("去年", "2025-01-01", "2025-12-31"),
        ("2025年3月", "2025-03-01", "2025-03-31"),
        ("二〇二五年三月", "2025-03-01", "2025-03-31"),
        ("3月份", "2025-03-01", "2025-03-31"),
        ("q1", "2025-01-01", "2025-03-31"),
        ("一季度", "2025-01-01", "2025-03-31"),
        ("双11", "2025-10-15", "2025-11-11"),
        ("双十一当天", "2025-11-11", "2025-11-11"),
        ("618", "2025-05-13", "2025-06-18"),
        ("2025-03-01到2025-03-31", "2025-03-01", "2025-03-31"),
    ],
)
def test_time_expression(text: str, start: str, end: str) -> None:
    (match,) = TimeGrammar(R, load_promotions()).find(text)
    assert (match.period.start.isoformat(), match.period.end.isoformat()) == (start, end)


def test_promotions_come_from_the_calendar_seed_and_compare_with_last_years() -> None:
    (match,) = TimeGrammar(R, load_promotions()).find("去年双11")
    last_year = match.period.year_ago(load_promotions())
    assert (last_year.start, last_year.end) == (dt.date(2024, 10, 14), dt.date(2024, 11, 11))


def test_as_of_moves_every_relative_expression() -> None:
    (match,) = TimeGrammar(dt.date(2025, 6, 15), load_promotions()).find("上个月")
    assert (match.period.start, match.period.end) == (dt.date(2025, 5, 1), dt.date(2025, 5, 31))


def test_previous_period_of_a_month_is_the_previous_month() -> None:
    (match,) = TimeGrammar(R, load_promotions()).find("2025年3月")
    previous = match.period.previous()
    assert (previous.start, previous.end) == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", 10),
        ("十五", 15),
        ("二十三", 23),
        ("两", 2),
        ("一百零五", 105),
        ("二〇二五", 2025),
        ("12", 12),
        ("abc", None),
    ],
)
def test_chinese_numerals(text: str, value: int | None) -> None:
    assert to_int(text) == value
