"""`python -m orchestration.ingest.api`: fetch the TOP and 聚水潭 APIs into the warehouse without Dagster (debugging).

Calls the same code as the Dagster assets `raw/top_trades`, `raw/top_refunds` and `raw/jst_*` for a range of
China-time days (default: yesterday), like a backfill of those partitions; sources whose credentials are not set are
skipped. Exit status 0 when every configured source synced, 2 when one failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from pathlib import Path

import duckdb

from orchestration.ingest.api.datasets import (
    JST_INVENTORY,
    JST_ORDERS,
    JST_PURCHASE_RECEIPTS,
    JST_SALES_OUTBOUND,
    JST_SKUS,
    TOP_REFUNDS,
    TOP_TRADES,
)
from orchestration.ingest.api.errors import ApiError
from orchestration.ingest.api.jushuitan import JstClient, JstConfig
from orchestration.ingest.api.landing import sync
from orchestration.ingest.api.top import TopClient, TopConfig, china_now
from orchestration.partitions import DAY_FORMAT, day_bounds
from orchestration.settings import Settings

logger = logging.getLogger(__name__)


def _day(text: str) -> str:
    return dt.datetime.strptime(text, DAY_FORMAT).strftime(DAY_FORMAT)


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=settings.warehouse_path)
    parser.add_argument("--first-day", type=_day, help="first China-time day YYYY-MM-DD (default: yesterday)")
    parser.add_argument("--last-day", type=_day, help="last China-time day YYYY-MM-DD, included (default: first day)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    first_day = args.first_day or (china_now() - dt.timedelta(days=1)).strftime(DAY_FORMAT)
    start, end = day_bounds(first_day, args.last_day or first_day)
    jobs = []
    if not TopConfig.missing_env():
        top = TopClient(TopConfig.from_env())
        jobs += [
            (TOP_TRADES, top.config.shop, top.trades_modified),
            (TOP_REFUNDS, top.config.shop, top.refunds_modified),
        ]
    else:
        logger.info("TOP skipped: set %s", ", ".join(TopConfig.missing_env()))
    if not JstConfig.missing_env():
        jst = JstClient(JstConfig.from_env())
        jobs += [
            (JST_ORDERS, jst.config.shop, jst.orders_modified),
            (JST_SALES_OUTBOUND, jst.config.shop, jst.outbound_modified),
            (JST_INVENTORY, jst.config.shop, jst.inventory_modified),
            (JST_SKUS, jst.config.shop, jst.skus_modified),
            (JST_PURCHASE_RECEIPTS, jst.config.shop, jst.purchase_receipts_modified),
        ]
    else:
        logger.info("聚水潭 skipped: set %s", ", ".join(JstConfig.missing_env()))
    args.warehouse.parent.mkdir(parents=True, exist_ok=True)
    status = 0
    with duckdb.connect(str(args.warehouse)) as con:
        for dataset, shop, fetch in jobs:
            try:
                report = sync(con, dataset, shop, fetch, start, end)
            except ApiError as exc:
                logger.error("%s: %s", dataset.name, exc)
                status = 2
                continue
            logger.info("%s (%s) %s .. %s: %s", dataset.name, shop, start, end, report.totals())
    return status


if __name__ == "__main__":
    raise SystemExit(main())
