"""The merchant's catalogue: styles (款式) and SKUs (商品) in a few categories, with prices, costs and popularity.

SKU codes are the ERP 商品编码 and the Tmall 商家编码 (`QMW25003-BK-L`: style, colour, size). Single-variant styles use
the style code as SKU code. Popularity is Zipf-like over styles, shaped by season (summer / winter items), launches
and discontinuations, and differs per shop (each shop leans to some categories).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

BRAND = "栖木"


@dataclass(frozen=True)
class CategorySpec:
    name: str
    code: str
    weight: float
    price_range: tuple[int, int]  # yuan
    cost_ratio: tuple[float, float]
    axis_label: str  # first property axis (颜色分类 / 口味 / ...)
    axis_values: tuple[tuple[str, str], ...]  # (value, code)
    size_label: str | None
    sizes: tuple[str, ...]
    nouns: tuple[tuple[str, str], ...]  # (noun, season: S summer / W winter / A all)
    qty_boost: float  # food is bought several at a time
    unsized: tuple[str, ...] = ()  # nouns that do not take the size axis (a towel has no bed size)


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "女装",
        "W",
        0.30,
        (79, 459),
        (0.26, 0.42),
        "颜色分类",
        (("白色", "WH"), ("黑色", "BK"), ("燕麦色", "OA"), ("雾霾蓝", "BL"), ("豆沙粉", "PK"), ("卡其色", "KH")),
        "尺码",
        ("S", "M", "L", "XL"),
        (
            ("纯棉宽松圆领短袖T恤女", "S"),
            ("法式碎花连衣裙", "S"),
            ("冰丝阔腿裤女", "S"),
            ("防晒开衫薄款", "S"),
            ("高腰A字半身裙", "A"),
            ("纯色长袖衬衫女", "A"),
            ("针织开衫外套女", "A"),
            ("加绒连帽卫衣女", "W"),
            ("羊毛混纺大衣女", "W"),
            ("轻薄羽绒服女短款", "W"),
            ("高领打底毛衣女", "W"),
            ("直筒牛仔裤女", "A"),
        ),
        1.0,
    ),
    CategorySpec(
        "男装",
        "M",
        0.20,
        (89, 599),
        (0.28, 0.45),
        "颜色分类",
        (("白色", "WH"), ("黑色", "BK"), ("藏青", "NV"), ("灰色", "GY"), ("军绿", "GN")),
        "尺码",
        ("M", "L", "XL", "XXL"),
        (
            ("重磅纯棉短袖T恤男", "S"),
            ("速干运动短裤男", "S"),
            ("商务休闲POLO衫", "S"),
            ("牛津纺长袖衬衫男", "A"),
            ("弹力休闲裤男", "A"),
            ("连帽卫衣男", "W"),
            ("工装夹克男", "A"),
            ("鹅绒羽绒服男", "W"),
            ("保暖加厚棉服男", "W"),
        ),
        1.0,
    ),
    CategorySpec(
        "家居布艺",
        "H",
        0.22,
        (39, 699),
        (0.32, 0.5),
        "颜色分类",
        (("米白", "IV"), ("浅灰", "LG"), ("燕麦", "OA"), ("墨绿", "DG"), ("雾粉", "PK")),
        "规格",
        ("1.5m床", "1.8m床"),
        (
            ("全棉四件套", "A"),
            ("水洗棉夏凉被", "S"),
            ("冰丝凉席三件套", "S"),
            ("加厚牛奶绒毛毯", "W"),
            ("纯棉毛巾", "A"),
            ("棉麻抱枕套", "A"),
            ("加厚浴巾", "A"),
            ("遮光窗帘", "A"),
        ),
        1.1,
        ("纯棉毛巾", "棉麻抱枕套", "加厚浴巾", "遮光窗帘"),
    ),
    CategorySpec(
        "厨房餐具",
        "K",
        0.13,
        (19, 199),
        (0.3, 0.55),
        "颜色分类",
        (("奶白", "WH"), ("石青", "BL"), ("砂岩", "SD"), ("墨黑", "BK")),
        None,
        (),
        (
            ("釉下彩陶瓷碗", "A"),
            ("日式餐盘套装", "A"),
            ("大容量马克杯", "A"),
            ("316不锈钢保温杯", "A"),
            ("实木砧板", "A"),
            ("玻璃密封罐", "A"),
        ),
        1.3,
    ),
    CategorySpec(
        "零食茶饮",
        "F",
        0.15,
        (29, 168),
        (0.45, 0.68),
        "口味",
        (("原味", "OR"), ("盐焗", "SL"), ("蜂蜜", "HN"), ("低糖", "LS")),
        "净含量",
        ("250g", "500g", "1kg"),
        (
            ("每日坚果礼盒", "A"),
            ("手剥山核桃", "A"),
            ("桂花乌龙茶", "A"),
            ("冻干柠檬片", "S"),
            ("红枣枸杞茶", "W"),
            ("年货零食大礼包", "A"),
            ("挂耳咖啡", "A"),
        ),
        1.8,
    ),
)

_TITLE_PREFIX = ("", "【新品】", "", "", "【热卖】", "")
_TITLE_SUFFIX = (
    "2025新款",
    "百搭简约",
    "官方正品",
    "ins风",
    "高级感",
    "送礼推荐",
    "舒适透气",
    "经典款",
    "品质之选",
    "限量款",
)


@dataclass(frozen=True)
class Sku:
    index: int
    sku_id: str
    style_id: str
    category: int
    style_index: int
    title: str  # Tmall listing title (宝贝标题 / 标题)
    sku_name: str  # ERP 商品名称
    properties: str  # Tmall 商品属性: `颜色分类：白色;尺码：XL` or `-`
    erp_properties: str  # ERP 颜色及规格: `白色;XL`
    price_cents: int
    cost_cents: int
    season: str
    launch_day: int  # day offset from start when it goes on sale (<= 0: on sale from the start)
    end_day: int  # day offset from which it no longer sells (>= days: sells to the end)
    enabled: bool
    wrong_code: str  # what a mis-configured Tmall listing carries instead of sku_id
    modified_day: int  # ERP 修改时间 (day offset)


class Catalog:
    """All SKUs plus per-shop, per-day popularity."""

    def __init__(self, rng: np.random.Generator, n_skus: int, n_shops: int, days: int, start: date) -> None:
        self.skus: list[Sku] = []
        self.days = days
        self.start = start
        style_serial: dict[str, int] = {}
        cat_weights = np.array([c.weight for c in CATEGORIES])
        cat_weights /= cat_weights.sum()
        style_weights: list[float] = []
        year = start.year % 100
        while len(self.skus) < n_skus:
            cat_index = int(rng.choice(len(CATEGORIES), p=cat_weights))
            cat = CATEGORIES[cat_index]
            serial = style_serial.get(cat.code, 0) + 1
            style_serial[cat.code] = serial
            style_id = f"QM{cat.code}{year:02d}{serial:03d}"
            style_index = len(style_weights)
            noun, season = cat.nouns[int(rng.integers(len(cat.nouns)))]
            title = (
                f"{_TITLE_PREFIX[int(rng.integers(len(_TITLE_PREFIX)))]}{BRAND} {noun} "
                f"{_TITLE_SUFFIX[int(rng.integers(len(_TITLE_SUFFIX)))]}"
            )
            lo, hi = cat.price_range
            base_yuan = int(np.exp(rng.uniform(np.log(lo), np.log(hi))))
            base_cents = (base_yuan // 10 * 10 + 9) * 100 if base_yuan >= 30 else base_yuan * 100 + 90
            cost_ratio = rng.uniform(*cat.cost_ratio)
            # variant structure
            n_axis = int(rng.integers(1, min(4, len(cat.axis_values)) + 1))
            axis_pick = rng.choice(len(cat.axis_values), size=n_axis, replace=False)
            axis = [cat.axis_values[i] for i in sorted(axis_pick.tolist())]
            sizes: list[str | None]
            if cat.size_label and rng.random() < 0.85 and noun not in cat.unsized:
                sizes = list(cat.sizes)
            else:
                sizes = [None]
            if rng.random() < 0.12:  # single-SKU listing: no properties
                axis, sizes = [None], [None]  # type: ignore[list-item]
            # lifecycle
            launch_day = -int(rng.integers(30, 720))
            end_day = days + 365
            enabled = True
            r = rng.random()
            if r < 0.15:
                launch_day = int(rng.integers(0, max(1, days)))  # new arrival during the period
            elif r < 0.20:
                end_day = int(rng.integers(0, max(1, days)))  # discontinued during the period
                enabled = False
            elif r < 0.22:
                end_day = 0  # discontinued before the period (dead stock)
                enabled = False
            modified_day = min(days - 1, max(launch_day - int(rng.integers(1, 10)), -400))
            if not enabled:
                modified_day = min(days - 1, max(end_day, 0))
            style_weights.append(float(rng.pareto(1.1) + 0.05))
            for a in axis:
                for s_i, size in enumerate(sizes):
                    if len(self.skus) >= n_skus:
                        break
                    if a is None and size is None:
                        sku_id, props, erp_props = style_id, "-", ""
                    elif size is None:
                        assert a is not None
                        sku_id = f"{style_id}-{a[1]}"
                        props = f"{cat.axis_label}：{a[0]}"
                        erp_props = a[0]
                    elif a is None:
                        sku_id = f"{style_id}-{size.upper()}"
                        props = f"{cat.size_label}：{size}"
                        erp_props = size
                    else:
                        sku_id = f"{style_id}-{a[1]}-{size.replace('.', '').replace('m床', '').upper()}"
                        props = f"{cat.axis_label}：{a[0]};{cat.size_label}：{size}"
                        erp_props = f"{a[0]};{size}"
                    price = base_cents
                    if size is not None and cat.code == "F":
                        price = int(round(base_cents * (1.0, 1.8, 3.3)[s_i] / 100.0)) * 100 - 10
                    elif size is not None and cat.code == "H":
                        price = base_cents + s_i * 2000
                    cost = max(100, int(round(price * cost_ratio * rng.uniform(0.95, 1.05))))
                    cost = min(cost, price - 100)
                    # a mis-configured listing: style code alone, or last season's code
                    old = f"QM{cat.code}{(year - 1) % 100:02d}{serial:03d}" + sku_id[len(style_id) :]
                    wrong = style_id if sku_id != style_id else old
                    sku_name = f"{BRAND}{noun}" + (f" {erp_props}" if erp_props else "")
                    self.skus.append(
                        Sku(
                            index=len(self.skus),
                            sku_id=sku_id,
                            style_id=style_id,
                            category=cat_index,
                            style_index=style_index,
                            title=title,
                            sku_name=sku_name,
                            properties=props,
                            erp_properties=erp_props,
                            price_cents=price,
                            cost_cents=cost,
                            season=season,
                            launch_day=launch_day,
                            end_day=end_day,
                            enabled=enabled,
                            wrong_code=wrong,
                            modified_day=modified_day,
                        )
                    )
        n = len(self.skus)
        self.n = n
        # base popularity: style weight x variant weight (middle sizes and the first colours sell best)
        base = np.empty(n)
        for sku in self.skus:
            props = sku.properties
            size_w = 1.0
            for mid in ("：M", "：L", "：500g", "：1.8m床"):
                if props.endswith(mid):
                    size_w = 1.5
            base[sku.index] = style_weights[sku.style_index] * size_w * rng.uniform(0.5, 1.5)
        self.base = base / base.sum()
        # each shop leans to some categories; shop 0 sells the whole range evenly
        cats = np.array([s.category for s in self.skus])
        self.shop_weights = np.empty((n_shops, n))
        for shop in range(n_shops):
            lean = np.ones(len(CATEGORIES)) if shop == 0 else rng.lognormal(0.0, 1.0, size=len(CATEGORIES))
            noise = rng.lognormal(0.0, 0.35, size=n)
            w = self.base * lean[cats] * noise
            self.shop_weights[shop] = w / w.sum()
        self.season = np.array([{"S": 0, "W": 1, "A": 2}[s.season] for s in self.skus])
        self.is_food = cats == 4
        self.launch = np.array([s.launch_day for s in self.skus])
        self.end = np.array([s.end_day for s in self.skus])
        self.price = np.array([s.price_cents for s in self.skus], dtype=np.int64)
        self.qty_boost = np.array([CATEGORIES[s.category].qty_boost for s in self.skus])

    def day_cdf(self, shop: int, day: int, day_of_year: int, gift_season: bool) -> np.ndarray:
        """Cumulative popularity of every SKU for one shop on one day (day = offset from start)."""
        # summer items peak around mid-July, winter items around mid-December
        angle = 2.0 * np.pi * (day_of_year - 196) / 365.0
        summer = 0.25 + 0.75 * (1.0 + np.cos(angle)) / 2.0
        winter = 0.25 + 0.75 * (1.0 - np.cos(angle)) / 2.0
        season_factor = np.array([summer * 1.6, winter * 1.6, 1.0])[self.season]
        w = self.shop_weights[shop] * season_factor
        if gift_season:
            w = np.where(self.is_food, w * 2.5, w)
        active = (self.launch <= day) & (day < self.end)
        # new arrivals sell strongly in their first weeks
        fresh = active & (day - self.launch < 28) & (self.launch >= 0)
        w = np.where(active, w, 0.0) * np.where(fresh, 2.0, 1.0)
        cdf = np.cumsum(w)
        total = cdf[-1]
        if total <= 0:  # nothing on sale (cannot happen with the default catalogue): sell anything
            cdf = np.cumsum(self.shop_weights[shop])
            total = cdf[-1]
        return cdf / total
