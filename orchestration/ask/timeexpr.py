"""Chinese time expressions → date ranges: a small tested grammar (tests/ask/test_time_expressions.py).

Everything counts from the data's last complete day R (the report's 数据截至, `metrics.report_meta.data_as_of`),
never from the clock: 昨天 is R (the day the report calls 昨日), 今天 is R + 1 (no complete data yet), 近7天 is the
seven days ending on R, and 本周 / 本月 / 今年 / 上个月 / 去年 are the calendar periods of "today" (R + 1), cut off at
R. A month, quarter or promotion named without a year (3月份, 一季度, 双11) is its latest occurrence that started
on or before R. Promotions (双11, 618, 年货节 …) come from the promotion calendar seed (seeds/promotion_calendar.csv,
the same calendar `dim_dates` carries).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ask.numerals import NUMBER_PATTERN, to_int
from orchestration.settings import PROJECT_ROOT

PROMOTION_CALENDAR = PROJECT_ROOT / "seeds" / "promotion_calendar.csv"

# how operators write the calendar's promotion names (seed `promotion_name` → the spellings they use)
PROMOTION_SPELLINGS: dict[str, tuple[str, ...]] = {
    "双11": ("双11", "双十一", "双11大促", "双十一大促", "11.11"),
    "双12": ("双12", "双十二", "12.12"),
    "618": ("618", "六一八", "618大促"),
    "38节": ("38节", "三八节", "女王节", "38大促"),
    "年货节": ("年货节",),
    "春节": ("春节", "过年"),
}


@dataclass(frozen=True)
class Promotion:
    key: str
    name: str
    start: dt.date
    end: dt.date
    peak: dt.date


def load_promotions(path: Path = PROMOTION_CALENDAR) -> list[Promotion]:
    with path.open(encoding="utf-8") as handle:
        return [
            Promotion(
                row["promotion_key"],
                row["promotion_name"],
                dt.date.fromisoformat(row["start_date"]),
                dt.date.fromisoformat(row["end_date"]),
                dt.date.fromisoformat(row["peak_date"]),
            )
            for row in csv.DictReader(handle)
        ]


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_range(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    return start, add_months(start, 3) - dt.timedelta(days=1)


def one_year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """A date range (inclusive) and what kind of period it is, so 环比 and 同比 know what to compare with."""

    start: dt.date
    end: dt.date
    label: str
    unit: str
    """day, week, month, quarter, year (calendar periods), days (a run of N days), months (N months ending on a
    day), promotion or range."""
    promotion: str | None = None
    months: int = 0

    def describe(self) -> str:
        span = str(self.start) if self.start == self.end else f"{self.start} 至 {self.end}"
        return f"{self.label}（{span}）"

    def previous(self) -> Period:
        """The period before this one, of the same kind (环比): the previous month of a month, the 7 days before
        a run of 7 days."""
        if self.unit in ("month", "quarter", "year"):
            months = {"month": 1, "quarter": 3, "year": 12}[self.unit]
            start = add_months(self.start, -months)
            full_end = add_months(self.start, 0) - dt.timedelta(days=1)
            # a period cut off at R compares with the same number of days of the previous one
            length = (self.end - self.start).days
            full_length = (add_months(self.start, months) - dt.timedelta(days=1) - self.start).days
            end = full_end if length >= full_length else min(full_end, start + dt.timedelta(days=length))
            return Period(start, end, "上期", self.unit)
        if self.unit == "months":
            start = add_months(self.end + dt.timedelta(days=1), -2 * self.months)
            return Period(start, self.start - dt.timedelta(days=1), "上期", self.unit, months=self.months)
        length = (self.end - self.start).days + 1
        return Period(self.start - dt.timedelta(days=length), self.start - dt.timedelta(days=1), "上期", self.unit)

    def year_ago(self, promotions: list[Promotion]) -> Period:
        """The same period one year earlier (同比); a promotion compares with the same promotion a year earlier."""
        if self.promotion:
            earlier = [p for p in promotions if p.name == self.promotion and p.start.year == self.start.year - 1]
            if earlier:
                promotion = earlier[0]
                if self.start == self.end:  # the peak day
                    return Period(promotion.peak, promotion.peak, "去年同期", "day", promotion.name)
                return Period(promotion.start, promotion.end, "去年同期", "promotion", promotion.name)
        if self.unit in ("month", "quarter", "year") and self.end == _period_end(self.start, self.unit):
            return Period(
                one_year_earlier(self.start),
                _period_end(one_year_earlier(self.start), self.unit),
                "去年同期",
                self.unit,
            )
        return Period(one_year_earlier(self.start), one_year_earlier(self.end), "去年同期", self.unit)


def _period_end(start: dt.date, unit: str) -> dt.date:
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    return add_months(start, months) - dt.timedelta(days=1)


@dataclass
class TimeMatch:
    start: int
    end: int
    period: Period
    notes: list[str] = field(default_factory=list)


NUMBER = NUMBER_PATTERN
YEAR = r"(\d{4}|[零〇一二三四五六七八九]{4})"
QUARTER_WORD = r"(?:第?([一二三四1-4])季度|q([1-4]))"
RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": -1, "上一年": -1, "前年": -2}


class TimeGrammar:
    """Finds the time expressions of a question (normalised: NFKC, lower case, no spaces)."""

    def __init__(self, as_of: dt.date, promotions: list[Promotion]) -> None:
        self.as_of = as_of
        self.today = as_of + dt.timedelta(days=1)
        self.promotions = promotions
        spellings = sorted(
            ((spelling, name) for name, names in PROMOTION_SPELLINGS.items() for spelling in names),
            key=lambda item: -len(item[0]),
        )
        self.promotion_names = dict(spellings)
        promotion_alternatives = "|".join(re.escape(s) for s, _ in spellings)
        year_prefix = r"(今年|本年|去年|上一年|前年|\d{4}年)?的?"
        self.rules: list[tuple[re.Pattern[str], object]] = [
            (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:到|至|~|-)(\d{4})-(\d{1,2})-(\d{1,2})"), self._iso_range),
            (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), self._iso_day),
            (re.compile(year_prefix + f"({promotion_alternatives})(当天|当日|那天)?"), self._promotion),
            (
                re.compile(
                    YEAR + r"年(\d{1,2}|[一二三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})[日号]"
                ),
                self._year_month_day,
            ),
            (re.compile(YEAR + r"年(\d{1,2}|[一二三四五六七八九十]{1,3})月份?"), self._year_month),
            (re.compile(YEAR + r"年?的?" + QUARTER_WORD), self._year_quarter),
            (re.compile(r"(今年|本年|去年|上一年|前年)的?" + QUARTER_WORD), self._relative_year_quarter),
            (
                re.compile(r"(今年|本年|去年|上一年|前年)的?(\d{1,2}|[一二三四五六七八九十]{1,3})月份?"),
                self._relative_year_month,
            ),
            (re.compile(YEAR + r"年(?:度|全年)?"), self._whole_year),
            (re.compile(r"(?:近|最近|过去|前)(" + NUMBER + r"|半)(个)?(天|日|周|星期|礼拜|月|年)"), self._rolling),
            (
                re.compile(
                    r"(?<![0-9一二三四五六七八九十])(\d{1,2}|[一二三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})[日号]"
                ),
                self._month_day,
            ),
            (
                re.compile(r"(?<![0-9一二三四五六七八九十年])(\d{1,2}|[一二三四五六七八九十]{1,3})月份?(?!\d)"),
                self._bare_month,
            ),
            (re.compile(r"(?<![0-9年])" + QUARTER_WORD), self._bare_quarter),
            (
                re.compile(
                    r"(上上个月|上上月|上个月|上月|上一个月|本月|这个月|当月|这月|本周|这周|这一周|这个星期|本星期|"
                    r"上周|上一周|上个星期|上星期|上个礼拜|本季度|这个季度|这季度|上季度|上个季度|上一季度|"
                    r"今年以来|年初至今|今年|本年|去年|上一年|前年|昨天|昨日|今天|今日|前天)"
                ),
                self._relative,
            ),
        ]

    # each handler returns a Period (or raises ValueError for a date that does not exist)
    def find(self, text: str) -> list[TimeMatch]:
        taken = [False] * len(text)
        matches: list[TimeMatch] = []
        for pattern, handler in self.rules:
            for m in pattern.finditer(text):
                if any(taken[m.start() : m.end()]):
                    continue
                result = handler(m)  # type: ignore[operator]
                if result is None:
                    continue
                period, notes = result if isinstance(result, tuple) else (result, [])
                for i in range(m.start(), m.end()):
                    taken[i] = True
                matches.append(TimeMatch(m.start(), m.end(), period, list(notes)))
        return sorted(matches, key=lambda match: match.start)

    # --- helpers
    def _latest_start(self, candidates: list[tuple[dt.date, dt.date]]) -> tuple[dt.date, dt.date]:
        started = [c for c in candidates if c[0] <= self.as_of]
        return max(started) if started else min(candidates)

    def _relative_year(self, word: str | None) -> int | None:
        if not word:
            return None
        if word in RELATIVE_YEARS:
            return self.today.year + RELATIVE_YEARS[word]
        return int(word[:4])

    # --- handlers
    def _iso_range(self, m: re.Match[str]) -> Period:
        start = dt.date(int(m[1]), int(m[2]), int(m[3]))
        end = dt.date(int(m[4]), int(m[5]), int(m[6]))
        return Period(start, end, f"{start} 至 {end}", "range")

    def _iso_day(self, m: re.Match[str]) -> Period:
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        return Period(day, day, str(day), "day")

    def _promotion(self, m: re.Match[str]) -> Period | None:
        name = self.promotion_names[m[2]]
        year = self._relative_year(m[1])
        candidates = [p for p in self.promotions if p.name == name and (year is None or p.start.year == year)]
        if not candidates:
            return None
        if year is None:
            started = [p for p in candidates if p.start <= self.as_of]
            promotion = max(started, key=lambda p: p.start) if started else min(candidates, key=lambda p: p.start)
        else:
            promotion = candidates[0]
        if m[3]:
            return Period(promotion.peak, promotion.peak, f"{promotion.start.year}年{name}当天", "day", name)
        return Period(promotion.start, promotion.end, f"{promotion.start.year}年{name}", "promotion", name)

    def _year_month_day(self, m: re.Match[str]) -> Period:
        day = dt.date(self._number(m[1]), self._number(m[2]), self._number(m[3]))
        return Period(day, day, str(day), "day")

    def _year_month(self, m: re.Match[str]) -> Period | None:
        year, month = self._number(m[1]), self._number(m[2])
        if not 1 <= month <= 12:
            return None
        start, end = month_range(year, month)
        return Period(start, end, f"{year}年{month}月", "month")

    def _year_quarter(self, m: re.Match[str]) -> Period:
        year = self._number(m[1])
        quarter = self._number(m[2] or m[3])
        start, end = quarter_range(year, quarter)
        return Period(start, end, f"{year}年第{quarter}季度", "quarter")

    def _relative_year_quarter(self, m: re.Match[str]) -> Period:
        year = self.today.year + RELATIVE_YEARS[m[1]]
        quarter = self._number(m[2] or m[3])
        start, end = quarter_range(year, quarter)
        return Period(start, end, f"{year}年第{quarter}季度", "quarter")

    def _relative_year_month(self, m: re.Match[str]) -> Period | None:
        year, month = self.today.year + RELATIVE_YEARS[m[1]], self._number(m[2])
        if not 1 <= month <= 12:
            return None
        start, end = month_range(year, month)
        return Period(start, end, f"{year}年{month}月", "month")

    @staticmethod
    def _number(text: str) -> int:
        """A year, month, day or quarter number (Arabic or Chinese)."""
        value = to_int(text)
        if value is None:
            raise ValueError(text)
        return value

    def _whole_year(self, m: re.Match[str]) -> Period:
        year = self._number(m[1])
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年", "year")

    def _rolling(self, m: re.Match[str]) -> Period | None:
        count = 0.5 if m[1] == "半" else to_int(m[1])
        unit = m[3]
        if not count:
            return None
        end = self.as_of
        if unit in ("天", "日"):
            start = end - dt.timedelta(days=int(count) - 1)
            return Period(start, end, f"近{int(count)}天", "days")
        if unit in ("周", "星期", "礼拜"):
            start = end - dt.timedelta(days=7 * int(count) - 1)
            return Period(start, end, f"近{int(count)}周", "days")
        months = 6 if count == 0.5 else int(count) * (12 if unit == "年" else 1)
        start = add_months(end + dt.timedelta(days=1), -months)
        label = "近半年" if count == 0.5 and unit == "年" else f"近{months}个月"
        return Period(start, end, label, "months", months=months)

    def _month_day(self, m: re.Match[str]) -> Period | None:
        month, day_number = self._number(m[1]), self._number(m[2])
        try:
            candidates = [dt.date(y, month, day_number) for y in (self.today.year, self.today.year - 1)]
        except ValueError:
            return None
        day = self._latest_start([(c, c) for c in candidates])[0]
        return Period(day, day, str(day), "day")

    def _bare_month(self, m: re.Match[str]) -> Period | None:
        month = self._number(m[1])
        if not 1 <= month <= 12:
            return None
        start, end = self._latest_start([month_range(y, month) for y in (self.today.year, self.today.year - 1)])
        return Period(start, end, f"{start.year}年{month}月", "month")

    def _bare_quarter(self, m: re.Match[str]) -> Period:
        quarter = self._number(m[1] or m[2])
        start, end = self._latest_start([quarter_range(y, quarter) for y in (self.today.year, self.today.year - 1)])
        return Period(start, end, f"{start.year}年第{quarter}季度", "quarter")

    def _relative(self, m: re.Match[str]) -> Period:
        word, today = m[1], self.today
        if word in ("昨天", "昨日"):
            return Period(self.as_of, self.as_of, "昨天", "day")
        if word in ("今天", "今日"):
            return Period(today, today, "今天", "day")
        if word == "前天":
            day = self.as_of - dt.timedelta(days=1)
            return Period(day, day, "前天", "day")
        if word in ("本周", "这周", "这一周", "这个星期", "本星期", "上周", "上一周", "上个星期", "上星期", "上个礼拜"):
            monday = today - dt.timedelta(days=today.weekday())
            if word.startswith("上"):
                monday -= dt.timedelta(days=7)
                return Period(monday, monday + dt.timedelta(days=6), "上周", "week")
            return Period(monday, monday + dt.timedelta(days=6), "本周", "week")
        if "月" in word:
            offset = {"上上个月": -2, "上上月": -2, "上个月": -1, "上月": -1, "上一个月": -1}.get(word, 0)
            first = add_months(today.replace(day=1), offset)
            start, end = month_range(first.year, first.month)
            return Period(start, end, {-2: "上上个月", -1: "上个月", 0: "本月"}[offset], "month")
        if "季度" in word:
            quarter = (today.month - 1) // 3 + 1
            start, end = quarter_range(today.year, quarter)
            if word.startswith("上"):
                start = add_months(start, -3)
                end = add_months(start, 3) - dt.timedelta(days=1)
                return Period(start, end, "上季度", "quarter")
            return Period(start, end, "本季度", "quarter")
        year = today.year + RELATIVE_YEARS.get(word, 0)
        label = {0: "今年", -1: "去年", -2: "前年"}[year - today.year]
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), label, "year")
