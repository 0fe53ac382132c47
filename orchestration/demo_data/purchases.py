"""聚水潭 purchase receipts (采购入库) for the replenishment the inventory simulation runs.

Every purchase order the (s, S) policy places is one line of a 采购单 (one per supplier, warehouse and day); its goods
arrive on the simulated arrival time and are booked as a receipt (入库单: one per purchase order and arrival day) at
the SKU's cost price, so receipts add up to the stock the snapshots gain. Receipts of the last day and a half before
the extract are still 待审核; the others are 已审核, approved within two hours of arrival.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from . import formats as f
from .config import FileSummary
from .inventory import REPLENISH_SECOND

if TYPE_CHECKING:
    from .context import Context

EPOCH_DAY = 86400
PENDING_SECONDS = 36 * 3600


def supplier_of(category: int, style_index: int) -> str:
    suppliers = f.SUPPLIERS[category % len(f.SUPPLIERS)]
    return suppliers[style_index % len(suppliers)]


def write_purchase_receipts(ctx: Context) -> None:
    config = ctx.config
    inventory = ctx.inventory
    skus = ctx.catalog.skus
    n_wh = len(f.WAREHOUSES)
    as_of = ctx.as_of_ts
    rng = np.random.default_rng([config.seed, 13])
    # (arrival, po key, sku, warehouse, qty) of every purchase that arrived by the extract; the po key's day is when
    # the purchase order was placed (its 采购日期, at REPLENISH_SECOND)
    arrivals: list[tuple[int, tuple[str, int, int], int, int, int]] = []
    for placed_day, cells, qty, arrive in inventory.purchases:
        for cell, q, t in zip(cells.tolist(), qty.tolist(), arrive.tolist(), strict=True):
            if t > as_of:
                continue
            sku, wh = divmod(cell, n_wh)
            supplier = supplier_of(skus[sku].category, skus[sku].style_index)
            arrivals.append((t, (supplier, wh, placed_day), sku, wh, q))
    arrivals.sort()
    po_ids: dict[tuple[str, int, int], int] = {}
    po_days: dict[int, int] = {}  # purchase order -> the day offset it was placed
    next_po = 3_100_000
    for _, po_key, *_rest in sorted(arrivals, key=lambda a: (a[1][2], a[1][0], a[1][1])):
        if po_key not in po_ids:
            next_po += 1
            po_ids[po_key] = next_po
            po_days[next_po] = po_key[2]
    # one receipt per purchase order and arrival day; its time is the first arrival of that day
    receipts: dict[tuple[int, int], list[tuple[int, int, int, int]]] = defaultdict(list)
    for t, po_key, sku, wh, q in arrivals:
        receipts[(po_ids[po_key], t // EPOCH_DAY)].append((t, sku, wh, q))
    sinks: dict[tuple[int, int], f.CsvSink] = {}
    next_io = 8_200_000
    for (po_id, _), lines in sorted(receipts.items(), key=lambda kv: (min(x[0] for x in kv[1]), kv[0])):
        next_io += 1
        received = min(x[0] for x in lines)
        pending = received > as_of - PENDING_SECONDS
        modified = received if pending else min(as_of, received + int(rng.integers(600, 7200)))
        when = ctx.format_ts(received)
        day = ctx.config.start + timedelta(days=(received - ctx.day0_ts) // EPOCH_DAY)
        key = (day.year, day.month)
        sink = sinks.get(key)
        if sink is None:
            sink = sinks[key] = f.CsvSink(
                ctx.root,
                f"erp/采购入库_{day.year:04d}{day.month:02d}.csv",
                f.DATASET_ERP_PURCHASE_RECEIPTS,
                f.ERP_PURCHASE_RECEIPT_HEADER,
                f.ERP_ENCODING,
                bom=True,
            )
        ordered = ctx.format_ts(ctx.day0_ts + po_days[po_id] * EPOCH_DAY + REPLENISH_SECOND)
        for _, sku_index, wh, q in sorted(lines, key=lambda x: (skus[x[1]].sku_id, x[2])):
            sku = skus[sku_index]
            sink.add(
                f"{next_io},{po_id},{ordered},{supplier_of(sku.category, sku.style_index)},{f.WAREHOUSES[wh]},"
                f"{sku.sku_id},"
                f"{sku.style_id},{sku.sku_name},{sku.erp_properties},{q},{f.money(sku.cost_cents)},"
                f"{f.money(sku.cost_cents * q)},{when},{f.RECEIPT_WAITING if pending else f.RECEIPT_CONFIRMED},"
                f"{ctx.format_ts(modified)}"
            )
    for key in sorted(sinks):
        sink = sinks[key]
        size = sink.close()  # a CSV sink counts its rows as it flushes them
        ctx.files.append(FileSummary(sink.relative, sink.dataset, sink.rows, size))
