"""The state one demo-data run shares between its steps: pools, calendars, id sequences and the open files.

`Context` is built by the generator (`generator.py`) and handed to every step that writes exports: a chunk of orders
(`trade.py`), the traffic exports (`traffic.py`), the purchase receipts (`purchases.py`) and the planted bad input
(`bad_input.py`). It imports none of them, so no step imports the generator back.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from . import formats as f
from .buyers import POOL_PER_ORDER, BuyerPool
from .catalog import CATEGORIES, Catalog
from .config import DemoConfig, FileSummary
from .geo import PROVINCES
from .inventory import SNAPSHOT_SECOND, Inventory
from .order_shape import LINE_COUNT_P, LINE_COUNTS, P_UNPAID, QTY, QTY_P
from .trade_calendar import day_profile, hourly_cdf
from .traffic_counts import Traffic

EPOCH = date(1970, 1, 1)
MARGIN_DAYS = 90  # per-day tables reach this far past the period (shipping after the last order day)

SHOP_NAMES = ("栖木官方旗舰店", "栖木家居旗舰店", "栖木服饰专营店", "栖木食品旗舰店", "栖木户外旗舰店", "栖木生活馆")
SHOP_SHARE_DECAY = 0.7  # shop k gets a share proportional to 1 / (k + 1) ** decay

_TID_MULT, _TID_ADD, _TID_RANGE = 862_933_555_777_941_757, 3_037_000_493, 5 * 10**18
_PAY_MULT, _PAY_ADD = 6_129_847_362_917_253, 4_821_766_310_553
_WAYBILL_MULT, _WAYBILL_ADD = 48_271_117, 1_013_904_223
_OID_MULT, _OID_ADD = 735_211_458_911_234_577, 2_718_281_829
_ITEM_MULT, _ITEM_ADD, _ITEM_RANGE = 829_348_951, 61_803_398, 10**11
_RID_MULT, _RID_ADD, _RID_RANGE = 573_258_491_827_364_417, 1_414_213_562, 9 * 10**17


class Context:
    """Everything a chunk of orders needs: pools, calendars, id sequences and the open files."""

    def __init__(self, root: Path, config: DemoConfig) -> None:
        self.root = root
        self.config = config
        seed = config.seed
        self.day0 = (config.start - EPOCH).days
        self.day0_ts = self.day0 * 86400
        self.range_end_ts = self.day0_ts + config.days * 86400
        self.as_of_ts = int((config.as_of - datetime(1970, 1, 1)).total_seconds())
        self._day_strings: dict[int, str] = {}
        self._clock = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

        # calendars
        span = config.days + MARGIN_DAYS
        profiles = [day_profile(config.start + timedelta(days=d)) for d in range(span)]
        self.promo = [p.promo for p in profiles]
        self.gift = [p.gift_season for p in profiles]
        self.backlog = np.array([p.backlog_days for p in profiles], dtype=np.int64)
        self.closed = np.array([p.warehouse_closed for p in profiles], dtype=bool)
        reopen = np.arange(span, dtype=np.int64)
        for d in range(span - 2, -1, -1):
            if self.closed[d]:
                reopen[d] = reopen[d + 1]
        self.reopen = reopen
        normal_cdf, rush_cdf = hourly_cdf(False), hourly_cdf(True)
        self.hourly_cdf = [rush_cdf if p.midnight_rush else normal_cdf for p in profiles]
        festival = np.array(
            [
                (d.month, d.day) >= (6, 1) and (d.month, d.day) <= (6, 18) or (11, 1) <= (d.month, d.day) <= (11, 11)
                for d in (config.start + timedelta(days=k) for k in range(span + 22))
            ]
        )
        self.peak_ahead = np.array([festival[d : d + 22].any() for d in range(span)])
        self.day_of_year = [(config.start + timedelta(days=d)).timetuple().tm_yday for d in range(span)]

        # shops
        rng = np.random.default_rng([seed, 2])
        self.shop_names = [
            SHOP_NAMES[k] if k < len(SHOP_NAMES) else f"栖木生活馆{k - len(SHOP_NAMES) + 2}号店"
            for k in range(config.shops)
        ]
        shop_ids: list[str] = []
        while len(shop_ids) < config.shops:
            candidate = str(int(rng.integers(100_000_000, 1_000_000_000)))
            if candidate not in shop_ids:
                shop_ids.append(candidate)
        self.shop_ids = shop_ids
        self.shop_folders = [f"shop{k + 1:02d}_{self.shop_ids[k]}" for k in range(config.shops)]
        share = 1.0 / (np.arange(config.shops) + 1.0) ** SHOP_SHARE_DECAY
        self.shop_share = share / share.sum()

        # pools
        self.catalog = Catalog(np.random.default_rng([seed, 1]), config.skus, config.shops, config.days, config.start)
        self.sku_price = self.catalog.price.tolist()
        self.pool = BuyerPool(seed, max(16, int(config.orders * POOL_PER_ORDER)))
        self.buyer_order_counts = np.zeros(self.pool.size, dtype=np.uint8)  # nobody orders 256 times
        courier_w = np.array([c[3] for c in f.COURIERS])
        self.courier_cdf = np.cumsum(courier_w / courier_w.sum())
        self.courier_cdf[-1] = 1.0
        self._sku_cdf_cache: dict[tuple[int, int], np.ndarray] = {}

        # stock
        self.inventory = Inventory(
            self.catalog,
            f.WAREHOUSES,
            self._expected_daily_units(),
            self.day0,
            config.days,
            np.random.default_rng([seed, 9]),
            seed,
            self.peak_ahead,
            self.format_ts,
        )

        # id sequences (each starts somewhere the seed decides, so ids do not begin at a round number)
        start = np.random.default_rng([seed, 6]).integers(10**9, 10**12, size=2).tolist()
        self._id_offset = int(start[0])
        self.next_order_seq = 0
        self._erp_id = 10_000_000
        self._outbound_id = 50_000_000
        self._waybill_seq = int(start[1])

        # files
        self.months = _months(config.start, config.days)
        self.tmall_order_sinks: list[f.CsvSink] = []
        self.tmall_item_sinks: list[f.CsvSink] = []
        self.tmall_sub_order_sinks: list[f.XlsxSink | None] = [None] * config.shops
        # the shop that switched to the newer sub-order export, and the first month it used it
        self.sub_order_shop = 1 if config.shops > 1 else 0
        self.first_sub_order_month = len(self.months) - config.sub_order_months
        self.traffic = Traffic(config.shops)
        self.erp_order_sink: f.CsvSink | None = None
        self.tmall_refund_sinks: list[f.CsvSink] = []
        self._outbound_sinks: dict[tuple[int, int], f.CsvSink] = {}
        self.files: list[FileSummary] = []
        self.stats: Counter = Counter()
        self.status_counts: Counter = Counter()
        self.bad_input: dict = {}

    # -- formatting and ids --------------------------------------------------------------------------------
    def format_ts(self, ts: int) -> str:
        """Epoch seconds (China local time, no zone) -> `yyyy-MM-dd HH:mm:ss`."""
        d, s = divmod(ts, 86400)
        day = self._day_strings.get(d)
        if day is None:
            day = self._day_strings[d] = (EPOCH + timedelta(days=d)).isoformat() + " "
        return day + self._clock[s]

    def order_id(self, seq: int) -> str:
        """19-digit Tmall order id, unique per sequence number (an affine bijection, so it looks random)."""
        return str(10**18 + ((seq + self._id_offset) * _TID_MULT + _TID_ADD) % _TID_RANGE)

    def payment_no(self, seq: int, paid_ts: int) -> str:
        """28-digit Alipay trade number: payment date, channel code, 16 unique digits."""
        day = self.format_ts(paid_ts)[:10].replace("-", "")
        return f"{day}2200{((seq + self._id_offset) * _PAY_MULT + _PAY_ADD) % 10**16:016d}"

    def sub_order_id(self, seq: int, line: int) -> str:
        """19-digit Tmall sub-order id (子订单编号) of line `line` of order `seq`, unique (an affine bijection)."""
        return str(10**18 + ((seq * 8 + line + self._id_offset) * _OID_MULT + _OID_ADD) % _TID_RANGE)

    def refund_id(self, seq: int, line: int) -> str:
        """18-digit Tmall refund id (退款编号) of a refund of line `line` of order `seq`, unique (affine bijection)."""
        return str(10**17 + ((seq * 8 + line + self._id_offset) * _RID_MULT + _RID_ADD) % _RID_RANGE)

    def item_id(self, shop: int, style_index: int) -> str:
        """12-digit Tmall listing id (商品ID) of a style in a shop: each shop lists the style under its own id."""
        return str(5 * 10**11 + ((shop * 100_000 + style_index) * _ITEM_MULT + _ITEM_ADD) % _ITEM_RANGE)

    def next_waybill(self, courier: int) -> str:
        _, prefix, digits, _ = f.COURIERS[courier]
        n = self._waybill_seq
        self._waybill_seq += 1
        return f"{prefix}{(n * _WAYBILL_MULT + _WAYBILL_ADD) % 10**digits:0{digits}d}"

    def next_erp_id(self) -> int:
        self._erp_id += 1
        return self._erp_id

    def next_outbound_id(self) -> int:
        self._outbound_id += 1
        return self._outbound_id

    # -- popularity ----------------------------------------------------------------------------------------
    def sku_cdf(self, shop: int, day: int) -> np.ndarray:
        key = (shop, day)
        cdf = self._sku_cdf_cache.get(key)
        if cdf is None:
            if len(self._sku_cdf_cache) > 4 * self.config.shops:
                self._sku_cdf_cache.clear()
            cdf = self._sku_cdf_cache[key] = self.catalog.day_cdf(shop, day, self.day_of_year[day], self.gift[day])
        return cdf

    def _expected_daily_units(self) -> np.ndarray:
        """Expected units shipped per day per SKU and warehouse, to size the opening stock."""
        cfg = self.config
        lines_per_order = float((LINE_COUNTS * LINE_COUNT_P).sum())
        qty = float((QTY * QTY_P).sum()) + (self.catalog.qty_boost - 1.0)
        share = (self.shop_share[:, None] * self.catalog.shop_weights).sum(axis=0)
        units = cfg.orders / cfg.days * (1 - P_UNPAID) * lines_per_order * share * qty
        south = sum(p.weight for p in PROVINCES if p.south) / sum(p.weight for p in PROVINCES)
        return np.stack([units * (1 - south), units * south], axis=1)

    # -- files ---------------------------------------------------------------------------------------------
    def _sink(self, relative: str, dataset: str, header: tuple[str, ...], tmall: bool) -> f.CsvSink:
        if tmall:
            return f.CsvSink(self.root, relative, dataset, header, f.TMALL_ENCODING, bom=False)
        return f.CsvSink(self.root, relative, dataset, header, f.ERP_ENCODING, bom=True)

    def _close(self, sink: f.CsvSink) -> None:
        size = sink.close()
        self.files.append(FileSummary(sink.relative, sink.dataset, sink.rows, size))

    def open_month(self, month_no: int) -> None:
        year, month = self.months[month_no]
        # the merchant downloaded every monthly report on the morning of the extract, one after another
        self.tmall_order_sinks, self.tmall_item_sinks = [], []
        self.tmall_sub_order_sinks = [None] * self.config.shops
        for shop in range(self.config.shops):
            minutes = 1 + 2 * (shop * len(self.months) + month_no)
            stamp = (self.config.as_of + timedelta(minutes=minutes)).strftime("%Y%m%d%H%M")
            folder = f"tmall/{self.shop_folders[shop]}"
            if shop == self.sub_order_shop and month_no >= self.first_sub_order_month:
                # this shop's newer downloads: one sub-order workbook instead of the two classic reports
                self.tmall_sub_order_sinks[shop] = f.XlsxSink(
                    self.root,
                    f"{folder}/子订单导出_{year:04d}{month:02d}_{stamp}.xlsx",
                    f.DATASET_TMALL_SUB_ORDERS,
                    f.TMALL_SUB_ORDER_HEADER,
                )
            self.tmall_order_sinks.append(
                self._sink(
                    f"{folder}/ExportOrderList{stamp}.csv", f.DATASET_TMALL_ORDERS, f.TMALL_ORDER_HEADER, tmall=True
                )
            )
            self.tmall_item_sinks.append(
                self._sink(
                    f"{folder}/ExportOrderDetailList{stamp}.csv", f.DATASET_TMALL_ITEMS, f.TMALL_ITEM_HEADER, tmall=True
                )
            )
        self.erp_order_sink = self._sink(
            f"erp/订单_{year:04d}{month:02d}.csv", f.DATASET_ERP_ORDERS, f.ERP_ORDER_HEADER, tmall=False
        )

    def close_month(self, month_no: int) -> None:
        for shop, sink in enumerate(self.tmall_order_sinks):
            if self.tmall_sub_order_sinks[shop] is None:
                self._close(sink)
                self._close(self.tmall_item_sinks[shop])
            else:  # the classic reports were not downloaded this month: drop the empty files
                for unused in (sink, self.tmall_item_sinks[shop]):
                    unused.close()
                    unused.path.unlink()
        for xlsx in self.tmall_sub_order_sinks:
            if xlsx is not None:
                size = xlsx.close()
                self.files.append(FileSummary(xlsx.relative, xlsx.dataset, xlsx.rows, size))
        assert self.erp_order_sink is not None
        self._close(self.erp_order_sink)
        self.erp_order_sink = None
        # no later order can ship in this month any more
        key = self.months[month_no]
        sink = self._outbound_sinks.pop(key, None) or self._open_outbound(key)
        self._close(sink)

    def _open_outbound(self, key: tuple[int, int]) -> f.CsvSink:
        year, month = key
        return self._sink(
            f"erp/销售出库_{year:04d}{month:02d}.csv", f.DATASET_ERP_SHIPMENTS, f.ERP_SHIPMENT_HEADER, tmall=False
        )

    def outbound_sink(self, ts: int) -> f.CsvSink:
        d = EPOCH + timedelta(days=ts // 86400)
        key = (d.year, d.month)
        sink = self._outbound_sinks.get(key)
        if sink is None:
            if key not in self.months:
                raise AssertionError(f"outbound at {self.format_ts(ts)} falls outside the period")
            sink = self._outbound_sinks[key] = self._open_outbound(key)
        return sink

    def open_refund_exports(self) -> None:
        """One 退款管理 export per shop for the whole period, downloaded on the morning of the extract."""
        start, end = self.config.start, self.config.start + timedelta(days=self.config.days - 1)
        for shop in range(self.config.shops):
            self.tmall_refund_sinks.append(
                self._sink(
                    f"tmall/{self.shop_folders[shop]}/退款管理_{start:%Y%m%d}_{end:%Y%m%d}.csv",
                    f.DATASET_TMALL_REFUNDS,
                    f.TMALL_REFUND_HEADER,
                    tmall=True,
                )
            )

    def close_refund_exports(self) -> None:
        for sink in self.tmall_refund_sinks:
            self._close(sink)
        self.tmall_refund_sinks = []

    def write_sku_master(self) -> None:
        stamp = self.config.as_of.strftime("%Y%m%d")
        sink = self._sink(f"erp/商品资料_{stamp}.csv", f.DATASET_ERP_SKUS, f.ERP_SKU_HEADER, tmall=False)
        rng = np.random.default_rng([self.config.seed, 4])
        for sku in self.catalog.skus:
            modified = self.day0_ts + sku.modified_day * 86400 + int(rng.integers(9 * 3600, 19 * 3600))
            sink.add(
                f"{sku.sku_id},{sku.style_id},{sku.sku_name},{sku.erp_properties},{CATEGORIES[sku.category].name},"
                f"{f.money(sku.cost_cents)},{f.money(sku.price_cents)},{'是' if sku.enabled else '否'},"
                f"{self.format_ts(modified)}"
            )
        self._close(sink)

    def write_snapshot(self, day: int) -> None:
        config = self.config
        d = config.start + timedelta(days=day)
        is_monday = d.weekday() == 0
        no_monday = (
            config.days < 7
            and day == config.days - 1
            and not any((config.start + timedelta(days=k)).weekday() == 0 for k in range(config.days))
        )
        at = self.day0_ts + day * 86400 + SNAPSHOT_SECOND if is_monday or no_monday else None
        snapshot = self.inventory.advance_day(day, at)
        if snapshot is not None:
            sink = self._sink(
                f"erp/库存_{snapshot.day.strftime('%Y%m%d')}.csv",
                f.DATASET_ERP_INVENTORY,
                f.ERP_INVENTORY_HEADER,
                tmall=False,
            )
            for row in snapshot.rows:
                sink.add(row)
            self._close(sink)


def _months(start: date, days: int) -> list[tuple[int, int]]:
    end = start + timedelta(days=days - 1)
    months = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months
