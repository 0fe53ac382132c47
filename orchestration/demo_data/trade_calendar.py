"""The rhythm of Tmall trade: weekdays, seasons, shopping festivals, Spring Festival, hours of the day.

Festivals are placed by calendar rules, so any start date works: 年货节 before the Spring Festival, 38节, 618
(June 1-18, peak on the 18th), 双11 (November 1-11, the biggest day of the year on the 11th) and 双12.
Warehouses close over the Spring Festival, so shipping pauses there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

SPRING_FESTIVAL = {
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
}

WEEKDAY_FACTOR = (1.02, 0.98, 0.96, 0.95, 0.93, 1.03, 1.13)  # Monday .. Sunday
MONTH_FACTOR = (1.0, 0.85, 0.95, 0.95, 1.0, 1.0, 0.9, 0.9, 0.95, 1.0, 1.05, 1.05)
ANNUAL_GROWTH = 0.15

# share of a day's orders per hour: quiet at night, busy late morning and in the evening
HOURLY = np.array(
    [
        2.2,
        1.2,
        0.6,
        0.35,
        0.25,
        0.3,
        0.6,
        1.3,
        2.4,
        3.6,
        4.4,
        4.6,
        4.3,
        4.2,
        4.4,
        4.5,
        4.4,
        4.2,
        4.2,
        4.9,
        6.0,
        6.6,
        6.1,
        4.2,
    ]
)


def spring_festival(year: int) -> date:
    return SPRING_FESTIVAL.get(year, date(year, 2, 1))


@dataclass(frozen=True)
class DayProfile:
    factor: float  # relative order volume
    promo: bool  # shop-wide 满减 running (festival windows)
    midnight_rush: bool  # the sale opens at 00:00: a spike right after midnight
    gift_season: bool  # 年货 gift boxes sell
    warehouse_closed: bool  # Spring Festival: nothing ships
    backlog_days: int  # festival backlog: extra days before shipping


def day_profile(d: date) -> DayProfile:
    factor = WEEKDAY_FACTOR[d.weekday()] * MONTH_FACTOR[d.month - 1]
    promo = midnight = gift = closed = False
    backlog = 0
    md = (d.month, d.day)
    # Spring Festival of this or next year (a range may start in December)
    for sf in (spring_festival(d.year), spring_festival(d.year + 1)):
        offset = (d - sf).days
        if -24 <= offset <= -9:  # 年货节
            factor *= 1.35
            promo = gift = True
        elif -8 <= offset <= 6:  # everyone goes home; couriers stop
            factor *= 0.55
            gift = offset < 0
        if -5 <= offset <= 5:
            closed = True
    if (3, 1) <= md <= (3, 8):
        factor *= 1.6 if md == (3, 8) else 1.2
        promo = True
    if (5, 20) <= md <= (5, 31):
        factor *= 1.15  # 618 pre-sale
    if (6, 1) <= md <= (6, 18):
        promo = True
        if md <= (6, 3):
            factor *= 1.9
            midnight = md == (6, 1)
        elif md <= (6, 15):
            factor *= 1.35
        elif md <= (6, 17):
            factor *= 1.8
        else:
            factor *= 3.5
            midnight = True
    if (6, 18) <= md <= (6, 21):
        backlog = 2
    if (10, 20) <= md <= (10, 31):
        factor *= 1.2  # 双11 pre-sale
    if (11, 1) <= md <= (11, 11):
        promo = True
        if md <= (11, 3):
            factor *= 2.4
            midnight = md == (11, 1)
        elif md <= (11, 10):
            factor *= 1.5
        else:
            factor *= 7.0
            midnight = True
    if (11, 11) <= md <= (11, 15):
        backlog = 3
    elif (11, 1) <= md <= (11, 3):
        backlog = 1
    if (11, 12) <= md <= (11, 13):
        factor *= 1.2
    if (12, 10) <= md <= (12, 12):
        factor *= 2.6 if md == (12, 12) else 1.3
        promo = True
        midnight = md == (12, 12)
    return DayProfile(factor, promo, midnight, gift, closed, backlog)


def daily_order_counts(orders: int, start: date, days: int, rng: np.random.Generator) -> np.ndarray:
    """Orders per day (sums exactly to `orders`): the profile, a growth trend and a little day-to-day noise."""
    weights = np.empty(days)
    for i in range(days):
        d = start + timedelta(days=i)
        weights[i] = day_profile(d).factor * (1.0 + ANNUAL_GROWTH) ** (i / 365.0)
    weights *= rng.lognormal(0.0, 0.07, size=days)
    expected = orders * weights / weights.sum()
    counts = np.floor(expected).astype(np.int64)
    remainder = orders - int(counts.sum())
    if remainder > 0:  # largest remainder, ties broken by day order
        order = np.argsort(-(expected - counts), kind="stable")[:remainder]
        counts[order] += 1
    return counts


def hourly_cdf(midnight_rush: bool) -> np.ndarray:
    w = HOURLY.copy()
    if midnight_rush:
        w[0] *= 12.0
        w[1] *= 3.0
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return cdf
