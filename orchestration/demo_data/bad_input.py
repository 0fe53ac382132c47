"""The unhappy path a real landing folder holds, planted into the demo after the clean exports are written.

Deterministic from the seed, a small share of every demo (`DemoConfig.bad_input`, on by default):

- **Excel-mangled order ids**: a few rows of an older order report (订单报表) of the first shop whose 订单编号 Excel
  turned into scientific notation (`5.11861E+18`) when the merchant re-saved rows of it. The ingest quarantines
  them; their item lines in the matching item report are then held back (`raw.held_back`).
- **A truncated file**: the latest order report of the first shop, cut short by an interrupted download inside a
  multi-byte GBK character of its last row (no final line ending). The ingest quarantines the cut row and names the
  file as truncated; the order's item lines are held back.
- **An unknown file**: a merchant's note (`说明.txt`, GBK, as Notepad saves it) beside the exports. The ingest lists
  it as not loaded, with its reason.
- **A duplicate delivery**: an ERP sales-order export downloaded twice (`订单_<yyyymm> (1).csv`, the browser's name
  for the second copy), byte for byte the same: the ingest logs it as a duplicate and loads nothing of it.

What was planted is returned (and kept in `GenerationSummary.bad_input`), so tests can say what the ingest must find.
Data rows stay counted where they were written (a cut row or a mangled one is still a row in: the ingest quarantines
it); the unknown file and the duplicate are listed in the summary's files without a dataset's rows.
"""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import numpy as np

from . import formats as f
from .config import FileSummary

if TYPE_CHECKING:
    from .context import Context

MANGLED_ROWS = 3
"""Order rows whose id Excel mangled (in one order report)."""

NOTE_NAME = "说明.txt"
NOTE_TEXT = (
    "{shop}（店铺ID {shop_id}）的订单报表和宝贝报表每月初从卖家中心下载，放在这个文件夹里。\r\n"
    "ERP 的订单、销售出库、库存每月导出一次。对账有问题找财务小王。\r\n"
)


def excel_scientific(order_id: str) -> str:
    """How Excel's General format shows a 19-digit id in a default-width cell: 6 significant digits, trailing zeros
    dropped (`5118609024991031607` -> `5.11861E+18`, `5100000000000000000` -> `5.1E+18`)."""
    exact = Decimal(order_id)
    exponent = exact.adjusted()
    digits = exact.scaleb(5 - exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)  # Excel rounds half up
    if digits == 10**6:  # 9.999995… rounds up to the next power of ten
        digits, exponent = Decimal(10**5), exponent + 1
    mantissa = f"{digits.scaleb(-5):.5f}"
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E+{exponent}"


def plant(ctx: Context) -> dict[str, Any]:
    """Plant the bad input into the written landing folder `ctx.root`, updating `ctx.files`; returns what was
    planted (empty lists where the data set is too small to hold a case)."""
    rng = np.random.default_rng([ctx.config.seed, 17])
    planted: dict[str, Any] = {
        "excel_mangled_order_ids": [],
        "mangled_file": None,
        "truncated_file": None,
        "truncated_order_id": None,
        "unknown_files": [],
        "duplicates": {},
    }
    by_path = {s.path: k for k, s in enumerate(ctx.files)}
    first_shop = f"tmall/{ctx.shop_folders[0]}/"
    reports = sorted(
        (s for s in ctx.files if s.dataset == f.DATASET_TMALL_ORDERS and s.path.startswith(first_shop) and s.rows),
        key=lambda s: s.path,  # ExportOrderList<stamp>: the stamp grows with the month
    )
    if reports:
        latest = reports[-1]
        older = reports[-2] if len(reports) >= 2 else latest
        lines = _lines(ctx, older.path)
        # data rows 1..n; the latest report's last row is cut below, so it is not a candidate
        candidates = list(range(1, len(lines) - (1 if older is latest else 0)))
        chosen = sorted(rng.choice(candidates, size=min(MANGLED_ROWS, len(candidates)), replace=False).tolist())
        for k in chosen:
            head, rest = lines[k].split(",", 1)
            order_id = head.removeprefix('="').removesuffix('"')
            lines[k] = f"{excel_scientific(order_id)},{rest}"
            planted["excel_mangled_order_ids"].append(order_id)
        if chosen:
            planted["mangled_file"] = older.path
            _write_lines(ctx, older.path, lines, by_path)
        planted["truncated_order_id"] = _truncate_last_row(ctx, latest.path, by_path)
        planted["truncated_file"] = latest.path

    note = f"{first_shop}{NOTE_NAME}"
    data = NOTE_TEXT.format(shop=ctx.shop_names[0], shop_id=ctx.shop_ids[0]).encode(f.TMALL_ENCODING)
    (ctx.root / note).write_bytes(data)
    ctx.files.append(FileSummary(note, "", 0, len(data)))
    planted["unknown_files"].append(note)

    erp_orders = sorted((s for s in ctx.files if s.dataset == f.DATASET_ERP_ORDERS and s.rows), key=lambda s: s.path)
    if erp_orders:
        original = erp_orders[-2] if len(erp_orders) >= 2 else erp_orders[-1]
        name = PurePosixPath(original.path)
        copy = str(name.with_name(f"{name.stem} (1){name.suffix}"))
        shutil.copyfile(ctx.root / original.path, ctx.root / copy)
        ctx.files.append(FileSummary(copy, original.dataset, original.rows, original.bytes, duplicate_of=original.path))
        planted["duplicates"][copy] = original.path
    return planted


def _lines(ctx: Context, relative: str) -> list[str]:
    """The CRLF lines of a Tmall CSV (header first), without the final empty one."""
    text = (ctx.root / relative).read_bytes().decode(f.TMALL_ENCODING)
    lines = text.split(f.CRLF)
    assert lines[-1] == "", relative
    return lines[:-1]


def _write_lines(ctx: Context, relative: str, lines: list[str], by_path: dict[str, int]) -> None:
    data = (f.CRLF.join(lines) + f.CRLF).encode(f.TMALL_ENCODING)
    _replace(ctx, relative, data, by_path)


def _replace(ctx: Context, relative: str, data: bytes, by_path: dict[str, int]) -> None:
    (ctx.root / relative).write_bytes(data)
    k = by_path[relative]
    s = ctx.files[k]
    ctx.files[k] = FileSummary(s.path, s.dataset, s.rows, len(data), s.duplicate_of)


def _truncate_last_row(ctx: Context, relative: str, by_path: dict[str, int]) -> str:
    """Cut the file inside a two-byte character of its last row, past the row's order id and before its end (an
    interrupted download); returns that row's order id."""
    data = (ctx.root / relative).read_bytes()
    assert data.endswith(f.CRLF.encode())
    start = data.rindex(f.CRLF.encode(), 0, len(data) - 2) + 2
    row = data[start:-2]
    order_id = row.split(b",", 1)[0].decode("ascii").removeprefix('="').removesuffix('"')
    # the first double-byte character in the second half of the row (the address, the titles, the shop name)
    cut = next(
        (k + 1 for k in range(len(row) // 2, len(row) - 1) if row[k] >= 0x81 and _starts_character(row, k)),
        len(row) // 2,
    )
    _replace(ctx, relative, data[: start + cut], by_path)
    return order_id


def _starts_character(row: bytes, k: int) -> bool:
    """Whether byte k of a GBK row is the lead byte of a two-byte character (decoding from the row's start)."""
    i = 0
    while i < k:
        i += 2 if row[i] >= 0x81 else 1
    return i == k
