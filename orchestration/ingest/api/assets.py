"""Dagster assets that fetch from the TOP and 聚水潭 APIs into `raw`, partitioned by China-time day.

Partition `D` of an API asset is every record modified in [D 00:00, D+1 00:00) Asia/Shanghai
(`orchestration.partitions`). A run materialises a range of days in one go (`BackfillPolicy.single_run()`): the asset
fetches the range window by window (TOP ≤ 1 day, 聚水潭 ≤ 7 days), one transaction per window. Materialising a day
again re-fetches it; what raw already holds unchanged is not appended twice (`landing.land_window`).

Each asset is skipped cleanly (no API called, the reason logged) when its credentials are not set, so the default
pipeline over landing files is unaffected. By default it then materialises nothing; `build_api_assets(
materialize_when_unconfigured=True)` (what the code location uses) materialises the empty table with a `skipped` note.

Settings (environment variables): the clients' (see `top.py`, `jushuitan.py`, `http.py`), API_PARTITIONS_START_DATE
(`orchestration.partitions`) and
  TOP_WINDOW_MINUTES (default 1440, at most 1440): window length for TOP trades and refunds
"""

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import dagster as dg

from orchestration.ingest.api.datasets import (
    JST_INVENTORY,
    JST_ORDERS,
    JST_PURCHASE_RECEIPTS,
    JST_SALES_OUTBOUND,
    JST_SKUS,
    TOP_REFUNDS,
    TOP_TRADES,
    ApiDataset,
)
from orchestration.ingest.api.errors import ApiError
from orchestration.ingest.api.jushuitan import JstClient, JstConfig
from orchestration.ingest.api.landing import SyncReport, sync
from orchestration.ingest.api.top import TopClient, TopConfig
from orchestration.ingest.raw_schema import ensure_api_tables
from orchestration.partitions import china_days, china_time_bounds
from orchestration.resources import WarehouseResource

RAW_GROUP = "raw"
LISTED_WINDOWS = 10
"""Windows listed in a materialisation's metadata; a backfill of a year has hundreds (all in `raw.ingest_log`)."""


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _top_window() -> dt.timedelta:
    return min(dt.timedelta(minutes=_env_number("TOP_WINDOW_MINUTES", 1440)), dt.timedelta(days=1))


def _materialize(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    dataset: ApiDataset,
    missing: list[str],
    make_fetch: Callable[[], tuple[str, Callable[[dt.datetime, dt.datetime], list[dict[str, Any]]]]],
    window: dt.timedelta | None,
    materialize_when_unconfigured: bool,
) -> Iterator[dg.MaterializeResult]:
    keys = context.partition_key_range
    days = keys.start if keys.start == keys.end else f"{keys.start}..{keys.end}"
    if missing:
        reason = f"API credentials not set ({', '.join(missing)}): nothing fetched"
        context.log.info("raw/%s %s skipped: %s; the landing-file pipeline is unaffected", dataset.name, days, reason)
        if materialize_when_unconfigured:
            with warehouse.connect() as con:
                ensure_api_tables(con)
                table_rows = con.execute(f"select count(*) from raw.{dataset.name}").fetchone()[0]  # type: ignore[index]
            yield dg.MaterializeResult(
                metadata={"skipped": dg.MetadataValue.text(reason), "table_rows": dg.MetadataValue.int(int(table_rows))}
            )
        return
    try:
        shop, fetch = make_fetch()
    except (ApiError, ValueError) as exc:
        raise dg.Failure(description=f"raw/{dataset.name}: {exc}") from exc
    start, end = china_time_bounds(context.partition_time_window)
    with warehouse.connect() as con:
        try:
            report: SyncReport = sync(con, dataset, shop, fetch, start, end, window=window)
        except ApiError as exc:
            raise dg.Failure(description=f"raw/{dataset.name} {days}: {exc}") from exc
        table_rows = con.execute(f"select count(*) from raw.{dataset.name}").fetchone()[0]  # type: ignore[index]
    windows = [
        f"{w.source_file}: {w.rows_in} in, {w.rows_loaded} loaded, {w.rows_quarantined} quarantined, "
        f"{w.rows_unchanged} unchanged"
        for w in report.windows
    ]
    context.log.info("raw/%s fetched %s (%s .. %s) in %d windows", dataset.name, days, start, end, len(windows))
    if len(windows) > LISTED_WINDOWS:
        windows = [*windows[:LISTED_WINDOWS], f"... and {len(windows) - LISTED_WINDOWS} more (raw.ingest_log)"]
    # one result for the whole range: Dagster records it for every day of the range, so it stays short
    yield dg.MaterializeResult(
        metadata={
            **{k: dg.MetadataValue.int(v) for k, v in report.totals().items()},
            "table_rows": dg.MetadataValue.int(int(table_rows)),
            "shop": dg.MetadataValue.text(shop),
            "days": dg.MetadataValue.text(days),
            "windows": dg.MetadataValue.md("\n".join(f"- {line}" for line in windows)),
        }
    )


def _top_fetch(method: str) -> Callable[[], tuple[str, Callable[[dt.datetime, dt.datetime], list[dict[str, Any]]]]]:
    def make() -> tuple[str, Callable[[dt.datetime, dt.datetime], list[dict[str, Any]]]]:
        client = TopClient(TopConfig.from_env())
        return client.config.shop, getattr(client, method)

    return make


def _jst_fetch(method: str) -> Callable[[], tuple[str, Callable[[dt.datetime, dt.datetime], list[dict[str, Any]]]]]:
    def make() -> tuple[str, Callable[[dt.datetime, dt.datetime], list[dict[str, Any]]]]:
        client = JstClient(JstConfig.from_env())
        return client.config.shop, getattr(client, method)

    return make


Fetch = Callable[[dt.datetime, dt.datetime], list[dict[str, Any]]]


@dataclass(frozen=True)
class _ApiSource:
    dataset: ApiDataset
    missing_env: Callable[[], list[str]]
    make_fetch: Callable[[], tuple[str, Fetch]]
    window: Callable[[], dt.timedelta | None]
    summary: str


_SOURCES = (
    _ApiSource(
        TOP_TRADES,
        TopConfig.missing_env,
        _top_fetch("trades_modified"),
        _top_window,
        "Trades modified on the day, via `taobao.trades.sold.increment.get` (windows ≤ 1 day, paged backwards).",
    ),
    _ApiSource(
        TOP_REFUNDS,
        TopConfig.missing_env,
        _top_fetch("refunds_modified"),
        _top_window,
        "Refunds modified on the day, via `taobao.refunds.receive.get` (windows ≤ 1 day, paged backwards).",
    ),
    _ApiSource(
        JST_ORDERS,
        JstConfig.missing_env,
        _jst_fetch("orders_modified"),
        lambda: None,
        "聚水潭 sales orders modified on the day, via `/open/orders/single/query` (windows ≤ 7 days).",
    ),
    _ApiSource(
        JST_SALES_OUTBOUND,
        JstConfig.missing_env,
        _jst_fetch("outbound_modified"),
        lambda: None,
        "Modified on the day, via `/open/orders/out/simple/query` (windows ≤ 7 days).",
    ),
    _ApiSource(
        JST_INVENTORY,
        JstConfig.missing_env,
        _jst_fetch("inventory_modified"),
        lambda: None,
        "Modified on the day, via `/open/inventory/query` (windows ≤ 7 days).",
    ),
    _ApiSource(
        JST_SKUS,
        JstConfig.missing_env,
        _jst_fetch("skus_modified"),
        lambda: None,
        "Modified on the day, via `/open/sku/query` (windows ≤ 7 days).",
    ),
    _ApiSource(
        JST_PURCHASE_RECEIPTS,
        JstConfig.missing_env,
        _jst_fetch("purchase_receipts_modified"),
        lambda: None,
        "Modified on the day, via `/open/purchasein/query` (windows ≤ 7 days).",
    ),
)


def _build(
    source: _ApiSource, partitions: dg.DailyPartitionsDefinition, materialize_when_unconfigured: bool
) -> dg.AssetsDefinition:
    dataset = source.dataset

    @dg.asset(
        key=dg.AssetKey(["raw", dataset.name]),
        group_name=RAW_GROUP,
        kinds={"duckdb", "python"},
        description=f"{dataset.description} {source.summary}",
        metadata={"columns": ", ".join(dataset.columns), "api": dataset.api_method},
        partitions_def=partitions,
        # a backfill of many days is one run that fetches them window by window, not one run per day
        backfill_policy=dg.BackfillPolicy.single_run(),
        output_required=False,
    )
    def api_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[dg.MaterializeResult]:
        yield from _materialize(
            context,
            warehouse,
            dataset,
            source.missing_env(),
            source.make_fetch,
            source.window(),
            materialize_when_unconfigured,
        )

    return api_asset


def build_api_assets(materialize_when_unconfigured: bool = False) -> list[dg.AssetsDefinition]:
    """The assets `raw/top_trades`, `raw/top_refunds` and `raw/jst_<entity>` (ops `raw__<table>`), daily partitioned.

    Without credentials an asset calls no API and, by default, materialises nothing. Dagster then skips every
    asset downstream of it *in the same run*. With `materialize_when_unconfigured=True` it instead creates the empty
    raw table and materialises it with a `skipped` note.
    """
    partitions = china_days()
    return [_build(source, partitions, materialize_when_unconfigured) for source in _SOURCES]


def api_asset_keys(assets: list[dg.AssetsDefinition]) -> list[dg.AssetKey]:
    return [key for asset in assets for key in asset.keys]


API_ASSETS = build_api_assets()
