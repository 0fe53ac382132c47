"""Benchmark: the report step against the number of orders, everything else fixed (issue 18: the report build grows
with days and SKUs, not orders; target: at 10× the orders within 1.5× the time).

    .venv/bin/python benchmarks/report_orders.py --warehouse W [--orders-from W2] [--times 1 10] [--code DIR]

For each multiplier K, copies the warehouse W (a built one: `make run`'s, or a benchmarks/scale.py work folder's)
with the relations the report reads one row per order (ORDER_RELATIONS) taken from --orders-from (default W) and
repeated K times under new ids, then runs, in a fresh process, what scale.py's `report` step runs: the report
database export and the Evidence build, on a private copy of the Evidence project. `--code DIR` runs another
checkout's export and pages (e.g. `git archive <commit> | tar -x -C DIR`, for the before of a change).
Appends one row per K to benchmarks/results/report_orders.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, append_row, commit, machine, measure, today  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "report_orders.md"
ORDER_RELATIONS = {  # relation -> its id columns, suffixed with the copy's number
    "marts.fct_order_fulfilment": ("order_id",),
    "marts.fct_order_reconciliation": ("reconciliation_item_id", "order_id", "erp_order_id"),
}

REPORT = """
import shutil, sys
from pathlib import Path
sys.path.insert(0, {code!r})
from orchestration.reports.evidence import build_report
from orchestration.reports.export import export_report_database
from tests.support.reports_project import stage_reports_project
reports = Path({reports!r})
shutil.rmtree(reports, ignore_errors=True)
stage_reports_project(reports)
counts = export_report_database(Path({warehouse!r}), reports / "sources" / "warehouse" / "report.duckdb")
print(build_report(reports, install=False).page_count, sum(counts.values()))
"""


def scaled_warehouse(warehouse: Path, orders_from: Path, times: int, target: Path) -> int:
    """A copy of `warehouse` whose per-order relations are those of `orders_from`, `times` times; their order count."""
    import duckdb

    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, target)
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{orders_from}' as source (read_only)")
        for relation, ids in ORDER_RELATIONS.items():
            renamed = ", ".join(f"{c} || case when k = 0 then '' else '-' || k end as {c}" for c in ids)
            con.execute(
                f"create or replace table {relation} as select * exclude (k) replace ({renamed}) "
                f"from source.{relation}, range({times}) as copies(k)"
            )
        con.execute("detach source")
        return con.execute("select count(*) from marts.fct_order_fulfilment").fetchone()[0]  # type: ignore[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--orders-from", type=Path, help="the warehouse whose per-order relations are used")
    parser.add_argument("--times", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose export and pages run")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work" / "report-orders")
    args = parser.parse_args()
    code = args.code.resolve()
    code_commit = commit() if code == ROOT else code.name
    for times in args.times:
        warehouse = args.work / f"x{times}" / "analytics.duckdb"
        orders = scaled_warehouse(args.warehouse.resolve(), (args.orders_from or args.warehouse).resolve(), times,
                                  warehouse)  # fmt: skip
        print(f"--- {orders:,} orders (x{times}), code {code_commit}", flush=True)
        step = REPORT.format(code=str(code), reports=str(args.work / f"x{times}" / "reports"), warehouse=str(warehouse))
        m = measure(f"report_x{times}", step)
        pages, rows = m.output.splitlines()[-1].split()
        summary = {"seconds": round(m.seconds, 1), "cpu_seconds": round(m.cpu_seconds, 1), "pages": int(pages)}
        print(json.dumps({**summary, "peak_mb": round(m.peak_rss_mb), "report_rows": int(rows)}), flush=True)
        append_row(
            RESULTS,
            "Report step against the number of orders",
            "Command: `.venv/bin/python benchmarks/report_orders.py --warehouse W --orders-from W2 --times 1 10 "
            "[--code DIR]` (see its docstring): the report database export and the Evidence build on a warehouse "
            "whose per-order marts are repeated K times, everything else fixed. Target (issue 18): 10× the orders "
            "within 1.5× the time. CPU s counts node too; `report rows` = rows of the report database.",
            ["date", "code", "machine", "orders", "×", "report rows", "wall s", "CPU s", "peak MB", "load"],
            [today(), code_commit, machine(), f"{orders:,}", times, f"{int(rows):,}", f"{m.seconds:.1f}",
             f"{m.cpu_seconds:.1f}", f"{m.peak_rss_mb:,.0f}", f"{m.load_before:.1f} / {m.load_after:.1f}"],
        )  # fmt: skip
        shutil.rmtree(args.work / f"x{times}", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
