"""Dagster assets that fetch from the TOP and 聚水潭 APIs into `raw`, from each cursor up to now, window by window.

Each asset is skipped cleanly (no API called, the reason logged, nothing materialised) when its credentials are not
set, so the default pipeline over landing files is unaffected. Wire them in with `assets=[..., *API_ASSETS]`: they
only need the `warehouse` resource, and the pipeline's 02:00 Asia/Shanghai schedule then fetches what changed since
the last run. Once dbt sources read these tables, use `build_api_assets(materialize_when_unconfigured=True)` instead
(see there): a skipped asset would otherwise make Dagster skip the dbt step downstream of it.

Settings (environment variables): the clients' (see `top.py`, `jushuitan.py`, `http.py`) and
  API_INITIAL_LOOKBACK_DAYS (default 1): with no cursor yet, start at China midnight this many days ago
  API_SAFETY_LAG_MINUTES (default 5): stop this long before now, so late-indexed changes are not skipped
  TOP_WINDOW_MINUTES (default 1440, at most 1440): window length for TOP trades and refunds
"""

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import dagster as dg

from orchestration.ingest.api.errors import ApiError
from orchestration.ingest.api.jushuitan import JstClient, JstConfig
from orchestration.ingest.api.landing import (
    JST_INVENTORY,
    JST_ORDERS,
    JST_PURCHASE_RECEIPTS,
    JST_SALES_OUTBOUND,
    JST_SKUS,
    TOP_REFUNDS,
    TOP_TRADES,
    ApiDataset,
    SyncReport,
    ensure_api_tables,
    sync,
)
from orchestration.ingest.api.top import TopClient, TopConfig, china_now
from orchestration.resources import WarehouseResource

RAW_GROUP = "raw"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class ApiSyncConfig(dg.Config):
    """Optional run config; by default the assets fetch from the cursor up to now."""

    until: str | None = None
    """China-time `YYYY-MM-DD HH:MM:SS` to fetch up to (exclusive), instead of now minus the safety lag."""
    initial_start: str | None = None
    """China-time start when there is no cursor yet, instead of API_INITIAL_LOOKBACK_DAYS."""


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _bounds(config: ApiSyncConfig) -> tuple[dt.datetime, dt.datetime]:
    if config.until:
        until = dt.datetime.strptime(config.until, TIME_FORMAT)
    else:
        until = china_now() - dt.timedelta(minutes=_env_number("API_SAFETY_LAG_MINUTES", 5))
    if config.initial_start:
        start = dt.datetime.strptime(config.initial_start, TIME_FORMAT)
    else:
        midnight = dt.datetime.combine(until.date(), dt.time())
        start = midnight - dt.timedelta(days=_env_number("API_INITIAL_LOOKBACK_DAYS", 1))
    return start, until


def _top_window() -> dt.timedelta:
    return min(dt.timedelta(minutes=_env_number("TOP_WINDOW_MINUTES", 1440)), dt.timedelta(days=1))


def _materialize(
    context: dg.AssetExecutionContext,
    config: ApiSyncConfig,
    warehouse: WarehouseResource,
    dataset: ApiDataset,
    missing: list[str],
    make_fetch: Callable[[], tuple[str, Callable[[dt.datetime, dt.datetime], list[dict[str, Any]]]]],
    window: dt.timedelta | None,
    materialize_when_unconfigured: bool,
) -> Iterator[dg.MaterializeResult]:
    if missing:
        reason = f"API credentials not set ({', '.join(missing)}): nothing fetched"
        context.log.info("raw/%s skipped: %s; the landing-file pipeline is unaffected", dataset.name, reason)
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
    start, until = _bounds(config)
    with warehouse.connect() as con:
        try:
            report: SyncReport = sync(con, dataset, shop, fetch, until=until, initial_start=start, window=window)
        except ApiError as exc:
            raise dg.Failure(description=f"raw/{dataset.name}: {exc}") from exc
        table_rows = con.execute(f"select count(*) from raw.{dataset.name}").fetchone()[0]  # type: ignore[index]
    windows = [
        f"{w.source_file}: {w.status}, {w.rows_in} in, {w.rows_loaded} loaded, {w.rows_quarantined} quarantined"
        for w in report.windows
    ]
    context.log.info("raw/%s fetched up to %s in %d windows", dataset.name, report.fetched_until, len(windows))
    yield dg.MaterializeResult(
        metadata={
            **{k: dg.MetadataValue.int(v) for k, v in report.totals().items()},
            "table_rows": dg.MetadataValue.int(int(table_rows)),
            "shop": dg.MetadataValue.text(shop),
            "fetched_until": dg.MetadataValue.text(str(report.fetched_until)),
            "windows": dg.MetadataValue.md("\n".join(f"- {line}" for line in windows) or "nothing new"),
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
        "Trades changed since the cursor, via `taobao.trades.sold.increment.get` (windows ≤ 1 day, paged backwards).",
    ),
    _ApiSource(
        TOP_REFUNDS,
        TopConfig.missing_env,
        _top_fetch("refunds_modified"),
        _top_window,
        "Refunds changed since the cursor, via `taobao.refunds.receive.get` (windows ≤ 1 day, paged backwards).",
    ),
    _ApiSource(
        JST_ORDERS,
        JstConfig.missing_env,
        _jst_fetch("orders_modified"),
        lambda: None,
        "聚水潭 sales orders changed since the cursor, via `/open/orders/single/query` (windows ≤ 7 days).",
    ),
    _ApiSource(
        JST_SALES_OUTBOUND,
        JstConfig.missing_env,
        _jst_fetch("outbound_modified"),
        lambda: None,
        "Changed since the cursor, via `/open/orders/out/simple/query` (windows ≤ 7 days).",
    ),
    _ApiSource(
        JST_INVENTORY,
        JstConfig.missing_env,
        _jst_fetch("inventory_modified"),
        lambda: None,
        "Changed since the cursor, via `/open/inventory/query` (windows ≤ 7 days).",
    ),
    _ApiSource(
        JST_SKUS,
        JstConfig.missing_env,
        _jst_fetch("skus_modified"),
        lambda: None,
        "Changed since the cursor, via `/open/sku/query` (windows ≤ 7 days).",
    ),
    _ApiSource(
        JST_PURCHASE_RECEIPTS,
        JstConfig.missing_env,
        _jst_fetch("purchase_receipts_modified"),
        lambda: None,
        "Changed since the cursor, via `/open/purchasein/query` (windows ≤ 7 days).",
    ),
)


def _build(source: _ApiSource, materialize_when_unconfigured: bool) -> dg.AssetsDefinition:
    dataset = source.dataset

    @dg.asset(
        key=dg.AssetKey(["raw", dataset.name]),
        group_name=RAW_GROUP,
        kinds={"duckdb", "python"},
        description=f"{dataset.description} {source.summary}",
        metadata={"columns": ", ".join(dataset.columns), "api": dataset.api_method},
        output_required=False,
    )
    def api_asset(
        context: dg.AssetExecutionContext, config: ApiSyncConfig, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        yield from _materialize(
            context,
            config,
            warehouse,
            dataset,
            source.missing_env(),
            source.make_fetch,
            source.window(),
            materialize_when_unconfigured,
        )

    return api_asset


def build_api_assets(materialize_when_unconfigured: bool = False) -> list[dg.AssetsDefinition]:
    """The assets `raw/top_trades`, `raw/top_refunds` and `raw/jst_<entity>` (ops `raw__<table>`).

    Without credentials an asset calls no API and, by default, materialises nothing. Dagster then skips every
    asset downstream of it *in the same run* (e.g. a dbt step whose sources include these tables). With
    `materialize_when_unconfigured=True` it instead creates the empty raw table and materialises it with a `skipped`
    note, so downstream models run on empty tables.
    """
    return [_build(source, materialize_when_unconfigured) for source in _SOURCES]


API_ASSETS = build_api_assets()
