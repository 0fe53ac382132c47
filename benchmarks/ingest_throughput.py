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
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def run_step(step: str, work: Path, source: Path) -> dict[str, float]:
    """Run one step in a fresh Python process; returns its seconds, CPU seconds (all threads) and peak RSS (MB)."""
    code = {
        "product": (
            "import duckdb, pathlib, sys; sys.path.insert(0, {!r})\n"
            "from orchestration.ingest.loader import ingest_landing\n"
            "con = duckdb.connect({!r})\n"
            "report = ingest_landing(con, pathlib.Path({!r}))\n"
            "print(report.totals('tmall_orders')['rows_loaded'])\n"
        ).format(str(ROOT), str(work / "product.duckdb"), str(source.parent)),
        "duckdb_read_csv": (
            "import duckdb\n"
            "con = duckdb.connect({!r})\n"
            'con.execute("create table orders as select * from read_csv({!r}, all_varchar = true, header = true)")\n'
            "print(con.execute('select count(*) from orders').fetchone()[0])\n"
        ).format(str(work / "duckdb.duckdb"), str(source)),
    }[step]
    for leftover in work.glob(f"{'product' if step == 'product' else 'duckdb'}.duckdb*"):
        leftover.unlink()
    started = time.perf_counter()
    wrapper = (
        "import resource, runpy, sys\n"
        f"exec(compile({code!r}, '<{step}>', 'exec'))\n"
        "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime)\n"
    )
    output = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    loaded, peak_kb, cpu_seconds = output.stdout.split()[-3:]
    return {"seconds": seconds, "rows": int(loaded), "peak_rss_mb": int(peak_kb) / 1024, "cpu_s": float(cpu_seconds)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

    gbk, utf8, count = build_input(args.work, args.rows)
    # the machine may be shared: the load average around the two steps says how fair the comparison was
    load_before = os.getloadavg()[0]
    product = run_step("product", args.work, gbk)
    floor = run_step("duckdb_read_csv", args.work, utf8)
    load_after = os.getloadavg()[0]
    assert product["rows"] == floor["rows"] == count, (product, floor, count)
    ratio = product["seconds"] / floor["seconds"]

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
    result = {
        "date": dt.date.today().isoformat(),
        "commit": commit.strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {memory_gib:.0f} GiB",
        "rows": count,
        "input_mb": gbk.stat().st_size / 1e6,
        "product_s": product["seconds"],
        "product_rows_per_s": count / product["seconds"],
        "product_peak_mb": product["peak_rss_mb"],
        "duckdb_s": floor["seconds"],
        "duckdb_peak_mb": floor["peak_rss_mb"],
        "ratio": ratio,
        "load_1min_before_after": [round(load_before, 1), round(load_after, 1)],
        # CPU seconds depend less on what else runs on a shared machine than wall-clock seconds do
        "product_cpu_s": product["cpu_s"],
        "duckdb_cpu_s": floor["cpu_s"],
        "cpu_ratio": product["cpu_s"] / floor["cpu_s"],
    }
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Ingest throughput: one GBK order report, product loader vs DuckDB read_csv (UTF-8)\n\n"
            "Command: `.venv/bin/python benchmarks/ingest_throughput.py --rows N`. Each step runs in its own process; "
            "peak = that process's max RSS.\n\n"
            "| date | commit | machine | rows | input MB | product s | rows/s | product peak MB | "
            "DuckDB read_csv s | DuckDB peak MB | ratio | load avg (1 min) before / after | product CPU s | "
            "DuckDB CPU s | CPU ratio |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
            encoding="utf-8",
        )
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(
            f"| {result['date']} | {result['commit']} | {result['machine']} | {count:,} | {result['input_mb']:.0f} | "
            f"{result['product_s']:.1f} | {result['product_rows_per_s']:,.0f} | {result['product_peak_mb']:.0f} | "
            f"{result['duckdb_s']:.1f} | {result['duckdb_peak_mb']:.0f} | {ratio:.1f}× | "
            f"{load_before:.1f} / {load_after:.1f} | {product['cpu_s']:.1f} | {floor['cpu_s']:.1f} | "
            f"{result['cpu_ratio']:.1f}× |\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
