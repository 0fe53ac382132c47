"""生意参谋 traffic: daily shop- and item-level figures consistent with the orders the demo generates.

While orders are generated, every payment is recorded against its shop and payment day (and against the listings of
its lines); a payment day no later order can pay on is reduced to its figures. The exports are written at the end:
支付买家数 is the number of distinct buyers who paid that day, 支付金额 their payments, 客单价 = 支付金额 / 支付买家数.
Visitors are drawn so that the conversion rate (paying buyers / visitors) lies between 1% and 5%, a little higher on
promotion days, when visitors peak with the orders; page views, add-to-cart and favourites follow visitors, and
add-to-cart is never below paying buyers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from . import formats as f
from .config import FileSummary

if TYPE_CHECKING:
    from .catalog import Sku
    from .generator import Context


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


def _rate_text(buyers: int, visitors: int) -> str:
    return f"{100.0 * buyers / visitors:.2f}%" if visitors else "-"


def write_traffic(ctx: Context) -> None:
    """One shop-level workbook and one item-level CSV per shop and month."""
    config = ctx.config
    traffic = ctx.traffic
    style_title = {}
    for sku in ctx.catalog.skus:
        style_title.setdefault(sku.style_index, sku.title)
    traffic.close_days(config.days)
    no_items = (np.empty(0, np.int64),) * 3
    for shop in range(config.shops):
        folder = f"生意参谋/{ctx.shop_folders[shop]}"
        shop_name = ctx.shop_names[shop]
        day = 0
        for year, month in ctx.months:
            shop_sink = f.XlsxSink(
                ctx.root, f"{folder}/店铺整体_{year:04d}{month:02d}.xlsx", f.DATASET_TRAFFIC_SHOP, f.TRAFFIC_SHOP_HEADER
            )
            item_sink = f.CsvSink(
                ctx.root,
                f"{folder}/商品效果_{year:04d}{month:02d}.csv",
                f.DATASET_TRAFFIC_ITEMS,
                f.TRAFFIC_ITEM_HEADER,
                f.TRAFFIC_ENCODING,
                bom=False,
            )
            while day < config.days and (config.start + timedelta(days=day)).month == month:
                rng = np.random.default_rng([config.seed, 12, shop, day])
                the_day: date = config.start + timedelta(days=day)
                promo = ctx.promo[day]
                buyers, cents = traffic.shop_day.get((shop, day), (0, 0))
                rate = rng.uniform(0.022, 0.045) if promo else rng.uniform(0.012, 0.035)
                visitors = max(math.ceil(buyers / rate), int(rng.integers(40, 160)))
                add_to_cart = max(buyers, round(visitors * rng.uniform(0.06, 0.11)))
                shop_sink.add(
                    [
                        the_day,
                        shop_name,
                        visitors,
                        round(visitors * rng.uniform(2.2, 3.6)),
                        buyers,
                        _rate_text(buyers, visitors),
                        add_to_cart,
                        round(visitors * rng.uniform(0.02, 0.05)),
                        round(cents / buyers / 100, 2) if buyers else "-",
                        cents / 100,
                    ]
                )
                day_text = the_day.isoformat()
                styles, buyers_per_style, cents_per_style = traffic.item_day.get((shop, day), no_items)
                for style, item_buyers, item_cents in zip(
                    styles.tolist(), buyers_per_style.tolist(), cents_per_style.tolist(), strict=True
                ):
                    item_rate = rng.uniform(0.02, 0.08)
                    item_visitors = max(math.ceil(item_buyers / item_rate), item_buyers)
                    item_sink.add(
                        ",".join(
                            (
                                day_text,
                                shop_name,
                                ctx.item_id(shop, style),
                                f.quote(style_title[style]),
                                # 生意参谋 writes 1,234; a CSV cell with a comma is quoted
                                f.quote(f"{item_visitors:,}"),
                                str(round(item_visitors * rng.uniform(1.3, 2.2))),
                                str(item_buyers),
                                _rate_text(item_buyers, item_visitors),
                                str(max(item_buyers, round(item_visitors * rng.uniform(0.06, 0.14)))),
                                str(round(item_visitors * rng.uniform(0.02, 0.06))),
                                f.money(round(item_cents / item_buyers)),
                                f.money(item_cents),
                            )
                        )
                    )
                day += 1
            for sink in (shop_sink, item_sink):
                size = sink.close()  # a CSV sink counts its rows as it flushes them
                ctx.files.append(FileSummary(sink.relative, sink.dataset, sink.rows, size))
