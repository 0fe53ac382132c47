"""Parameters of a demo data set and the summary of what was written."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

AS_OF_TIME = time(7, 30)
"""The extracts are taken the morning after the last day: every order's state is as of that moment."""


@dataclass(frozen=True)
class DemoConfig:
    orders: int = 150_000
    """Tmall orders over the whole period (all shops, every status)."""
    seed: int = 20250101
    start: date = date(2025, 1, 1)
    days: int = 365
    shops: int = 2
    skus: int = 500
    sub_order_months: int = 1
    """The last this-many months of one shop (the second, or the only one) are delivered as the newer sub-order XLSX
    export instead of the classic two CSV reports, so the demo exercises both paths; each order is in exactly one."""
    bad_input: bool = True
    """Plant the unhappy path a real landing folder holds (`bad_input.py`): a few Excel-mangled order ids, a
    truncated order report, a merchant's note that is no export, an export delivered twice."""

    def __post_init__(self) -> None:
        if self.orders < 0:
            raise ValueError("orders must be >= 0")
        if self.days < 1:
            raise ValueError("days must be >= 1")
        if not 1 <= self.shops <= 99:
            raise ValueError("shops must be between 1 and 99")
        if self.skus < 10:
            raise ValueError("skus must be >= 10")
        if self.seed < 0:
            raise ValueError("seed must be >= 0")
        if self.sub_order_months < 0:
            raise ValueError("sub_order_months must be >= 0")

    @property
    def end(self) -> date:
        """The last day with orders."""
        return self.start + timedelta(days=self.days - 1)

    @property
    def as_of(self) -> datetime:
        """When the exports were taken: the state of every order, shipment and stock level is as of this moment."""
        return datetime.combine(self.start + timedelta(days=self.days), AS_OF_TIME)


@dataclass(frozen=True)
class FileSummary:
    path: str
    """Relative to the output folder, with `/` separators."""
    dataset: str
    """The raw table the file lands in (tmall_orders, tmall_order_items, erp_skus, ...)."""
    rows: int
    """Data rows (header excluded)."""
    bytes: int
    duplicate_of: str | None = None
    """Set on a second copy of an export (same bytes, another name): its rows are not counted again."""


@dataclass
class GenerationSummary:
    out_dir: str
    config: DemoConfig
    as_of: str
    files: list[FileSummary] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    """Facts about the generated trade (orders per status, refunds, repeat buyers, anomalies planted)."""
    bad_input: dict[str, Any] = field(default_factory=dict)
    """The bad input planted (`bad_input.plant`): mangled order ids and their file, the truncated file and its cut
    row's order id, files that are no export, duplicate copies -> their original."""

    @property
    def datasets(self) -> dict[str, int]:
        """Data rows written per dataset (a duplicate copy and a file that is no export count none)."""
        totals: dict[str, int] = {}
        for f in self.files:
            if not f.dataset or f.duplicate_of is not None:
                continue
            totals[f.dataset] = totals.get(f.dataset, 0) + f.rows
        return totals

    def rows(self, dataset: str) -> int:
        return self.datasets.get(dataset, 0)

    def files_of(self, dataset: str) -> list[FileSummary]:
        """The files of a dataset, duplicate copies left out."""
        return [f for f in self.files if f.dataset == dataset and f.duplicate_of is None]

    def to_dict(self) -> dict[str, Any]:
        config = asdict(self.config)
        config["start"] = self.config.start.isoformat()
        return {
            "out_dir": self.out_dir,
            "config": config,
            "as_of": self.as_of,
            "datasets": self.datasets,
            "files": [asdict(f) for f in self.files],
            "stats": self.stats,
            "bad_input": self.bad_input,
        }
