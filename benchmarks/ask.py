"""Answer time of `orchestration.ask` on a warehouse (default: WAREHOUSE_PATH, the demo warehouse `make run` builds).

    WAREHOUSE_PATH=/path/to/analytics.duckdb .venv/bin/python benchmarks/ask.py [--out benchmarks/results/ask.md]

Loads MetricFlow and the vocabulary once (what the CLI does per invocation, and once for a stdin session), then
answers each question of docs/asking.md ("Asking in Chinese") and a few more, timing each (parse + MetricFlow
compile + DuckDB).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = (
    "上个月各店铺的净销售额",
    "近三月热销商品",
    "上个月各店铺的净销售额环比",
    "上海上个月的客单价",
    "每月复购率",
    "2025年3月各品类的毛利率",
    "双11期间各仓库的48小时发货率",
    "新老客的客单价",
    "各RFM分层的支付买家数",
    "去年双11的成交额同比",
    "近7天每天的订单数",
    "哪天的净销售额最高",
    "退款率最高的城市前5",
    "上个月的客流量",
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    from orchestration.ask.answer import Asker
    from orchestration.settings import Settings

    warehouse = Settings.from_env().warehouse_path
    started = time.perf_counter()
    asker = Asker(warehouse)
    startup = time.perf_counter() - started
    timings = []
    for question in QUESTIONS:
        started = time.perf_counter()
        answer = asker.ask(question)
        timings.append((question, time.perf_counter() - started, len(answer.rows), answer.refused))
    asker.close()
    after_first = [t for _, t, _, _ in timings[1:]]
    lines = [
        f"warehouse: {warehouse} (data as of {asker.as_of}); machine: {platform.machine()}, {os.cpu_count()} cores",
        f"start-up (MetricFlow, vocabulary with the warehouse's dimension values, jieba): {startup:.2f} s",
        "",
        "| question | seconds | rows | refused |",
        "|---|---:|---:|---|",
        *[f"| {q} | {t:.2f} | {n} | {'yes' if r else ''} |" for q, t, n, r in timings],
        "",
        f"after the first: median {statistics.median(after_first):.2f} s, max {max(after_first):.2f} s "
        f"(first {timings[0][1]:.2f} s)",
    ]
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
