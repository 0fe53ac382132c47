"""Benchmark: the report build (the pipeline's last asset) on the warehouse `make run` left behind.

    .venv/bin/python benchmarks/report_build.py        # after `make run` on the default demo data

Runs, in a fresh process, what the asset `report/evidence_report` runs: `evidence sources` then `evidence build`
over the report database that `report/report_database` exported (reports/sources/warehouse/report.duckdb), with
node modules already installed. Records wall and CPU seconds (node included), the peak RSS of the largest
process, the pages and size of `reports/build`, and the demo's order count, as a row of
benchmarks/results/report_build.md. The issue's target: under 3 minutes on the default demo data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, append_row, commit, machine, measure, today  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "report_build.md"
DATABASE = ROOT / "reports" / "sources" / "warehouse" / "report.duckdb"

BUILD = """
import json
from orchestration.reports.evidence import build_report
build = build_report(install=False)
print(json.dumps({"pages": build.page_count, "bytes": build.size_bytes}))
"""


def main() -> int:
    if not DATABASE.is_file():
        print(f"{DATABASE} is missing: run `make run` first", file=sys.stderr)
        return 2
    import duckdb

    with duckdb.connect(str(DATABASE), read_only=True) as con:
        orders = con.execute("select coalesce(sum(orders), 0) from daily_kpis").fetchone()[0]  # type: ignore[index]
    measured = measure("report_build", BUILD)
    built = json.loads(measured.output.splitlines()[-1])
    row = {
        "date": today(),
        "commit": commit(),
        "machine": machine(),
        "orders": int(orders),
        "seconds": round(measured.seconds, 1),
        "cpu_seconds": round(measured.cpu_seconds, 1),
        "peak_rss_mb": round(measured.peak_rss_mb),
        "pages": built["pages"],
        "build_mb": round(built["bytes"] / 1e6),
        "load_1min_before_after": [round(measured.load_before, 1), round(measured.load_after, 1)],
    }
    print(json.dumps(row, indent=2))
    append_row(
        RESULTS,
        "Report build: Evidence sources + build on the default demo data",
        "Command: `make run`, then `.venv/bin/python benchmarks/report_build.py`. Target: under 3 minutes (wall). "
        "CPU s = user + system of the step and its children (node); peak = the largest process's max RSS.",
        ["date", "commit", "machine", "orders", "wall s", "CPU s", "peak MB", "pages", "build MB", "load"],
        [
            row["date"],
            row["commit"],
            row["machine"],
            f"{row['orders']:,}",
            row["seconds"],
            row["cpu_seconds"],
            row["peak_rss_mb"],
            row["pages"],
            row["build_mb"],
            f"{measured.load_before:.1f} / {measured.load_after:.1f}",
        ],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
