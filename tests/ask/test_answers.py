"""The CLI answers from MetricFlow on a real warehouse: the `--json` contract, numbers equal to an independent
computation on the marts, comparisons, refusals, and synonyms that come from the YAML."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.ask.vocabulary import load_vocabulary
from orchestration.metrics.metricflow import exact_day_constraints
from orchestration.settings import PROJECT_ROOT

README_QUESTION = "上个月各店铺的净销售额"


def _independent_net_sales(warehouse: Path, start: str, end: str) -> dict[str, float]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select shop_name, sum(net_amount) from marts.fct_orders where is_paid and paid_date between ? and ? "
            "group by 1",
            [start, end],
        ).fetchall()
    return {shop: float(total) for shop, total in rows}


def test_cli_json_answers_the_readme_question_and_refuses_an_unknown_word(metrics_warehouse: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.ask", "--json"],
        input=f"{README_QUESTION}\n上个月的客流量\n",
        cwd=PROJECT_ROOT,
        env={**os.environ, "WAREHOUSE_PATH": str(metrics_warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 1, completed.stderr  # the second question is refused
    answer, refusal = (json.loads(line) for line in completed.stdout.splitlines())
    assert set(answer) == {"question", "query", "columns", "rows", "notes"}
    assert set(answer["query"]) == {"metrics", "group_by", "where", "order_by", "limit", "start_time", "end_time"}
    assert answer["columns"] == ["order__shop_name", "net_sales"]
    query = answer["query"]
    assert query["metrics"] == ["net_sales"] and query["group_by"] == ["order__shop_name"]
    expected = _independent_net_sales(metrics_warehouse, query["start_time"], query["end_time"])
    assert {shop: round(value, 2) for shop, value in answer["rows"]} == {k: round(v, 2) for k, v in expected.items()}
    assert any(note.startswith("MetricFlow：mf query --metrics net_sales") for note in answer["notes"])
    assert refusal["query"] is None and refusal["rows"] == []
    assert "没有看懂“客流量”" in refusal["notes"][0]
    assert "访客数" in refusal["notes"][1]


def test_text_answer_shows_the_table_the_definition_and_the_mf_query(asker) -> None:  # type: ignore[no-untyped-def]
    text = asker.ask(README_QUESTION).as_text()
    assert "净销售额（net_sales）：净销售额 = 支付金额 − 退款金额" in text
    assert "mf query --metrics net_sales --group-by order__shop_name --order -net_sales" in text


def test_month_on_month_adds_the_previous_month_and_the_change(asker, metrics_warehouse: Path) -> None:  # type: ignore[no-untyped-def]
    answer = asker.ask("上个月各店铺的净销售额环比")
    assert answer.columns == ["order__shop_name", "net_sales", "net_sales__comparison", "net_sales__change"]
    compared = asker.parser.parse("上个月各店铺的净销售额环比").comparison.query
    assert (compared.start_time.day, (compared.start_time.month % 12) + 1) == (1, answer.query.start_time.month)
    previous = _independent_net_sales(metrics_warehouse, str(compared.start_time), str(compared.end_time))
    for shop, now, before, change in answer.rows:
        assert round(float(before), 2) == round(previous[shop], 2)
        assert change == round(float(now) / float(before) - 1, 4)


def test_a_metric_that_cannot_be_grouped_so_is_refused_with_the_metrics_that_can(asker) -> None:  # type: ignore[no-untyped-def]
    answer = asker.ask("各品类的净销售额")
    assert answer.refused and answer.query is None
    assert "净销售额不能按“品类”" in answer.notes[0]
    assert "销售件数" in answer.suggestions


def test_an_ambiguous_word_takes_the_documented_default_and_names_the_alternative(asker) -> None:  # type: ignore[no-untyped-def]
    answer = asker.ask("上个月销售额")
    assert answer.query.metrics == ["net_sales"]
    assert any("也可以指支付金额（paid_gmv）" in note for note in answer.notes)


def test_every_ambiguous_word_has_exactly_one_default(dbt_manifest: Path) -> None:
    vocabulary = load_vocabulary()
    for word, names in vocabulary.metric_words().items():
        if len(names) > 1:
            defaults = [n for n in names if word in {w.lower() for w in vocabulary.metrics[n].default_for}]
            assert len(defaults) == 1, (word, names)


def test_a_synonym_is_one_line_of_yaml_meta(dbt_manifest: Path) -> None:
    manifest = json.loads((PROJECT_ROOT / "target" / "semantic_manifest.json").read_text(encoding="utf-8"))
    net_sales = next(m for m in manifest["metrics"] if m["name"] == "net_sales")
    net_sales["config"]["meta"]["synonyms"].append("到手销售额")
    assert load_vocabulary(manifest).metric_words()["到手销售额"] == ["net_sales"]


def test_a_day_constraint_keeps_exactly_the_days_asked_for() -> None:
    con = duckdb.connect()
    con.execute("create table t as select cast(date '2025-11-28' + cast(i as integer) as date) as d from range(5) r(i)")
    sql = "select max(d) from t where DATE_TRUNC('day', d) BETWEEN '2025-11-01' AND '2025-11-30'"
    assert str(con.execute(exact_day_constraints(sql)).fetchone()[0]) == "2025-11-30"
