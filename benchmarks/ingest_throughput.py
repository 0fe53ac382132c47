"""Benchmark: ingest of one large GBK Tmall order report against DuckDB's own CSV reader on the same data in UTF-8.

    .venv/bin/python benchmarks/ingest_throughput.py [--rows 1000000] [--work benchmarks/work]

Builds the input once from the demo generator (the monthly order reports of one generated year, concatenated into one
GBK file with one header), then, each in a fresh process so peak memory is its own:
- `product`: `orchestration.ingest.loader.ingest_landing` (decode, parse, quarantine checks, load into raw, log);
- `duckdb_read_csv`: `create table as select * from read_csv(<utf-8 copy>, all_varchar=true)`, the floor for any
  loader that reads its input once.
Writes a Markdown row to benchmarks/results/ingest_throughput.md (machine, commit, inputs, times, ratio, peak RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, Measurement, append_row, commit, machine, measure, today  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "ingest_throughput.md"


def build_input(work: Path, rows: int) -> tuple[Path, Path, int]:
    """One GBK order report with at least `rows` data rows, and its UTF-8 twin."""
    gbk = work / "landing" / "ExportOrderList_benchmark.csv"
    utf8 = work / "ExportOrderList_benchmark.utf8.csv"
    if gbk.exists() and utf8.exists():
        count = sum(1 for _ in gbk.open("rb")) - 1
        if count >= rows:
            return gbk, utf8, count
    sys.path.insert(0, str(ROOT))
    from orchestration.demo_data import DemoConfig, generate

    generated = work / "generated"
    if generated.exists():
        import shutil

        shutil.rmtree(generated)
    generate(generated, DemoConfig(orders=rows, skus=500))
    gbk.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with gbk.open("wb") as out:
        for index, part in enumerate(sorted(generated.rglob("ExportOrderList*.csv"))):
            lines = part.read_bytes().split(b"\r\n")
            header, body = lines[0], [line for line in lines[1:] if line]
            if index == 0:
                out.write(header + b"\r\n")
            out.write(b"\r\n".join(body) + b"\r\n")
            count += len(body)
    utf8.write_bytes(gbk.read_bytes().decode("gb18030").encode("utf-8"))
    return gbk, utf8, count


def run_step(step: str, work: Path, source: Path) -> tuple[int, Measurement]:
    """Run one step in a fresh Python process; returns the rows it loaded and its measurement."""
    code = {
        "product": (
            "import duckdb, pathlib\n"
            "from orchestration.ingest.loader import ingest_landing\n"
            "con = duckdb.connect({!r})\n"
            "report = ingest_landing(con, pathlib.Path({!r}))\n"
            "print(report.totals('tmall_orders')['rows_loaded'])\n"
        ).format(str(work / "product.duckdb"), str(source.parent)),
        "duckdb_read_csv": (
            "import duckdb\n"
            "con = duckdb.connect({!r})\n"
            'con.execute("create table orders as select * from read_csv({!r}, all_varchar = true, header = true)")\n'
            "print(con.execute('select count(*) from orders').fetchone()[0])\n"
        ).format(str(work / "duckdb.duckdb"), str(source)),
    }[step]
    for leftover in work.glob(f"{'product' if step == 'product' else 'duckdb'}.duckdb*"):
        leftover.unlink()
    measured = measure(step, code)
    return int(measured.output.split()[-1]), measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

    gbk, utf8, count = build_input(args.work, args.rows)
    # the machine may be shared: the load average around the two steps says how fair the comparison was
    product_rows, product = run_step("product", args.work, gbk)
    floor_rows, floor = run_step("duckdb_read_csv", args.work, utf8)
    assert product_rows == floor_rows == count, (product_rows, floor_rows, count)
    ratio = product.seconds / floor.seconds
    result = {
        "date": today(),
        "commit": commit(),
        "machine": machine(),
        "rows": count,
        "input_mb": gbk.stat().st_size / 1e6,
        "product_s": product.seconds,
        "product_rows_per_s": count / product.seconds,
        "product_peak_mb": product.peak_rss_mb,
        "duckdb_s": floor.seconds,
        "duckdb_peak_mb": floor.peak_rss_mb,
        "ratio": ratio,
        "load_1min_before_after": [round(product.load_before, 1), round(floor.load_after, 1)],
        # CPU seconds depend less on what else runs on a shared machine than wall-clock seconds do
        "product_cpu_s": product.cpu_seconds,
        "duckdb_cpu_s": floor.cpu_seconds,
        "cpu_ratio": product.cpu_seconds / floor.cpu_seconds,
    }
    print(json.dumps(result, indent=2))
    append_row(
        RESULTS,
        "Ingest throughput: one GBK order report, product loader vs DuckDB read_csv (UTF-8)",
        "Command: `.venv/bin/python benchmarks/ingest_throughput.py --rows N`. Each step runs in its own process; "
        "peak = that process's max RSS.",
        [
            "date", "commit", "machine", "rows", "input MB", "product s", "rows/s", "product peak MB",
            "DuckDB read_csv s", "DuckDB peak MB", "ratio", "load avg (1 min) before / after", "product CPU s",
            "DuckDB CPU s", "CPU ratio",
        ],  # fmt: skip
        [
            result["date"], result["commit"], result["machine"], f"{count:,}", f"{result['input_mb']:.0f}",
            f"{product.seconds:.1f}", f"{result['product_rows_per_s']:,.0f}", f"{product.peak_rss_mb:.0f}",
            f"{floor.seconds:.1f}", f"{floor.peak_rss_mb:.0f}", f"{ratio:.1f}×",
            f"{product.load_before:.1f} / {floor.load_after:.1f}", f"{product.cpu_seconds:.1f}",
            f"{floor.cpu_seconds:.1f}", f"{result['cpu_ratio']:.1f}×",
        ],  # fmt: skip
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
