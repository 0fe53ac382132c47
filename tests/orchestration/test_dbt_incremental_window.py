"""How the pipeline tells dbt which loads its incremental facts must re-process."""

from __future__ import annotations

import datetime as dt
import json

NOW = dt.datetime(2026, 3, 10, 19, 30, tzinfo=dt.UTC)  # 2026-03-11 03:30 in China
"""The nightly run, after the 02:00 API job: yesterday in China is 2026-03-10."""


def china(day: str, hour: int) -> float:
    """A POSIX timestamp at `hour` o'clock China time (UTC+8) on `day`."""
    return (dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00")).timestamp()


def test_a_nightly_run_after_last_nights_run_re_processes_from_yesterday() -> None:
    from orchestration.transform.dbt import incremental_window_start

    assert incremental_window_start([china("2026-03-10", 3), china("2026-03-10", 3)], NOW) == "2026-03-10"


def test_after_missed_nights_the_window_starts_on_the_day_the_facts_were_last_updated() -> None:
    from orchestration.transform.dbt import incremental_window_start

    # fct_orders was updated last night, fct_shipments (a failed step) not since the 2nd, China time
    window = incremental_window_start([china("2026-03-10", 3), china("2026-03-02", 23)], NOW)

    assert window == "2026-03-02"


def test_a_fact_never_materialised_on_this_instance_leaves_the_window_to_dbt() -> None:
    from orchestration.transform.dbt import incremental_window_start

    assert incremental_window_start([china("2026-03-10", 3), None], NOW) is None
    assert incremental_window_start([], NOW) is None


def test_the_window_and_a_full_refresh_reach_the_dbt_command_line() -> None:
    from orchestration.transform.build_args import DbtBuildConfig, dbt_build_args

    assert dbt_build_args(DbtBuildConfig(), None) == ["build", "--exclude", "resource_type:unit_test"]
    args = dbt_build_args(DbtBuildConfig(lookback_days=30), "2026-03-02")
    assert args[:2] == ["build", "--vars"]
    assert json.loads(args[2]) == {"incremental_window_start": "2026-03-02", "incremental_lookback_days": 30}
    assert "--full-refresh" in dbt_build_args(DbtBuildConfig(full_refresh=True), "2026-03-10")


def test_the_incremental_models_are_the_large_facts_and_the_tables_they_read(dbt_manifest) -> None:
    from orchestration.transform.dbt import incremental_model_keys

    keys = incremental_model_keys(json.loads(dbt_manifest.read_text(encoding="utf-8")))

    assert [key.to_user_string() for key in keys] == [
        "intermediate/int_erp_sales_orders_unioned",
        "intermediate/int_erp_shipments_unioned",
        "intermediate/int_order_lines_discounts_allocated",
        "intermediate/int_order_lines_products_mapped",
        "intermediate/int_tmall_order_items_unioned",
        "intermediate/int_tmall_orders_unioned",
        "marts/fct_inventory_snapshots",
        "marts/fct_order_lines",
        "marts/fct_orders",
        "marts/fct_shipments",
        "staging/stg_erp__sales_orders",
        "staging/stg_erp__shipments",
        "staging/stg_tmall__order_items",
        "staging/stg_tmall__orders",
    ]


def test_the_window_counts_only_updates_that_were_published() -> None:
    """A run that failed built its incremental models in a copy that was thrown away (orchestration/publish.py):
    the window starts from the last update a run published, not from the failed run's."""
    import dagster as dg

    from orchestration.transform.dbt import PUBLISHED_KEY, last_updates

    fact = dg.AssetKey(["marts", "fct_orders"])

    @dg.asset(key=fact)
    def fct_orders() -> None: ...

    @dg.asset(key=PUBLISHED_KEY, deps=[fact])
    def published() -> None: ...

    with dg.DagsterInstance.ephemeral() as instance:
        assert last_updates(instance, [fact]) == [None]
        dg.materialize([fct_orders], instance=instance)  # before write–audit–publish: the latest update counts
        (before,) = last_updates(instance, [fact])
        assert before == instance.get_latest_materialization_event(fact).timestamp
        good = dg.materialize([fct_orders, published], instance=instance)
        dg.materialize([fct_orders], instance=instance)  # a run that failed before it published

        published_update = instance.fetch_materializations(fact, limit=3).records[1]
        assert published_update.run_id == good.run_id
        assert last_updates(instance, [fact]) == [published_update.timestamp]
