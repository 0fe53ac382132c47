"""Command line: `python -m orchestration.demo_data --out data/landing [--orders 150000] [--seed 20250101] ...`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

from .config import DemoConfig
from .generator import generate


def main(argv: list[str] | None = None) -> int:
    defaults = DemoConfig()
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.demo_data",
        description="Write deterministic demo Tmall and ERP exports into a landing folder.",
    )
    parser.add_argument("--out", type=Path, required=True, help="landing folder to write (must hold no files)")
    parser.add_argument("--orders", type=int, default=defaults.orders, help="Tmall orders over the period")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--start", type=date.fromisoformat, default=defaults.start, help="first day, YYYY-MM-DD")
    parser.add_argument("--days", type=int, default=defaults.days)
    parser.add_argument("--shops", type=int, default=defaults.shops)
    parser.add_argument("--skus", type=int, default=defaults.skus)
    parser.add_argument(
        "--sub-order-months",
        type=int,
        default=defaults.sub_order_months,
        help="last months one shop delivers as the sub-order XLSX export instead of the classic two CSVs (0: none)",
    )
    parser.add_argument(
        "--no-bad-input",
        action="store_true",
        help="leave out the planted bad input (mangled ids, a truncated file, a note, a duplicate delivery)",
    )
    parser.add_argument("--force", action="store_true", help="write into a folder that already holds files")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress logging")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(asctime)s %(message)s")
    try:
        config = DemoConfig(
            orders=args.orders,
            seed=args.seed,
            start=args.start,
            days=args.days,
            shops=args.shops,
            skus=args.skus,
            sub_order_months=args.sub_order_months,
            bad_input=not args.no_bad_input,
        )
        summary = generate(args.out, config, overwrite=args.force)
    except (ValueError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"demo data in {summary.out_dir} (as of {summary.as_of})")
    for dataset, rows in summary.datasets.items():
        files = summary.files_of(dataset)
        print(f"  {dataset:<18} {rows:>12,} rows in {len(files):>3} files, {sum(x.bytes for x in files):>14,} bytes")
    stats = summary.stats
    print(f"  buyers {stats['buyers']:,} ({stats['repeat_buyers']:,} repeat), orders by status:")
    for status, count in stats["orders_by_status"].items():
        print(f"    {status:<14} {count:>10,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
