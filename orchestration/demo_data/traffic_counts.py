"""Payments per shop and day (and per listing), recorded while orders are generated: what the 生意参谋 traffic
exports (`traffic.py`) are written from at the end."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .catalog import Sku


class Traffic:
    """Payments per shop and day (and per listing), kept compact.

    While a payment day is still open (orders created that day or the day before can still pay on it) the distinct
    paying buyers are kept as sets; once `close_days` says no later order can pay on it, the day is reduced to what
    the exports need (paying buyers and amount per shop, and per listing) and the sets are dropped. So the memory is
    one or two days of buyers plus a few numbers per shop, day and listing, whatever the number of orders.
    """

    def __init__(self, shops: int) -> None:
        self.shops = shops
        # open payment days: (shop, day) -> buyers who paid, the amount paid in cents, and per listing (style) the
        # buyers who paid for it and the listing's share of their payments
        self._shop_buyers: dict[tuple[int, int], set[int]] = defaultdict(set)
        self._shop_cents: dict[tuple[int, int], int] = defaultdict(int)
        self._item_buyers: dict[tuple[int, int], dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        self._item_cents: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
        # closed payment days: (shop, day) -> (buyers, cents); (shop, day) -> (styles sorted, buyers, cents)
        self.shop_day: dict[tuple[int, int], tuple[int, int]] = {}
        self.item_day: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._closed_before = 0  # every payment day before this one is closed

    def record(
        self, shop: int, day: int, buyer: int, total_cents: int, lines: list[list[int]], skus: list[Sku]
    ) -> None:
        if day < self._closed_before:
            raise AssertionError(f"a payment on day {day}, which was already closed")
        key = (shop, day)
        self._shop_buyers[key].add(buyer)
        self._shop_cents[key] += total_cents
        item_buyers, item_cents = self._item_buyers[key], self._item_cents[key]
        for line in lines:
            sku = skus[line[0]]
            item_buyers[sku.style_index].add(buyer)
            item_cents[sku.style_index] += sku.price_cents * line[1]

    def close_days(self, before: int) -> None:
        """No payment falls on a day before `before` any more: reduce those days to their figures."""
        for key in sorted(k for k in self._shop_buyers if k[1] < before):
            self.shop_day[key] = (len(self._shop_buyers.pop(key)), self._shop_cents.pop(key))
            buyers = self._item_buyers.pop(key)
            cents = self._item_cents.pop(key)
            styles = sorted(buyers)
            self.item_day[key] = (
                np.array(styles, dtype=np.int64),
                np.array([len(buyers[s]) for s in styles], dtype=np.int64),
                np.array([cents[s] for s in styles], dtype=np.int64),
            )
        self._closed_before = max(self._closed_before, before)
