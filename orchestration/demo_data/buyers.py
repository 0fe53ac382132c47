"""The buyer pool: stable, fake personal data derived from a buyer number, and Pareto-ish repeat purchasing.

Nothing is stored per buyer. A buyer is a number in `[0, pool_size)`; every attribute (nick, Alipay account, receiver
name, mobile, address) and the buyer's purchase propensity are pure functions of that number and the seed, computed
with a 64-bit mixing hash. Memory is therefore constant whatever the scale.

Repeat buying: each buyer has a propensity drawn from a capped Pareto distribution. Orders pick a buyer by rejection
sampling on that propensity, so most buyers order once, a minority order several times and a few order often.
Nicks embed a bijection of the buyer number, so two buyers never share a nick.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geo import PROVINCES, STREETS

PARETO_ALPHA = 1.8
"""Tail of the buyer propensity distribution (smaller = heavier tail of loyal buyers)."""
MAX_PROPENSITY = 40.0
"""Cap on propensity: the most loyal buyer orders about MAX_PROPENSITY times as often as a typical one."""
POOL_PER_ORDER = 2.2
"""Buyer pool size per order; together with the propensities this sets the share of repeat buyers."""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红鹏辉晶婷欣怡子轩浩宇梓涵一诺雨桐思远佳琪"
    "嘉怡俊杰晓东小燕春梅志强文博雪丹海燕建国丽华国庆晨曦天佑若曦书瑶心怡宇航子墨亦菲梦琪雅琴慧敏晓雯"
)
PINYIN = (
    "xiaoyu",
    "chenchen",
    "lili",
    "wangwei",
    "zhangmin",
    "liuyang",
    "huahua",
    "tiantian",
    "dandan",
    "xiaomei",
    "jingjing",
    "yueyue",
    "lele",
    "mengmeng",
    "xiaobai",
    "ahui",
    "linlin",
    "qiqi",
    "feifei",
    "xiaoqiang",
    "sunny",
    "lucky",
    "momo",
    "coco",
    "nana",
    "kiki",
    "tony",
    "amy",
    "jack",
    "lisa",
)
CN_NICKS = (
    "快乐的小熊",
    "爱吃鱼的猫",
    "阳光小屋",
    "星星点灯",
    "小小蜗牛",
    "风中的树",
    "清风徐来",
    "奔跑的兔子",
    "开心果",
    "甜甜圈",
    "向日葵",
    "半夏微凉",
    "柠檬不酸",
    "海边的风",
    "云淡风轻",
    "橘子汽水",
    "木子李",
    "江南烟雨",
    "一只小企鹅",
    "吃货小分队",
)
EMAIL_DOMAINS = ("163.com", "126.com", "sina.com", "hotmail.com", "foxmail.com", "139.com")
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
AREA_CODES = ("010", "021", "022", "023", "020", "0755", "0571", "025", "027", "028", "029", "0512", "0532")

# field salts for the per-buyer hash
_F_PROPENSITY, _F_NICK, _F_ALIPAY, _F_NAME, _F_MOBILE, _F_ADDRESS, _F_STREET, _F_PHONE = range(1, 9)


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, vectorised over uint64 (wraps around on purpose)."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _unit(h: np.ndarray) -> np.ndarray:
    """uint64 hash -> float in [0, 1)."""
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


@dataclass(frozen=True)
class BuyerBatch:
    """Attributes of a batch of buyers, as plain Python lists indexed like the input ids."""

    nick: list[str]
    alipay: list[str]
    name: list[str]
    mobile: list[str]
    phone: list[str]
    province: list[int]
    address: list[str]
    """Tmall 收货地址 (`省 市 区 街道****`), province spelt the way this buyer's account spells it."""
    city: list[str]


class BuyerPool:
    def __init__(self, seed: int, size: int) -> None:
        self.size = max(1, int(size))
        self._salt = int(mix64(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0])
        # nick numbers: a bijection of the buyer number onto [0, modulus), so two buyers never share a nick
        self._digits = max(6, len(str(self.size)) + 1)
        self._modulus = 10**self._digits
        weights = np.array([p.weight for p in PROVINCES])
        self._province_cdf = np.cumsum(weights / weights.sum())
        self._province_cdf[-1] = 1.0

    def _hash(self, ids: np.ndarray, field: int) -> np.ndarray:
        with np.errstate(over="ignore"):
            key = ids.astype(np.uint64) * np.uint64(0x100000001B3) + np.uint64(self._salt) + np.uint64(field)
        return mix64(mix64(key) ^ np.uint64(field * 0x9E3779B1))

    def propensity(self, ids: np.ndarray) -> np.ndarray:
        u = _unit(self._hash(ids, _F_PROPENSITY))
        return np.minimum(MAX_PROPENSITY, (1.0 - u) ** (-1.0 / PARETO_ALPHA))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n buyer ids, chosen with probability proportional to their propensity (rejection sampling)."""
        out = np.empty(0, dtype=np.int64)
        while out.size < n:
            need = n - out.size
            candidates = rng.integers(0, self.size, size=need * 24 + 16, dtype=np.int64)
            accept = rng.random(candidates.size) * MAX_PROPENSITY < self.propensity(candidates)
            out = np.concatenate([out, candidates[accept]])
        return out[:n]

    def attributes(self, ids: np.ndarray) -> BuyerBatch:
        ids = np.asarray(ids, dtype=np.int64)
        n = ids.size
        # bijections of the buyer number (multipliers coprime to 10), so nicks and accounts are unique
        scrambled = ((ids * 7919 + 104729) % self._modulus).tolist()
        width = self._digits
        h_nick = self._hash(ids, _F_NICK).tolist()
        h_alipay = self._hash(ids, _F_ALIPAY).tolist()
        h_name = self._hash(ids, _F_NAME).tolist()
        h_mobile = self._hash(ids, _F_MOBILE).tolist()
        h_phone = self._hash(ids, _F_PHONE).tolist()
        h_street = self._hash(ids, _F_STREET).tolist()
        u_addr = _unit(self._hash(ids, _F_ADDRESS))
        province = np.searchsorted(self._province_cdf, u_addr, side="right").tolist()
        addr_bits = self._hash(ids, _F_ADDRESS).tolist()

        nicks, alipays, names, mobiles, phones, addresses, cities = [], [], [], [], [], [], []
        n_pinyin, n_cn, n_sur, n_given = len(PINYIN), len(CN_NICKS), len(SURNAMES), len(GIVEN_CHARS)
        for k in range(n):
            s = scrambled[k]
            h = h_nick[k]
            style = h % 10
            if style < 3:
                nick = f"tb{s:0{width}d}"
            elif style < 6:
                nick = f"{PINYIN[(h >> 8) % n_pinyin]}{s}"
            elif style < 9:
                nick = f"{CN_NICKS[(h >> 8) % n_cn]}{s}"
            else:
                nick = f"{PINYIN[(h >> 8) % n_pinyin]}_{s}"
            nicks.append(nick)

            hm = h_mobile[k]
            mobile = f"{MOBILE_PREFIXES[hm % len(MOBILE_PREFIXES)]}{(hm >> 8) % 100_000_000:08d}"
            mobiles.append(mobile)

            ha = h_alipay[k]
            kind = ha % 10
            if kind < 5:
                alipay = mobile
            elif kind < 8:
                alipay = f"{PINYIN[(ha >> 8) % n_pinyin]}{s}@{EMAIL_DOMAINS[(ha >> 16) % len(EMAIL_DOMAINS)]}"
            else:
                alipay = f"{10**width + s}@qq.com"
            alipays.append(alipay)

            hn = h_name[k]
            given_len = 1 + (hn >> 40) % 2
            given = GIVEN_CHARS[(hn >> 8) % n_given]
            if given_len == 2:
                given += GIVEN_CHARS[(hn >> 20) % n_given]
            names.append(SURNAMES[hn % n_sur] + given)

            hp = h_phone[k]
            phones.append(
                f"{AREA_CODES[(hp >> 8) % len(AREA_CODES)]}-{(hp >> 16) % 90_000_000 + 10_000_000}"
                if hp % 100 < 3
                else ""
            )

            p = PROVINCES[province[k]]
            bits = addr_bits[k]
            city, districts = p.cities[(bits >> 5) % len(p.cities)] if (bits >> 3) % 3 else p.cities[0]
            district = districts[(bits >> 13) % len(districts)]
            if p.municipality:
                spelt = p.short if bits % 10 < 6 else p.official
            else:
                spelt = p.official if bits % 10 < 8 else p.short
            addresses.append(f"{spelt} {city} {district} {STREETS[h_street[k] % len(STREETS)]}****")
            cities.append(city)
        return BuyerBatch(nicks, alipays, names, mobiles, phones, province, addresses, cities)
