"""Stock per SKU and warehouse, driven by the generated orders, and the weekly snapshots the ERP exports.

Orders feed events into day buckets as they are generated: a paid order locks stock (订单占有数), an outbound takes it
off the shelf (实际库存数) and releases the lock, a refund before shipping releases the lock. Because an event never
happens before the order that causes it was created, all events before midnight of day d are known once the orders
of day d are generated; the simulation then advances through day d.

Replenishment is a simple (s, S) policy on an exponentially smoothed demand rate, one open purchase order per cell at
a time, with supplier delays: stock-outs happen (festival spikes, late deliveries), and so does overstock (some SKUs
are bought far too generously, stock-up before 618 and 双11 overshoots, discontinued SKUs keep their dead stock).
Snapshots are taken every Monday at 06:00. A cell whose orders outrun its stock shows 0 on hand (the shortfall is
shipped from stock arriving later); the order lock shows the unserved demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .catalog import Catalog

SNAPSHOT_SECOND = 6 * 3600  # 06:00
REPLENISH_SECOND = 18 * 3600  # purchase orders are placed at 18:00
PACK = {0: 10, 1: 10, 2: 5, 3: 20, 4: 20}  # category -> case pack


@dataclass
class _Bucket:
    on_hand: np.ndarray
    locked: np.ndarray
    in_transit: np.ndarray
    sold: np.ndarray
    modified: np.ndarray

    @classmethod
    def empty(cls, size: int) -> _Bucket:
        return cls(
            np.zeros(size, np.int64),
            np.zeros(size, np.int64),
            np.zeros(size, np.int64),
            np.zeros(size, np.int64),
            np.full(size, -1, np.int64),
        )


@dataclass
class Snapshot:
    day: date
    rows: list[str] = field(default_factory=list)


class Inventory:
    def __init__(
        self,
        catalog: Catalog,
        warehouses: tuple[str, ...],
        expected_daily: np.ndarray,  # (n_sku, n_wh) expected units shipped per day
        day0: int,  # epoch day of the first day
        days: int,
        rng: np.random.Generator,
        seed: int,
        peak_ahead: np.ndarray,  # per day offset: a festival starts within the next weeks
        format_ts,  # epoch seconds -> 'yyyy-MM-dd HH:mm:ss'
    ) -> None:
        self.catalog = catalog
        self.warehouses = warehouses
        self.n_wh = len(warehouses)
        self.n = catalog.n * self.n_wh
        self.day0 = day0
        self.days = days
        self.seed = seed
        self.peak_ahead = peak_ahead
        self.format_ts = format_ts
        shape = self.n
        cats = np.array([s.category for s in catalog.skus])
        self.pack = np.repeat(np.array([PACK[c] for c in cats.tolist()], np.int64), self.n_wh)
        self.lead = np.repeat(rng.integers(5, 21, size=catalog.n), self.n_wh)
        self.cover = np.repeat(rng.uniform(20.0, 45.0, size=catalog.n), self.n_wh)
        overbuy = rng.random(catalog.n) < 0.06
        self.overbuy = np.repeat(np.where(overbuy, rng.uniform(3.0, 5.0, size=catalog.n), 1.0), self.n_wh)
        self.launch = np.repeat(catalog.launch, self.n_wh)
        self.end = np.repeat(catalog.end, self.n_wh)
        self.rate = expected_daily.reshape(-1).astype(np.float64).copy()
        self.expected = self.rate.copy()

        active0 = (self.launch <= 0) & (self.end > 0)
        initial_days = rng.uniform(25.0, 60.0, size=shape) * self.overbuy
        on_hand = np.ceil(self.rate * initial_days / self.pack) * self.pack
        on_hand = np.where(active0, on_hand, 0)
        dead = self.end <= 0
        on_hand = np.where(dead, rng.integers(5, 80, size=shape) * self.pack, on_hand)
        self.on_hand = on_hand.astype(np.int64)
        self.locked = np.zeros(shape, np.int64)
        self.in_transit = np.zeros(shape, np.int64)
        # stock counts were last touched some time before the period starts
        self.modified = (day0 - rng.integers(1, 30, size=shape)) * 86400 + rng.integers(9 * 3600, 20 * 3600, size=shape)
        self._buckets: dict[int, _Bucket] = {}
        self.purchases: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
        """Purchase orders placed: (day offset, cells, quantities, arrival times); the receipts are written from it."""

    # -- events --------------------------------------------------------------------------------------------
    def add_events(
        self,
        times: np.ndarray,
        cells: np.ndarray,
        on_hand: np.ndarray,
        locked: np.ndarray,
        sold: np.ndarray,
        in_transit: np.ndarray | None = None,
    ) -> None:
        if times.size == 0:
            return
        keys = (times // 86400 - self.day0) * 2 + (times % 86400 >= SNAPSHOT_SECOND)
        for key in np.unique(keys).tolist():
            sel = keys == key
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket.empty(self.n)
            c = cells[sel]
            np.add.at(bucket.on_hand, c, on_hand[sel])
            np.add.at(bucket.locked, c, locked[sel])
            np.add.at(bucket.sold, c, sold[sel])
            if in_transit is not None:
                np.add.at(bucket.in_transit, c, in_transit[sel])
            np.maximum.at(bucket.modified, c, times[sel])

    def _apply(self, key: int) -> np.ndarray:
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            return np.zeros(self.n, np.int64)
        self.on_hand += bucket.on_hand
        self.locked += bucket.locked
        self.in_transit += bucket.in_transit
        np.maximum(self.modified, bucket.modified, out=self.modified)
        return bucket.sold

    # -- the day -------------------------------------------------------------------------------------------
    def advance_day(self, day: int, snapshot_at: int | None) -> Snapshot | None:
        """Process day `day` (offset from the first day). Returns the snapshot if one is taken that day."""
        sold = self._apply(day * 2)
        snapshot = self._snapshot(day, snapshot_at) if snapshot_at is not None else None
        sold = sold + self._apply(day * 2 + 1)
        self._replenish(day, sold)
        return snapshot

    def _snapshot(self, day: int, at: int) -> Snapshot:
        snap_day = date(1970, 1, 1) + timedelta(days=self.day0 + day)
        stamp = self.format_ts(at)
        on_hand = np.maximum(self.on_hand, 0).tolist()
        locked = np.maximum(self.locked, 0).tolist()
        in_transit = self.in_transit.tolist()
        modified = self.modified.tolist()
        rows = []
        fmt = self.format_ts
        k = 0
        for sku in self.catalog.skus:
            for wh in self.warehouses:
                rows.append(f"{stamp},{sku.sku_id},{wh},{on_hand[k]},{locked[k]},{in_transit[k]},{fmt(modified[k])}")
                k += 1
        return Snapshot(snap_day, rows)

    def _replenish(self, day: int, sold: np.ndarray) -> None:
        active = (self.launch <= day) & (day < self.end)
        self.rate = np.where(active, 0.92 * self.rate + 0.08 * sold, self.rate)
        # new SKUs are stocked ahead of their launch, at the expected rate
        launching = (self.launch > day) & (self.launch - day <= self.lead + 3)
        rate = np.where(launching, self.expected, self.rate)
        selling = (active & (self.end - day > 21)) | launching
        cover = self.cover * (2.0 if self.peak_ahead[day] else 1.0)
        position = self.on_hand + self.in_transit - self.locked
        reorder_point = rate * (self.lead + 5)
        need = selling & (self.in_transit == 0) & (rate > 0.02) & (position < reorder_point)
        if not need.any():
            return
        rng = np.random.default_rng([self.seed, 11, day])
        cells = np.flatnonzero(need)
        target = rate[cells] * (cover[cells] + self.lead[cells]) * self.overbuy[cells]
        qty = np.ceil(np.maximum(target - position[cells], 1.0) / self.pack[cells]) * self.pack[cells]
        qty = qty.astype(np.int64)
        placed = (self.day0 + day) * 86400 + REPLENISH_SECOND
        self.in_transit[cells] += qty
        self.modified[cells] = np.maximum(self.modified[cells], placed)
        lead = self.lead[cells] + np.where(rng.random(cells.size) < 0.08, rng.integers(10, 31, cells.size), 0)
        arrive = (self.day0 + day + lead) * 86400 + rng.integers(9 * 3600, 17 * 3600, size=cells.size)
        self.purchases.append((day, cells, qty, arrive))
        self.add_events(arrive, cells, qty, np.zeros_like(qty), np.zeros_like(qty), in_transit=-qty)
