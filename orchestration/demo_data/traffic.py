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
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from . import formats as f
from .config import FileSummary

if TYPE_CHECKING:
    from .context import Context


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
