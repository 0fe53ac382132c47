"""Write a complete landing folder: Tmall seller-center exports per shop and month (the classic two CSV reports, or
for one shop's last months the newer sub-order XLSX export), 生意参谋 traffic per shop and month, ERP extracts per
month and week (orders, outbound, stock, purchase receipts).

Streaming: the period is walked month by month and day by day; a day's orders are generated in chunks of at most
CHUNK_ORDERS and written straight to the open files (an XLSX workbook spills its rows to a scratch file until it is
closed). Only the buyer and SKU pools (plus one byte per pool buyer: how often they ordered), the open files, a few
weeks of pending stock events and the paying buyers of the last day or two (生意参谋 counts distinct buyers per day;
a closed day keeps only its figures) are held in memory, so the scale is limited by disk and time, not by memory.

The output is deterministic: the same configuration gives byte-identical files. Nothing depends on the wall clock;
every random draw comes from a stream keyed by the seed and the position (day, shop, chunk) it is used for.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time as _time
from datetime import timedelta
from pathlib import Path

import numpy as np

from .bad_input import plant
from .config import DemoConfig, GenerationSummary
from .context import Context
from .purchases import write_purchase_receipts
from .trade import CHUNK_ORDERS, generate_chunk
from .trade_calendar import daily_order_counts
from .traffic import write_traffic

logger = logging.getLogger(__name__)


def generate(out_dir: Path, config: DemoConfig | None = None, *, overwrite: bool = False) -> GenerationSummary:
    """Generate the demo landing files into `out_dir` and return what was written.

    `out_dir` must be missing or hold no files, unless `overwrite` is set (then files with the same names are
    replaced and other files are left alone). The files are written to a sibling temporary folder first and moved
    into place at the end, so a failed run leaves no partial data set behind.
    """
    config = config or DemoConfig()
    out_dir = Path(out_dir)
    if out_dir.exists() and any(p.is_file() for p in out_dir.rglob("*")) and not overwrite:
        raise FileExistsError(f"{out_dir} already holds files; refusing to mix demo data into it")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    started = _time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        ctx = _generate_into(work, config)
        _move_into_place(work, out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    files = sorted(ctx.files, key=lambda x: x.path)
    counts = ctx.buyer_order_counts
    buyers = int(np.count_nonzero(counts))
    repeat = int(np.count_nonzero(counts >= 2))
    stats = dict(sorted(ctx.stats.items()))
    stats.update(
        {
            "orders": config.orders,
            "orders_by_status": dict(sorted(ctx.status_counts.items())),
            "buyers": buyers,
            "repeat_buyers": repeat,
            "orders_by_repeat_buyers": int(counts[counts >= 2].sum(dtype=np.int64)),
            "max_orders_per_buyer": int(counts.max()) if counts.size else 0,
            "skus": ctx.catalog.n,
        }
    )
    summary = GenerationSummary(
        str(out_dir), config, config.as_of.isoformat(sep=" "), files, stats, bad_input=ctx.bad_input
    )
    logger.info(
        "demo data written to %s in %.1f s: %s",
        out_dir,
        _time.monotonic() - started,
        ", ".join(f"{k} {v:,} rows" for k, v in summary.datasets.items()),
    )
    return summary


def _generate_into(root: Path, config: DemoConfig) -> Context:
    ctx = Context(root, config)
    ctx.write_sku_master()
    ctx.open_refund_exports()
    per_day = daily_order_counts(config.orders, config.start, config.days, np.random.default_rng([config.seed, 3]))
    split_rng = np.random.default_rng([config.seed, 5])
    per_day_shop = np.stack([split_rng.multinomial(int(n), ctx.shop_share) for n in per_day.tolist()])
    day = 0
    for month_no, (year, month) in enumerate(ctx.months):
        ctx.open_month(month_no)
        month_orders = 0
        while day < config.days and (config.start + timedelta(days=day)).month == month:
            for shop in range(config.shops):
                n = int(per_day_shop[day, shop])
                for sub, offset in enumerate(range(0, n, CHUNK_ORDERS)):
                    generate_chunk(ctx, day, shop, sub, min(CHUNK_ORDERS, n - offset))
                month_orders += n
            # an order pays within a day of its creation: every payment of this day is known now
            ctx.traffic.close_days(day + 1)
            ctx.write_snapshot(day)
            day += 1
        ctx.close_month(month_no)
        logger.info("demo data: %04d-%02d done, %s orders", year, month, f"{month_orders:,}")
    ctx.close_refund_exports()
    write_traffic(ctx)
    write_purchase_receipts(ctx)
    ctx.bad_input = plant(ctx) if config.bad_input else {}
    return ctx


def _move_into_place(work: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(work, out_dir)
        work.mkdir()  # the caller removes it
        return
    for path in sorted(work.rglob("*")):
        if path.is_file():
            target = out_dir / path.relative_to(work)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
