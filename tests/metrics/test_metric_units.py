"""Each metric's unit is declared once (`config.meta.unit`, models/metrics/*.yml): every metric has one, dbt and
MetricFlow carry it, and the metric tables' contract generated from it is not stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.metrics.contract import CONTRACT_PATH, main, render_contract
from orchestration.metrics.units import (
    SEMANTIC_DIR,
    UNIT_TYPES,
    MetricUnitError,
    read_metric_units,
    read_saved_queries,
)
from orchestration.quality.contracts import load_contract


def test_every_metric_declares_a_known_unit() -> None:
    units = read_metric_units()
    expected = {"orders": "count", "paid_gmv": "money", "refund_rate": "rate", "avg_pay_to_ship_hours": "hours"}
    assert expected.items() <= units.items()
    assert set(units.values()) <= set(UNIT_TYPES)
    shown = {metric for query in read_saved_queries() for metric in query.metrics}
    assert shown <= set(units), "every metric a saved query shows is declared in models/metrics/"


def test_a_metric_without_a_unit_or_with_an_unknown_one_is_named(tmp_path: Path) -> None:
    (tmp_path / "shop.yml").write_text(
        "metrics:\n"
        "  - {name: visits, config: {meta: {unit: count}}}\n"
        "  - {name: basket_value, config: {meta: {synonyms: [客单价]}}}\n"
        "  - {name: margin, config: {meta: {unit: yuan}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(MetricUnitError) as raised:
        read_metric_units(tmp_path)
    assert "basket_value has no config.meta.unit" in str(raised.value)
    assert "margin has unit 'yuan'" in str(raised.value)
    assert "visits" not in str(raised.value)


def test_the_committed_contract_is_generated_from_the_units() -> None:
    assert CONTRACT_PATH.read_text(encoding="utf-8") == render_contract(), (
        "expectations/metric_tables.contract.yml is stale: run python -m orchestration.metrics.contract"
    )


def test_the_contract_types_every_metric_column_by_its_unit() -> None:
    units = read_metric_units()
    contract = load_contract()
    typed = [
        (table, c) for table, columns in contract.items() for c in columns if c.name.removeprefix("prev_") in units
    ]
    assert len(typed) > 100
    for table, column in typed:
        assert column.data_type == UNIT_TYPES[units[column.name.removeprefix("prev_")]], f"{table}.{column.name}"


def test_the_check_fails_on_a_stale_contract(tmp_path: Path) -> None:
    stale = tmp_path / "metric_tables.contract.yml"
    money = '{name: cogs, data_type: "decimal(18,2)"}'
    assert money in render_contract()
    stale.write_text(render_contract().replace(money, '{name: cogs, data_type: "double"}'))
    assert main(["--check", "--path", str(stale)]) == 1
    stale.write_text(render_contract())
    assert main(["--check", "--path", str(stale)]) == 0


def test_units_reach_the_semantic_manifest_metricflow_loads(dbt_manifest: Path) -> None:
    """`dbt parse` keeps `config.meta.unit` on every metric, and MetricFlow's parser loads the manifest with it."""
    from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest

    text = (dbt_manifest.parent / "semantic_manifest.json").read_text(encoding="utf-8")
    parsed = parse_manifest_from_dbt_generated_manifest(manifest_json_string=text)
    manifest_units = {m.name: (m.config.meta if m.config else {}).get("unit") for m in parsed.metrics}
    assert manifest_units == read_metric_units(SEMANTIC_DIR)
    assert {m["name"] for m in json.loads(text)["metrics"]} == set(manifest_units)
