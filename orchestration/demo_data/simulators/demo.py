"""Serve the demo data through the local TOP and 聚水潭 simulators, for `SOURCE_MODE=api` of `orchestration.run`.

`serve_demo_apis(landing_dir)` turns the landing folder's export files into API records
(`orchestration.demo_data.api_records`), starts both simulators on 127.0.0.1, sets the API credentials and base URLs
in the environment for the duration only (fresh random credentials each time: the simulators check the signatures
with them), and yields the China-time days that hold the records: the partition range that `orchestration.run`
backfills in one run of the API job. On exit the servers stop and the environment is restored.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from orchestration.demo_data.api_records import ApiRecords, api_records_from_landing
from orchestration.demo_data.simulators.jushuitan_gateway import JushuitanGateway
from orchestration.demo_data.simulators.top_gateway import TopGateway
from orchestration.ingest.api.top import china_now

logger = logging.getLogger(__name__)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DEMO_SHOP = "demo"
"""TOP_SHOP_NICK and JST_SHOP during the run: the shop named in `_source_file` of the API windows."""


@dataclass
class DemoApis:
    records: ApiRecords
    first_day: str
    last_day: str
    """The partition keys (`YYYY-MM-DD`, China time) of the first and last day on which a served record was modified."""


def demo_days(records: ApiRecords) -> tuple[str, str]:
    """The China-time days from the first to the last modified time of any served record (yesterday if none)."""
    stamps = [
        r["modified"]
        for source in (
            records.trades,
            records.refunds,
            records.jst_orders,
            records.jst_outbound,
            records.jst_inventory,
            records.jst_skus,
        )
        for r in source
        if r.get("modified")
    ]
    if not stamps:
        yesterday = (china_now() - dt.timedelta(days=1)).strftime("%Y-%m-%d")
        return yesterday, yesterday
    first = dt.datetime.strptime(min(stamps), TIME_FORMAT)
    last = dt.datetime.strptime(max(stamps), TIME_FORMAT)
    return first.strftime("%Y-%m-%d"), last.strftime("%Y-%m-%d")


@contextmanager
def serve_demo_apis(landing_dir: Path) -> Iterator[DemoApis]:
    records = api_records_from_landing(landing_dir)
    top = TopGateway(
        app_key=str(secrets.randbelow(90_000_000) + 10_000_000),
        app_secret=secrets.token_hex(16),
        session=secrets.token_hex(20),
        trades=records.trades,
        refunds=records.refunds,
    )
    jst = JushuitanGateway(
        app_key=secrets.token_hex(8), app_secret=secrets.token_hex(16), access_token=secrets.token_hex(16)
    )
    jst.records.update(
        {
            "orders": records.jst_orders,
            "outbound": records.jst_outbound,
            "inventory": records.jst_inventory,
            "skus": records.jst_skus,
        }
    )
    top.start()
    jst.start()
    environment = {
        "TOP_APP_KEY": top.app_key,
        "TOP_APP_SECRET": top.app_secret,
        "TOP_SESSION": top.session,
        "TOP_BASE_URL": top.url,
        "TOP_SHOP_NICK": DEMO_SHOP,
        "JST_APP_KEY": jst.app_key,
        "JST_APP_SECRET": jst.app_secret,
        "JST_ACCESS_TOKEN": jst.access_token,
        "JST_BASE_URL": jst.url,
        "JST_SHOP": DEMO_SHOP,
    }
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    logger.info("SOURCE_MODE=api: TOP simulator at %s, 聚水潭 simulator at %s", top.url, jst.url)
    try:
        first_day, last_day = demo_days(records)
        yield DemoApis(records=records, first_day=first_day, last_day=last_day)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        top.stop()
        jst.stop()
