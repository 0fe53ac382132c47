"""A small demo data set generated once per session, and readers that parse its files the way a careful ingest would."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.demo_data import DemoConfig, GenerationSummary, generate

SMALL = DemoConfig(orders=2_000, sub_order_months=0, bad_input=False)
"""Every Tmall order in the classic two-file export: the trade tests read all orders from the classic reports.
Without the planted bad input: these tests check the trade itself (test_demo_bad_input.py checks what the default
demo plants on top of it)."""
WITH_SUB_ORDERS = DemoConfig(orders=2_000, bad_input=False)
"""The default export mix: the same trade, but one shop's last month delivered as the newer sub-order XLSX export."""


@dataclass
class Table:
    header: list[str]  # trimmed
    rows: list[dict[str, str]]


def read_csv(path: Path, encoding: str) -> Table:
    """Parse a CSV strictly: the whole file must decode, `="…"` cells are unwrapped, headers are trimmed."""
    text = path.read_bytes().decode(encoding)
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    rows = []
    for record in reader:
        assert len(record) == len(header), f"{path.name}: {len(record)} fields, header has {len(header)}"
        rows.append({h: unwrap(v) for h, v in zip(header, record, strict=True)})
    return Table(header, rows)


def read_xlsx(path: Path) -> Table:
    """The first sheet of a workbook, cells as text the way the ingest reads them (openpyxl, read-only)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    header = [str(h).strip() for h in rows[0]]
    return Table(header, [{h: cell_text(v) for h, v in zip(header, r, strict=True)} for r in rows[1:]])


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


ENCODINGS = {
    "tmall_orders": "gbk",
    "tmall_order_items": "gbk",
    "tmall_traffic_items": "gb18030",
    "tmall_refunds": "gbk",
}


def read_table(root: Path, relative: str, dataset: str) -> Table:
    path = root / relative
    if path.suffix == ".xlsx":
        return read_xlsx(path)
    return read_csv(path, ENCODINGS.get(dataset, "utf-8"))


def unwrap(value: str) -> str:
    if value.startswith('="') and value.endswith('"'):
        return value[2:-1]
    return value


@dataclass
class DemoSet:
    root: Path
    summary: GenerationSummary
    orders: list[dict[str, str]]
    items: list[dict[str, str]]
    skus: list[dict[str, str]]
    erp_orders: list[dict[str, str]]
    shipments: list[dict[str, str]]
    inventory: dict[str, list[dict[str, str]]]  # file name -> rows


def _rows(root: Path, summary: GenerationSummary, dataset: str, encoding: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for f in summary.files_of(dataset):
        rows.extend(read_csv(root / f.path, encoding).rows)
    return rows


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSet:
    root = tmp_path_factory.mktemp("demo") / "landing"
    summary = generate(root, SMALL)
    return DemoSet(
        root=root,
        summary=summary,
        orders=_rows(root, summary, "tmall_orders", "gbk"),
        items=_rows(root, summary, "tmall_order_items", "gbk"),
        skus=_rows(root, summary, "erp_skus", "utf-8"),
        erp_orders=_rows(root, summary, "erp_sales_orders", "utf-8"),
        shipments=_rows(root, summary, "erp_shipments", "utf-8"),
        inventory={Path(f.path).name: read_csv(root / f.path, "utf-8").rows for f in summary.files_of("erp_inventory")},
    )


@dataclass
class GeneratedSet:
    root: Path
    summary: GenerationSummary

    def rows(self, dataset: str) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = []
        for f in self.summary.files_of(dataset):
            rows.extend(read_table(self.root, f.path, dataset).rows)
        return rows


@pytest.fixture(scope="session")
def sub_order_demo(tmp_path_factory: pytest.TempPathFactory) -> GeneratedSet:
    root = tmp_path_factory.mktemp("demo_sub_orders") / "landing"
    return GeneratedSet(root, generate(root, WITH_SUB_ORDERS))


@pytest.fixture(scope="session")
def classic_demo(demo: DemoSet) -> GeneratedSet:
    return GeneratedSet(demo.root, demo.summary)
