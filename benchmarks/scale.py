"""Benchmark harness for issue 7: the whole pipeline, step by step, at a given number of order lines.

    .venv/bin/python benchmarks/scale.py --order-lines 1000000 [--work benchmarks/work/scale-1000000] [--spark]

A long run can be split: `--to-step S` stops after step S without writing a results row, and a later run with
`--from-step` (the next step) continues on the same work folder and reports every step, earlier ones included.

Each step runs in a fresh process (benchmarks/harness.py measures wall and CPU seconds, children included, the
peak RSS of the largest process, and the load average around it), in pipeline order, on one work folder:

1. `generate`: the demo generator writes the landing files (a year of Tmall and ERP exports) for about N order
   lines (order-report lines plus sub-order lines; orders = N / 1.44, the generator's lines per order).
2. `ingest`: the product's landing loader reads every file into the raw tables (rows per second of order lines).
3. `floor`: one DuckDB pass over the raw order lines: a copy of every column of the two raw order-line tables into
   a new table, the least any pipeline that reads its input once must do; the full build is compared with it.
4. `dbt_build_full`: `dbt build --full-refresh` (seeds, staging, intermediate, marts, their data tests), with the
   pipeline's own arguments (orchestration/transform/build_args.py: no unit tests, which CI runs on its own).
5. `dbt_build_incremental_day`: the raw rows are replayed as a nightly history (`replay`,
   orchestration/demo_data/deliveries.py: each row loaded the night after its day), the full build runs on all but
   the last day, the last day lands (`new_day`), and `dbt build` runs incrementally as the nightly pipeline would
   (window = the new day, default 7-day look-back: the loads of nine nights are re-processed); its share of the
   full build is the target (5 % at most).
   `publish_full` and `publish_incremental_day` measure write–audit–publish's own steps on the warehouse each dbt
   step left (docs/publishing.md): the copy to the build file before dbt, and the publish after it.
6. `quality_gates`: every Great Expectations gate, raw and mart, as the pipeline runs them (`validate_raw_gate`,
   `validate_model_gate`: chunks of at most QUALITY_GATE_CHUNK_ROWS rows, default 2,000,000).
7. `metric_tables`: the MetricFlow metric tables. 8. `report`: the report database export and the Evidence build
   (on a private copy of the Evidence project, so `reports/build` is left alone).
With `--spark`: `dbt_build_spark`, the same `dbt build` with `--target spark` on the same raw data, for the DuckDB
against Spark local mode comparison.

Writes one row per run to benchmarks/results/scale.md (machine, commit, inputs, every step's seconds and peak).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, Measurement, append_row, commit, machine, measure, today  # noqa: E402

sys.path.insert(0, str(ROOT))
from orchestration.transform.build_args import DbtBuildConfig, dbt_build_args  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "scale.md"
LINES_PER_ORDER = 1.44
"""Order-report lines plus sub-order lines per order in the demo data (287,227 for 200,000 orders)."""

DBT = """
import os, sys
from dbt.cli.main import dbtRunner
os.environ["WAREHOUSE_PATH"] = {warehouse!r}
result = dbtRunner().invoke(["build", "--project-dir", {root!r}, "--profiles-dir", {root!r}, "--quiet", *{args!r}])
if not result.success:
    failed = [r.node.name for r in (result.result or []) if r.status not in ("success", "pass")]
    sys.exit(f"dbt build failed: {{result.exception or failed}}")
print(sum(1 for r in result.result if r.node.resource_type == "model"))
"""

GENERATE = """
import json
from pathlib import Path
from orchestration.demo_data import DemoConfig, generate
summary = generate(Path({landing!r}), DemoConfig(orders={orders}, days={days}, skus={skus}), overwrite=True)
print(json.dumps(summary.datasets))
"""

INGEST = """
import duckdb, json
from pathlib import Path
from orchestration.ingest.loader import ingest_landing
with duckdb.connect({warehouse!r}) as con:
    report = ingest_landing(con, Path({landing!r}))
    print(json.dumps({{d: report.totals(d)["rows_loaded"] for d in ("tmall_order_items", "tmall_sub_orders")}}))
"""

FLOOR = """
import duckdb
with duckdb.connect({warehouse!r}) as con:
    con.execute("create or replace table main._floor_order_lines as "
                "select * from raw.tmall_order_items union all by name select * from raw.tmall_sub_orders")
    print(con.execute("select count(*) from main._floor_order_lines").fetchone()[0])
    con.execute("drop table main._floor_order_lines")
"""

GATES = """
import duckdb, os
os.environ["WAREHOUSE_PATH"] = {warehouse!r}
from orchestration.quality.checks import (
    MODEL_GATES, RAW_GATES, record_validated_batches, validate_model_gate, validate_raw_gate)
rows = 0
with duckdb.connect({warehouse!r}) as con:
    for gate in RAW_GATES:
        run = validate_raw_gate(con, gate)
        record_validated_batches(con, gate, run, run_id="benchmark")
        rows += run.outcome.row_count
    for gate in MODEL_GATES:
        schema, table = gate.table.split(".")
        exists = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
        if con.execute(exists, [schema, table]).fetchone()[0]:
            rows += validate_model_gate(con, gate).row_count
print(rows)
"""

METRICS = """
import duckdb, os
os.environ["WAREHOUSE_PATH"] = {warehouse!r}
from orchestration.metrics.metricflow import SemanticLayer
from orchestration.metrics.tables import write_metric_tables
with SemanticLayer() as layer, duckdb.connect({warehouse!r}) as con:
    print(sum(write_metric_tables(con, layer, run_id="benchmark").values()))
"""

REPORT = """
from pathlib import Path
from orchestration.reports.export import export_report_database
from orchestration.reports.evidence import build_report
reports = Path({reports!r})
export_report_database(Path({warehouse!r}), reports / "sources" / "warehouse" / "report.duckdb")
print(build_report(reports, install=False).page_count)
"""

REPLAY = """
import datetime as dt, duckdb, json
from orchestration.demo_data import deliveries
first, last = dt.date.fromisoformat({first!r}), dt.date.fromisoformat({last!r})
with duckdb.connect({warehouse!r}) as con:
    con.execute("attach '{ingested}' as src (read_only)")
    deliveries.stage_deliveries(con, "src", first, last)
    # the year up to nine days before the new day in one load, then one load a night: the incremental run's window
    # (loads since China midnight of the new day minus the 7-day look-back) holds the last eight of those nights
    rows = deliveries.deliver(con, first, last - dt.timedelta(days=9))
    for back in range(8, 0, -1):
        day = last - dt.timedelta(days=back)
        rows += deliveries.deliver(con, day, day)
    print(rows)
"""

NEW_DAY = """
import datetime as dt, duckdb
from orchestration.demo_data import deliveries
last = dt.date.fromisoformat({last!r})
with duckdb.connect({warehouse!r}) as con:
    print(deliveries.deliver(con, last, last))
"""

# The same raw rows as Parquet, registered in Spark's database `raw`, then the same `dbt build --full-refresh` with
# `--target spark` (saved queries belong to the DuckDB-only metric layer; unit tests are skipped on Spark, as in
# tests/spark, which makes the comparison lean towards Spark).
SPARK = """
import os, sys
from pathlib import Path
from dbt.cli.main import dbtRunner
from orchestration.transform.spark_raw import export_raw_to_parquet
os.environ["SPARK_DIR"] = {spark_dir!r}
parquet = Path({spark_dir!r}) / "raw_parquet"
export_raw_to_parquet(Path({warehouse!r}), parquet)
common = ["--project-dir", {root!r}, "--profiles-dir", {root!r}, "--target", "spark", "--quiet"]
runner = dbtRunner()
register = ["run-operation", "register_raw_tables_on_spark", "--args", "{{parquet_dir: " + str(parquet) + "}}"]
if not runner.invoke([*register, *common]).success:
    sys.exit("registering the raw tables on Spark failed")
exclude = ["--exclude", "resource_type:saved_query", "resource_type:unit_test"]
result = runner.invoke(["build", "--full-refresh", *common, *exclude])
if not result.success:
    sys.exit(f"dbt build on Spark failed: {{result.exception}}")
print(sum(1 for r in result.result if r.node.resource_type == "model"))
"""

# Write–audit–publish's own cost on the warehouse as the build left it (orchestration/publish.py): checkpoint and
# copy the published file to the build file (before dbt), then copy `quality.*` back, checkpoint, fsync and
# `os.replace` (after the gates); dbt's own work is the dbt steps'.
PUBLISH = """
import time
from pathlib import Path
from orchestration import publish
warehouse = Path({warehouse!r})
started = time.monotonic()
publish.open_build(warehouse)
copied = time.monotonic()
publish.publish(warehouse)
done = time.monotonic()
print(f"copy {{copied - started:.1f}} s + publish {{done - copied:.1f}} s, {{warehouse.stat().st_size / 1e6:,.0f}} MB")
"""

STEPS = (
    "generate",
    "ingest",
    "floor",
    "replay",
    "dbt_build_full",
    "publish_full",
    "new_day",
    "dbt_build_incremental_day",
    "publish_incremental_day",
    "quality_gates",
    "metric_tables",
    "report",
    "dbt_build_spark",
)
SETUP_STEPS = {"replay", "new_day"}
"""Steps that prepare the next measured step (shown, not counted as pipeline work)."""


def pipeline_dbt_args(full_refresh: bool, window_start: str | None) -> list[str]:
    """The arguments the pipeline's own dbt run adds to `dbt build` (orchestration/transform/build_args.py): the
    window, a full refresh, no unit tests (CI runs those)."""
    return dbt_build_args(DbtBuildConfig(full_refresh=full_refresh), window_start)[1:]


def step_code(step: str, work: Path, args: argparse.Namespace, first: str, last: str) -> str:
    landing, ingested = work / "landing", work / "ingested.duckdb"
    warehouse = work / "warehouse" / "analytics.duckdb"
    orders = round(args.order_lines / LINES_PER_ORDER)
    code = {
        "generate": GENERATE.format(landing=str(landing), orders=orders, days=args.days, skus=args.skus),
        "ingest": INGEST.format(warehouse=str(ingested), landing=str(landing)),
        "floor": FLOOR.format(warehouse=str(ingested)),
        "replay": REPLAY.format(warehouse=str(warehouse), ingested=str(ingested), first=first, last=last),
        "dbt_build_full": DBT.format(warehouse=str(warehouse), root=str(ROOT), args=pipeline_dbt_args(True, None)),
        "publish_full": PUBLISH.format(warehouse=str(warehouse)),
        "publish_incremental_day": PUBLISH.format(warehouse=str(warehouse)),
        "new_day": NEW_DAY.format(warehouse=str(warehouse), last=last),
        "dbt_build_incremental_day": DBT.format(
            warehouse=str(warehouse), root=str(ROOT), args=pipeline_dbt_args(False, last)
        ),
        "quality_gates": GATES.format(warehouse=str(warehouse)),
        "metric_tables": METRICS.format(warehouse=str(warehouse)),
        "report": REPORT.format(warehouse=str(warehouse), reports=str(work / "reports")),
        "dbt_build_spark": SPARK.format(warehouse=str(warehouse), root=str(ROOT), spark_dir=str(work / "spark")),
    }
    return code[step]


def prepare(step: str, work: Path) -> None:
    """Start a step from a clean slate where it creates its own output."""
    if step == "generate":
        shutil.rmtree(work / "landing", ignore_errors=True)
    elif step == "ingest":
        for leftover in work.glob("ingested.duckdb*"):
            leftover.unlink()
    elif step == "replay":
        shutil.rmtree(work / "warehouse", ignore_errors=True)
        (work / "warehouse").mkdir(parents=True)
    elif step == "report" and not (work / "reports").exists():
        sys.path.insert(0, str(ROOT))
        from tests.support.reports_project import stage_reports_project

        stage_reports_project(work / "reports")
    elif step == "dbt_build_spark":
        shutil.rmtree(work / "spark", ignore_errors=True)


def order_lines(work: Path) -> int:
    import duckdb

    with duckdb.connect(str(work / "ingested.duckdb"), read_only=True) as con:
        return sum(
            con.execute(f"select count(*) from raw.{table}").fetchone()[0]  # type: ignore[index]
            for table in ("tmall_order_items", "tmall_sub_orders")
        )


def record(args: argparse.Namespace, work: Path, measured: dict[str, Measurement]) -> dict[str, object]:
    """Print the run as JSON and append it to benchmarks/results/scale.md."""
    lines = order_lines(work)

    def cell(step: str) -> str:
        m = measured.get(step)
        return f"{m.seconds:,.1f} s / {m.peak_rss_mb:,.0f} MB" if m else "not run"

    def ratio(numerator: str, denominator: str, unit: str) -> str:
        if numerator not in measured or denominator not in measured:
            return "n/a"
        value = measured[numerator].seconds / measured[denominator].seconds
        return f"{value * 100:.1f} %" if unit == "%" else f"{value:.1f}×"

    loads = [m.load_before for m in measured.values()] + [m.load_after for m in measured.values()]
    result = {
        "date": today(),
        "commit": commit(),
        "machine": machine(),
        "order_lines": lines,
        "steps": {
            step: {
                "seconds": round(m.seconds, 1),
                "cpu_seconds": round(m.cpu_seconds, 1),
                "peak_mb": round(m.peak_rss_mb),
            }
            for step, m in measured.items()
        },
        "ingest_order_lines_per_s": round(lines / measured["ingest"].seconds) if "ingest" in measured else None,
        "full_build_over_floor": ratio("dbt_build_full", "floor", "×"),
        "incremental_day_share_of_full": ratio("dbt_build_incremental_day", "dbt_build_full", "%"),
        "spark_over_duckdb": ratio("dbt_build_spark", "dbt_build_full", "×"),
        "load_1min_min_max": [round(min(loads), 1), round(max(loads), 1)],
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    columns = [
        "date", "commit", "machine", "order lines", "generate", "ingest (wall / peak)", "ingest lines/s", "floor",
        "dbt build full", "full ÷ floor", "incremental day", "incremental ÷ full", "quality gates", "metric tables",
        "report", "dbt build on Spark", "Spark ÷ DuckDB", "load (1 min) min–max",
    ]  # fmt: skip
    row = [
        result["date"], result["commit"], result["machine"], f"{lines:,}", cell("generate"), cell("ingest"),
        f"{result['ingest_order_lines_per_s']:,}" if result["ingest_order_lines_per_s"] else "n/a", cell("floor"),
        cell("dbt_build_full"), result["full_build_over_floor"], cell("dbt_build_incremental_day"),
        result["incremental_day_share_of_full"], cell("quality_gates"), cell("metric_tables"), cell("report"),
        cell("dbt_build_spark"), result["spark_over_duckdb"], f"{min(loads):.1f}–{max(loads):.1f}",
    ]  # fmt: skip
    append_row(
        RESULTS,
        "Scale: the pipeline step by step at 1M, 10M and 100M order lines",
        "Command: `.venv/bin/python benchmarks/scale.py --order-lines N [--spark]` (see the script's docstring for "
        "what each step does). Each cell: wall seconds / peak RSS of the step's process (children included). "
        "`floor` = one DuckDB pass over the raw order lines; `incremental day` = `dbt build` after one more day "
        "lands on top of the year, with the default 7-day look-back (9 nights of loads re-processed).",
        columns,
        row,
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--order-lines", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365, help="days of demo data (the last is the new day)")
    parser.add_argument("--skus", type=int, default=2_000)
    parser.add_argument("--work", type=Path, help="work folder (default benchmarks/work/scale-<order lines>)")
    parser.add_argument("--spark", action="store_true", help="also build the same models on Spark local mode")
    parser.add_argument(
        "--from-step", choices=STEPS, default="generate", help="reuse the work folder's earlier steps' output"
    )
    parser.add_argument(
        "--to-step",
        choices=STEPS,
        help="stop after this step without writing a results row (a later --from-step run reports every step)",
    )
    args = parser.parse_args()
    work = (args.work or ROOT / "benchmarks" / "work" / f"scale-{args.order_lines}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

    from datetime import date, timedelta

    first = date(2025, 1, 1)
    last = first + timedelta(days=args.days - 1)
    end = STEPS.index(args.to_step) + 1 if args.to_step else len(STEPS)
    steps = [s for s in STEPS[STEPS.index(args.from_step) : end] if s != "dbt_build_spark" or args.spark]
    # the measurements of earlier steps on this work folder (a run resumed with --from-step reports them too)
    saved = work / "steps.json"
    earlier = json.loads(saved.read_text(encoding="utf-8")) if saved.exists() and args.from_step != "generate" else {}
    measured: dict[str, Measurement] = {
        step: Measurement(**values) for step, values in earlier.items() if STEPS.index(step) < STEPS.index(steps[0])
    }
    outputs: dict[str, str] = {}
    for step in steps:
        prepare(step, work)
        print(f"--- {step}", flush=True)
        measured[step] = measure(step, step_code(step, work, args, first.isoformat(), last.isoformat()))
        outputs[step] = measured[step].output.splitlines()[-1] if measured[step].output else ""
        m = measured[step]
        saved.write_text(json.dumps({k: vars(v) for k, v in measured.items()}, indent=2), encoding="utf-8")
        print(
            f"{step}: {m.seconds:.1f} s wall, {m.cpu_seconds:.1f} CPU s, peak {m.peak_rss_mb:.0f} MB: {outputs[step]}",
            flush=True,
        )
    if args.to_step is None:
        record(args, work, measured)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
