"""The one partitioning of the pipeline: China-time days, for the API raw assets.

Partition `D` (a `YYYY-MM-DD` key) of an API asset holds the records whose modified time is in
[D 00:00, D+1 00:00) Asia/Shanghai. Only complete days are partitions: the newest one is yesterday, China time.

Settings (environment variables):
  API_PARTITIONS_START_DATE (default 2023-01-01): the first day that can be fetched or backfilled, `YYYY-MM-DD`.
      A record last modified before it is never fetched: master data such as an SKU created years ago and not
      changed since sits on its old day, so keep this no later than the oldest record you need (the demo's SKU
      master goes back to late 2023).
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import dagster as dg

CHINA_TIMEZONE = "Asia/Shanghai"
DEFAULT_START_DATE = "2023-01-01"
START_DATE_VARIABLE = "API_PARTITIONS_START_DATE"
DAY_FORMAT = "%Y-%m-%d"


def partitions_start_date() -> dt.date:
    text = (os.environ.get(START_DATE_VARIABLE) or DEFAULT_START_DATE).strip()
    try:
        return dt.datetime.strptime(text, DAY_FORMAT).date()
    except ValueError as exc:
        raise ValueError(f"{START_DATE_VARIABLE}={text!r} is not a date (YYYY-MM-DD)") from exc


def china_days() -> dg.DailyPartitionsDefinition:
    """Daily partitions in China time from API_PARTITIONS_START_DATE up to the last complete day."""
    return dg.DailyPartitionsDefinition(
        start_date=partitions_start_date().strftime(DAY_FORMAT), timezone=CHINA_TIMEZONE, end_offset=0
    )


def china_time_bounds(window: dg.TimeWindow) -> tuple[dt.datetime, dt.datetime]:
    """A partition (range) window as naive China local times, [start, end): what the API clients take."""
    china = ZoneInfo(CHINA_TIMEZONE)
    return window.start.astimezone(china).replace(tzinfo=None), window.end.astimezone(china).replace(tzinfo=None)


def day_bounds(first_day: str, last_day: str) -> tuple[dt.datetime, dt.datetime]:
    """[first_day 00:00, last_day + 1 00:00) in naive China local time, for partition keys `YYYY-MM-DD`."""
    start = dt.datetime.strptime(first_day, DAY_FORMAT)
    end = dt.datetime.strptime(last_day, DAY_FORMAT) + dt.timedelta(days=1)
    if not start < end:
        raise ValueError(f"day range {first_day}..{last_day} is empty")
    return start, end
