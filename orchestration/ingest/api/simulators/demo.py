"""Serve the demo data through the local TOP and 聚水潭 simulators, for `SOURCE_MODE=api` of `orchestration.run`.

`serve_demo_apis(landing_dir)` turns the landing folder's export files into API records
(`orchestration.demo_data.api_records`), starts both simulators on 127.0.0.1, sets the API credentials and base URLs
in the environment for the duration only (fresh random credentials each time: the simulators check the signatures
with them), and yields the run config that makes every API asset fetch the whole period of its records. On exit the
servers stop and the environment is restored.
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
from typing import Any

from orchestration.demo_data.api_records import ApiRecords, api_records_from_landing
from orchestration.ingest.api.simulators.jushuitan_gateway import JushuitanGateway
from orchestration.ingest.api.simulators.top_gateway import TopGateway

logger = logging.getLogger(__name__)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DEMO_SHOP = "demo"
"""TOP_SHOP_NICK and JST_SHOP during the run: the name in the cursors and `_source_file` of the API windows."""


@dataclass
class DemoApis:
    records: ApiRecords
    run_config: dict[str, Any]
    """`{"ops": {"raw__<table>": {"config": {"initial_start": ..., "until": ...}}}}` for every API asset."""


def _range(records: list[dict[str, Any]]) -> tuple[dt.datetime, dt.datetime] | None:
    stamps = [r["modified"] for r in records if r.get("modified")]
    if not stamps:
        return None
    first = dt.datetime.strptime(min(stamps), TIME_FORMAT)
    last = dt.datetime.strptime(max(stamps), TIME_FORMAT)
    return dt.datetime.combine(first.date(), dt.time()), dt.datetime.combine(last.date(), dt.time()) + dt.timedelta(
        days=1
    )


def run_config_for(records: ApiRecords) -> dict[str, Any]:
    """Per API asset, the China-time period that covers its records (whole days); nothing to fetch: one empty day."""
    sources = {
        "top_trades": records.trades,
        "top_refunds": records.refunds or records.trades,
        "jst_orders": records.jst_orders,
        "jst_sales_outbound": records.jst_outbound,
        "jst_inventory": records.jst_inventory,
        "jst_skus": records.jst_skus,
        "jst_purchase_receipts": [],
    }
    fallback = _range(records.trades) or (
        dt.datetime.combine(dt.date.today(), dt.time()),
        dt.datetime.combine(dt.date.today(), dt.time()) + dt.timedelta(days=1),
    )
    ops = {}
    for table, source_records in sources.items():
        start, until = _range(source_records) or (fallback[1] - dt.timedelta(days=1), fallback[1])
        ops[f"raw__{table}"] = {
            "config": {"initial_start": start.strftime(TIME_FORMAT), "until": until.strftime(TIME_FORMAT)}
        }
    return {"ops": ops}


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
        yield DemoApis(records=records, run_config=run_config_for(records))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        top.stop()
        jst.stop()
