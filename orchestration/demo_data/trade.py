"""Orders of one shop on one day: their life cycle as of the extract time, and every row they put in the files.

A chunk of orders is generated with numpy draws from its own random stream (keyed by seed, day, shop and chunk
number, so the output does not depend on anything else), then walked in creation order to produce the Tmall order
and item rows, the ERP order and outbound rows, and the stock events for the inventory simulation.

Money is integer cents throughout and obeys, per order:
    买家应付货款 = Σ 价格 × 购买数量 − order discount          (discount ≥ 0)
    总金额 = 买家应付货款 + 买家应付邮费
    退款金额 ≤ 总金额
    买家实际支付金额 = 总金额 − 退款金额 for paid orders, 0.00 for unpaid ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import formats as f
from .buyers import BuyerBatch
from .catalog import Sku
from .geo import PROVINCES
from .order_shape import LINE_COUNT_P, LINE_COUNTS, P_UNPAID, QTY, QTY_P

if TYPE_CHECKING:
    from .context import Context

CHUNK_ORDERS = 20_000

P_NO_CREATE_PAY = 0.04  # share of unpaid orders that never got an Alipay trade
P_BUYER_CANCEL = 0.3  # share of unpaid orders cancelled by the buyer (the rest time out after 24 h)
UNPAID_TIMEOUT = 24 * 3600
# refund kinds (cumulative thresholds on one draw, for paid orders)
FULL_BEFORE_SHIP, FULL_AFTER_SHIP, PARTIAL, REQUEST_WITHDRAWN, NO_REFUND_KIND = range(5)
REFUND_THRESHOLDS = (0.025, 0.040, 0.075, 0.082)
P_MISSING_CODE = 0.02
P_WRONG_CODE = 0.02
P_MERGE = 0.006
P_SPLIT = 0.012  # of paid orders with two or more lines
P_MISSING_IN_ERP = 0.004
P_OUTBOUND_NEXT_DAY = 0.12
P_SIGNED_SHOWN = 0.35
P_AUTO_CONFIRM = 0.45
AUTO_CONFIRM = 10 * 86400


BUYER_MESSAGES = (
    "请尽快发货，谢谢",
    "送人的，不要放发票",
    "麻烦包装好一点",
    "周末不在家，请工作日送达",
    "发顺丰可以吗？补运费",
    "颜色要和图片一样哦",
    "老顾客了，多送点小样",
    "请检查一下再发货",
    "不要放价格单,是送礼的",
    "放快递柜就行",
)
SELLER_MEMOS = (
    "已核实地址",
    "赠品已加",
    "客户要求延迟发货",
    "老客户，优先发货",
    "换色已确认",
    "补发配件",
    "已电话联系,改发顺丰",
    "VIP客户",
    "开具电子发票",
)
ORDER_NOTES = ("预售", "礼品包装", "发票：个人", "加急")

_PROVINCE_SOUTH = [p.south for p in PROVINCES]
_PROVINCE_REMOTE = [p.remote for p in PROVINCES]
_PROVINCE_OFFICIAL = [p.official for p in PROVINCES]


class _Order:
    __slots__ = (
        "i",
        "seq",
        "tid",
        "c",
        "p",
        "paid",
        "buyer",
        "lines",
        "goods_list",
        "discount",
        "goods",
        "post",
        "total",
        "s",
        "o",
        "next_day",
        "courier",
        "waybill",
        "wh",
        "partner",
        "merged",
        "split",
        "missing",
        "bad_code",
        "ref_kind",
        "refund_amount",
        "refund_line",
        "audit",
        "will_pay",
    )


class _Draws:
    """Per-order random draws used while walking the orders (plain lists, indexed by position in the chunk)."""

    __slots__ = (
        "transit_days",
        "transit_extra",
        "auto_confirm",
        "confirm_delay",
        "signed_shown",
        "r_frac",
        "r_quick",
        "r_days",
        "r_withdrawn",
        "u_unpaid_kind",
        "cancel_delay",
        "close_reason",
        "u_text",
        "text_pick",
        "split_gap",
    )

    def __init__(self, **values: list) -> None:
        for name, value in values.items():
            setattr(self, name, value)


def _pick(rng: np.random.Generator, values: np.ndarray, p: np.ndarray, n: int) -> np.ndarray:
    cdf = np.cumsum(p)
    cdf[-1] = 1.0
    return values[np.searchsorted(cdf, rng.random(n), side="right")]


def generate_chunk(ctx: Context, day: int, shop: int, sub: int, n: int) -> None:
    """Generate n orders of `shop` created on day offset `day`; write their rows and stock events."""
    rng = np.random.default_rng([ctx.config.seed, 7, day, shop, sub])
    cfg = ctx
    as_of = cfg.as_of_ts
    day_start = cfg.day0_ts + day * 86400
    day_end = day_start + 86400

    # --- creation times, buyers, and buyers who come back minutes later (merged in the ERP) ---------------
    hours = np.searchsorted(cfg.hourly_cdf[day], rng.random(n), side="right")
    c = np.sort(day_start + hours * 3600 + rng.integers(0, 3600, size=n))
    buyers = cfg.pool.sample(rng, n)
    partner = np.full(n, -1, dtype=np.int64)
    merge_draw = rng.random(n) < P_MERGE
    merge_gap = rng.integers(60, 900, size=n)
    for i in np.flatnonzero(merge_draw).tolist():
        j = i + 1
        if j < n and partner[i] < 0 and partner[j] < 0:
            partner[i], partner[j] = j, i
            buyers[j] = buyers[i]
            c[j] = min(int(c[i] + merge_gap[i]), day_end - 1)
    order = np.argsort(c, kind="stable")
    if not np.array_equal(order, np.arange(n)):
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        c, buyers = c[order], buyers[order]
        partner = partner[order]
        partner = np.where(partner >= 0, inverse[np.maximum(partner, 0)], -1)

    # --- item lines ---------------------------------------------------------------------------------------
    n_lines = _pick(rng, LINE_COUNTS, LINE_COUNT_P, n)
    total_lines = int(n_lines.sum())
    starts = np.concatenate([[0], np.cumsum(n_lines)[:-1]]).tolist()
    sku_cdf = cfg.sku_cdf(shop, day)
    line_sku = np.minimum(np.searchsorted(sku_cdf, rng.random(total_lines), side="right"), cfg.catalog.n - 1)
    boost = cfg.catalog.qty_boost[line_sku]
    line_qty = _pick(rng, QTY, QTY_P, total_lines) + (rng.random(total_lines) < (boost - 1.0) * 0.5) * rng.integers(
        1, 4, size=total_lines
    )
    code_draw = rng.random(total_lines)

    # --- payment and shipping times (vectorised) ----------------------------------------------------------
    u_outcome = rng.random(n)
    pay_delay = np.clip(rng.lognormal(np.log(45.0), 1.3, size=n), 3, 7200).astype(np.int64)
    late = rng.random(n) < 0.04
    pay_delay = np.where(late, rng.integers(3600, 20 * 3600, size=n), pay_delay)
    p = c + pay_delay
    p_rel = (p - cfg.day0_ts) // 86400
    p_sec = (p - cfg.day0_ts) % 86400
    same_day = p_sec < 15 * 3600 + 1800
    s_day = np.where(same_day, p_rel, p_rel + 1)
    s_sec = np.where(same_day, rng.integers(16 * 3600, 21 * 3600, size=n), rng.integers(10 * 3600, 20 * 3600, size=n))
    s_day = s_day + rng.integers(0, cfg.backlog[p_rel] + 1)
    s_day = s_day + (rng.random(n) < 0.05) * rng.integers(1, 4, size=n)
    closed = cfg.closed[s_day]
    s_day = np.where(closed, cfg.reopen[s_day] + rng.integers(0, 3, size=n), s_day)
    s = np.maximum(cfg.day0_ts + s_day * 86400 + s_sec, p + 1800)
    next_day = (rng.random(n) < P_OUTBOUND_NEXT_DAY) & ~cfg.closed[s_day + 1]
    o = np.where(
        next_day,
        cfg.day0_ts + (s_day + 1) * 86400 + rng.integers(8 * 3600, 12 * 3600, size=n),
        np.maximum(s - rng.integers(60, 2400, size=n), p + 600),
    )
    audit = rng.integers(600, 3 * 3600, size=n)
    transit_days = rng.integers(1, 4, size=n)
    transit_extra = rng.integers(2 * 3600, 10 * 3600, size=n)
    auto_confirm = rng.random(n) < P_AUTO_CONFIRM
    confirm_delay = np.clip(rng.lognormal(np.log(20 * 3600), 1.0, size=n), 600, 9 * 86400).astype(np.int64)
    signed_shown = rng.random(n) < P_SIGNED_SHOWN
    u_refund = rng.random(n)
    r_frac = rng.uniform(0.1, 0.9, size=n)
    r_quick = np.clip(rng.lognormal(np.log(5400.0), 1.0, size=n), 120, 4 * 86400).astype(np.int64)
    r_days = rng.integers(86400, 6 * 86400, size=n)
    r_withdrawn = rng.integers(3600, 48 * 3600, size=n)
    u_unpaid_kind = rng.random(n)
    cancel_delay = rng.integers(60, 6 * 3600, size=n)
    close_reason = rng.integers(0, len(f.CLOSE_REASONS_UNPAID), size=n)
    u_coupon = rng.random(n)
    u_adjust = rng.random(n)
    adjust_amount = rng.integers(1, 21, size=n) * 100
    u_post = rng.random(n)
    protect = rng.uniform(0.05, 0.2, size=n)
    refund_pick = rng.random(n)
    courier = np.searchsorted(cfg.courier_cdf, rng.random(n), side="right")
    u_text = rng.random((n, 4))
    text_pick = rng.integers(0, 1 << 30, size=(n, 3))
    u_erp = rng.random((n, 2))
    split_gap = rng.integers(1, 4, size=n) * 86400 + rng.integers(10 * 3600, 18 * 3600, size=n)  # from midnight

    buyer_info = cfg.pool.attributes(buyers)

    # to Python for the walk
    c_l, p_l, s_l, o_l = c.tolist(), p.tolist(), s.tolist(), o.tolist()
    line_sku_l, line_qty_l, code_l = line_sku.tolist(), line_qty.tolist(), code_draw.tolist()
    n_lines_l = n_lines.tolist()
    u_outcome_l, u_refund_l = u_outcome.tolist(), u_refund.tolist()
    partner_l = partner.tolist()
    buyers_l = buyers.tolist()
    courier_l = courier.tolist()
    next_day_l = next_day.tolist()
    u_coupon_l, u_adjust_l, adjust_l, u_post_l = (
        u_coupon.tolist(),
        u_adjust.tolist(),
        adjust_amount.tolist(),
        u_post.tolist(),
    )
    protect_l, refund_pick_l = protect.tolist(), refund_pick.tolist()
    audit_l = audit.tolist()
    u_erp_l = u_erp.tolist()
    promo = cfg.promo[day]
    price = cfg.sku_price
    catalog_skus = cfg.catalog.skus

    # --- pass 1: lines, money, base times -----------------------------------------------------------------
    orders: list[_Order] = []
    for i in range(n):
        rec = _Order()
        rec.i = i
        seq = cfg.next_order_seq
        cfg.next_order_seq += 1
        rec.seq = seq
        rec.tid = cfg.order_id(seq)
        rec.c = c_l[i]
        rec.buyer = buyers_l[i]
        # lines: one row per distinct SKU (a repeated SKU adds to the quantity)
        lines: list[list[int]] = []  # [sku, qty, code_state]  code_state: 0 ok, 1 missing, 2 wrong
        seen: dict[int, list[int]] = {}
        start = starts[i]
        for j in range(start, start + n_lines_l[i]):
            sku = line_sku_l[j]
            if sku in seen:
                seen[sku][1] += line_qty_l[j]
                continue
            u = code_l[j]
            line = [sku, line_qty_l[j], 1 if u < P_MISSING_CODE else 2 if u < P_MISSING_CODE + P_WRONG_CODE else 0]
            seen[sku] = line
            lines.append(line)
        rec.lines = lines
        rec.bad_code = any(line[2] for line in lines)
        goods_list = 0
        for line in lines:
            goods_list += price[line[0]] * line[1]
        # order-level discount: festival 满减 (每满300减50), shop coupons, a seller's manual price change
        discount = 0
        if promo and u_coupon_l[i] < 0.85:
            discount += goods_list // 30_000 * 5_000
        if u_coupon_l[i] < (0.35 if promo else 0.25) or (promo and u_coupon_l[i] >= 0.85 and u_coupon_l[i] < 0.95):
            if goods_list >= 19_900:
                discount += 2_000
            elif goods_list >= 9_900:
                discount += 1_000
            elif goods_list >= 4_900:
                discount += 500
        if u_adjust_l[i] < 0.02:
            discount += adjust_l[i]
        discount = min(discount, goods_list // 2)
        goods = goods_list - discount
        province = buyer_info.province[i]
        post = 0
        if goods < 4_900 and u_post_l[i] < 0.6:
            post = 800
        if _PROVINCE_REMOTE[province] and u_post_l[i] < 0.7:
            post += 1_000
        rec.goods_list, rec.discount, rec.goods, rec.post, rec.total = goods_list, discount, goods, post, goods + post
        rec.p = p_l[i]
        rec.will_pay = u_outcome_l[i] >= P_UNPAID
        rec.paid = rec.will_pay and rec.p <= as_of
        rec.wh = 1 if _PROVINCE_SOUTH[province] else 0
        rec.s, rec.o, rec.next_day = s_l[i], o_l[i], next_day_l[i]
        rec.courier = courier_l[i]
        rec.waybill = ""
        rec.audit = audit_l[i]
        rec.partner = partner_l[i]
        rec.merged = False
        rec.missing = u_erp_l[i][0] < P_MISSING_IN_ERP
        rec.split = rec.paid and len(lines) >= 2 and u_erp_l[i][1] < P_SPLIT
        u = u_refund_l[i]
        kind = NO_REFUND_KIND
        for k, threshold in enumerate(REFUND_THRESHOLDS):
            if u < threshold:
                kind = k
                break
        rec.ref_kind = kind
        # partial refund: one line (its share after the discount), one unit, or a price-protection amount
        rec.refund_amount = 0
        rec.refund_line = -1
        if kind == PARTIAL:
            if len(lines) >= 2:
                k = int(refund_pick_l[i] * len(lines))
                line = lines[k]
                # exactly what the sub-order export shows as that line's 买家应付货款
                amount = price[line[0]] * line[1] - discount_shares(discount, lines, price, goods_list)[k]
                rec.refund_line = k
            elif lines[0][1] >= 2:
                amount = (price[lines[0][0]] * goods + goods_list // 2) // goods_list
            else:
                amount = max(100, int(goods * protect_l[i]) // 100 * 100)
            if 0 < amount < rec.total:
                rec.refund_amount = amount
            else:
                rec.ref_kind = NO_REFUND_KIND
                rec.refund_line = -1
        orders.append(rec)

    # --- merged orders: both paid and going out together, no SKU in common --------------------------------
    for rec in orders:
        j = rec.partner
        if j <= rec.i:
            continue
        other = orders[j]
        ok = (
            rec.paid
            and other.paid
            and not rec.missing
            and not other.missing
            and not rec.split
            and not other.split
            and rec.ref_kind != FULL_BEFORE_SHIP
            and other.ref_kind != FULL_BEFORE_SHIP
            and not {line[0] for line in rec.lines} & {line[0] for line in other.lines}
        )
        if not ok:
            rec.partner = other.partner = -1
            continue
        rec.merged = other.merged = True
        lead = rec if rec.s >= other.s else other  # the one shipping later sets the pace
        # the parcel leaves once both are paid
        o_shared = max(lead.o, max(rec.p, other.p) + 600)
        s_shared = max(lead.s, o_shared + 60) if not lead.next_day else lead.s
        for r in (rec, other):
            r.s, r.o, r.next_day = s_shared, o_shared, lead.next_day
        other.courier = rec.courier
    for rec in orders:
        if not rec.merged:
            rec.partner = -1

    draws = _Draws(
        transit_days=transit_days.tolist(),
        transit_extra=transit_extra.tolist(),
        auto_confirm=auto_confirm.tolist(),
        confirm_delay=confirm_delay.tolist(),
        signed_shown=signed_shown.tolist(),
        r_frac=r_frac.tolist(),
        r_quick=r_quick.tolist(),
        r_days=r_days.tolist(),
        r_withdrawn=r_withdrawn.tolist(),
        u_unpaid_kind=u_unpaid_kind.tolist(),
        cancel_delay=cancel_delay.tolist(),
        close_reason=close_reason.tolist(),
        u_text=u_text.tolist(),
        text_pick=text_pick.tolist(),
        split_gap=split_gap.tolist(),
    )
    _emit(ctx, shop, orders, buyer_info, draws, catalog_skus)


class _Outcome:
    """Where one order's life cycle stands when the extract is taken: what the Tmall and ERP rows show of it."""

    __slots__ = (
        "status",
        "status_line",
        "refund_str",
        "close",
        "paid_at",
        "shipped_at",
        "confirmed_at",
        "payno",
        "paid_amount",
        "refund",
        "shipped",
        "ship_ok",
        "r_done",
        "r_at",
        "k_time",
        "erp_cancel_at",
        "close_at",
    )

    def __init__(self) -> None:
        self.status: str = ""
        self.status_line: int | None = None  # the line a partial refund closed
        self.refund_str = f.NO_REFUND
        self.close = f.NOT_CLOSED
        self.paid_at = self.shipped_at = self.confirmed_at = ""
        self.payno = ""
        self.paid_amount = 0
        self.refund = 0
        self.shipped = False  # Tmall shows a shipment
        self.ship_ok = False  # the goods leave the warehouse (no refund before shipping)
        self.r_done: int | None = None
        self.r_at: int | None = None  # when the refund finishes (or is withdrawn), whether or not before the extract
        self.k_time: int | None = None
        self.erp_cancel_at: int | None = None
        self.close_at: int | None = None


class _Chunk:
    """What the steps of one chunk's walk share: the context, the shop's open files, the draws, the stock events."""

    __slots__ = (
        "ctx",
        "shop",
        "orders",
        "buyer_info",
        "draws",
        "skus",
        "shop_name",
        "shop_id",
        "events",
        "waiting",
    )

    def __init__(
        self, ctx: Context, shop: int, orders: list[_Order], buyer_info: BuyerBatch, draws: _Draws, skus: list[Sku]
    ) -> None:
        self.ctx, self.shop, self.orders, self.buyer_info, self.draws, self.skus = (
            ctx,
            shop,
            orders,
            buyer_info,
            draws,
            skus,
        )
        self.shop_name, self.shop_id = ctx.shop_names[shop], ctx.shop_ids[shop]
        self.events = _Events()
        # the first order of a merged pair waits here for its partner (the ERP writes them as one)
        self.waiting: dict[int, tuple] = {}


def _emit(
    ctx: Context, shop: int, orders: list[_Order], buyer_info: BuyerBatch, draws: _Draws, skus: list[Sku]
) -> None:
    """Walk the chunk's orders in creation order: each order's life cycle, then its Tmall rows, then its ERP rows
    (and stock events); at the end the chunk's stock events go to the inventory."""
    chunk = _Chunk(ctx, shop, orders, buyer_info, draws, skus)
    for rec in orders:
        out = _life_cycle(chunk, rec)
        if rec.merged and rec.partner < rec.i:
            rec.waybill = orders[rec.partner].waybill  # shipped in one parcel with the first order
        elif rec.paid:
            rec.waybill = ctx.next_waybill(rec.courier)
        courier_name = f.COURIERS[rec.courier][0]
        ctx.status_counts[out.status] += 1
        _tmall_rows(chunk, rec, out, courier_name)
        _count_order(chunk, rec, out)
        _erp_rows(chunk, rec, out, courier_name)
    _record_stock_events(chunk)


def _life_cycle(chunk: _Chunk, rec: _Order) -> _Outcome:
    """The order's status at the extract: unpaid (waiting or closed), refunded before shipping, or shipped (then
    confirmed, refunded in full or in part, or a refund request withdrawn), with the times the exports show."""
    cfg, draws, i = chunk.ctx, chunk.draws, rec.i
    as_of = cfg.as_of_ts
    out = _Outcome()
    if not rec.paid and rec.will_pay:
        out.status = f.WAIT_BUYER_PAY  # pays after the extract was taken
    elif not rec.paid:
        if draws.u_unpaid_kind[i] < P_NO_CREATE_PAY:
            close_at = rec.c + 300 + draws.cancel_delay[i] // 12
            closed_status = f.TRADE_NO_CREATE_PAY
        else:
            by_buyer = draws.u_unpaid_kind[i] < P_NO_CREATE_PAY + P_BUYER_CANCEL
            close_at = rec.c + (draws.cancel_delay[i] if by_buyer else UNPAID_TIMEOUT)
            closed_status = f.TRADE_CLOSED_BY_TAOBAO
        if close_at <= as_of:
            out.status = closed_status
            out.close = f.CLOSE_REASONS_UNPAID[draws.close_reason[i]]
            out.close_at = close_at
        else:
            out.status = f.WAIT_BUYER_PAY
    else:
        _paid_life_cycle(chunk, rec, out)
        if out.r_done is not None:
            out.refund_str = f.money(out.refund)
        out.paid_amount = rec.total - out.refund
    return out


def _paid_life_cycle(chunk: _Chunk, rec: _Order, out: _Outcome) -> None:
    cfg, draws, i = chunk.ctx, chunk.draws, rec.i
    as_of = cfg.as_of_ts
    fmt = cfg.format_ts
    p = rec.p
    out.paid_at = fmt(p)
    out.payno = cfg.payment_no(rec.seq, p)
    kind = rec.ref_kind
    s = rec.s
    if kind == FULL_BEFORE_SHIP:
        # buyers who change their mind mostly do so within hours of paying
        r = p + min(int((s - p) * draws.r_frac[i]), draws.r_quick[i])
        out.r_at = r
        if r <= as_of:
            out.status = f.TRADE_CLOSED
            out.refund = rec.total
            out.close = f.CLOSE_REFUND
            out.r_done = r
            out.erp_cancel_at = r
        else:
            out.status = f.WAIT_SELLER_SEND
        return
    out.ship_ok = True
    g = s + draws.transit_days[i] * 86400 + draws.transit_extra[i]
    if _PROVINCE_REMOTE[chunk.buyer_info.province[i]]:
        g += 2 * 86400
    if draws.auto_confirm[i]:
        k_time = s + AUTO_CONFIRM + draws.confirm_delay[i] % 3600
    else:
        k_time = min(g + draws.confirm_delay[i], s + AUTO_CONFIRM)
    if kind == FULL_AFTER_SHIP:
        r = min(g + draws.r_days[i], s + AUTO_CONFIRM - 3600)
        out.r_at = r
        k_time = None
        if r <= as_of:
            out.r_done = r
            out.refund = rec.total
    elif kind == PARTIAL:
        r = g + (k_time - g) // 2
        out.r_at = r
        if r <= as_of:
            out.r_done = r
            out.refund = rec.refund_amount
    elif kind == REQUEST_WITHDRAWN:
        r = p + draws.r_withdrawn[i]
        out.r_at = r
        if r <= as_of:
            out.r_done = r
    out.k_time = k_time
    if kind == FULL_AFTER_SHIP and out.r_done is not None:
        out.status = f.TRADE_CLOSED
        out.close = f.CLOSE_REFUND
    elif k_time is not None and k_time <= as_of:
        out.status = f.TRADE_FINISHED
        out.confirmed_at = fmt(k_time)
    elif g <= as_of and draws.signed_shown[i]:
        out.status = f.BUYER_SIGNED
    elif s <= as_of:
        out.status = f.WAIT_BUYER_CONFIRM
    else:
        out.status = f.WAIT_SELLER_SEND
    if s <= as_of:
        out.shipped = True
        out.shipped_at = fmt(s)
    if out.r_done is not None:
        if kind == PARTIAL and rec.refund_line >= 0:
            out.status_line = rec.refund_line


def _tmall_rows(chunk: _Chunk, rec: _Order, out: _Outcome, courier_name: str) -> None:
    """The order in the seller center's exports: the sub-order XLSX (or the classic order and item reports), its
    refunds, and its payment in the traffic figures."""
    cfg, draws, buyer_info, skus, i = chunk.ctx, chunk.draws, chunk.buyer_info, chunk.skus, rec.i
    shop, shop_name = chunk.shop, chunk.shop_name
    fmt = cfg.format_ts
    money = f.money
    price = cfg.sku_price
    lines, total, status = rec.lines, rec.total, out.status
    ut = draws.u_text[i]
    tp = draws.text_pick[i]
    message = BUYER_MESSAGES[tp[0] % len(BUYER_MESSAGES)] if ut[0] < 0.08 else ""
    memo = SELLER_MEMOS[tp[1] % len(SELLER_MEMOS)] if ut[1] < 0.05 and rec.paid else ""
    if rec.paid:
        cfg.traffic.record(shop, (rec.p - cfg.day0_ts) // 86400, rec.buyer, total, lines, skus)
    sub_orders = cfg.tmall_sub_order_sinks[shop]
    if sub_orders is not None:
        _sub_order_rows(
            cfg,
            sub_orders,
            rec,
            status,
            out.status_line,
            out.refund,
            out.paid_at,
            out.shipped_at if out.shipped else "",
            out.confirmed_at,
            courier_name if out.shipped else "",
            buyer_info.nick[i],
            buyer_info.address[i],
            shop,
            shop_name,
            message,
            memo,
            skus,
        )
        cfg.stats["orders_in_sub_order_export"] += 1
    else:
        tid_cell = f.excel_id(rec.tid)
        titles = []
        qty_total = 0
        tmall_items = cfg.tmall_item_sinks[shop]
        for k, line in enumerate(lines):
            sku = skus[line[0]]
            if line[2] == 1:
                code, outer = "", ""
            elif line[2] == 2:
                code, outer = sku.wrong_code, sku.style_id
            else:
                code, outer = sku.sku_id, sku.style_id
            qty_total += line[1]
            if sku.title not in titles:
                titles.append(sku.title)
            line_status = f.TRADE_CLOSED if k == out.status_line else status
            tmall_items.add(
                f"{tid_cell},{sku.title},{money(price[line[0]])},{line[1]},{outer},{sku.properties},,,"
                f"{line_status},{code}"
            )
        message = f.quote(message)
        memo = f.quote(memo)
        note = ORDER_NOTES[tp[2] % len(ORDER_NOTES)] if ut[2] < 0.02 else ""
        mobile_order = "手机订单" if ut[3] < 0.86 else ""
        points = out.paid_amount // 2000 if status == f.TRADE_FINISHED else 0
        cfg.tmall_order_sinks[shop].add(
            ",".join(
                (
                    tid_cell,
                    buyer_info.nick[i],
                    buyer_info.alipay[i],
                    f.excel_id(out.payno) if out.payno else "",
                    money(rec.goods),
                    money(rec.post),
                    "0",
                    money(total),
                    str(points),
                    money(out.paid_amount),
                    "0",
                    status,
                    message,
                    buyer_info.name[i],
                    buyer_info.address[i],
                    "EMS" if courier_name == "EMS" else "快递",
                    buyer_info.phone[i],
                    buyer_info.mobile[i],
                    fmt(rec.c),
                    out.paid_at,
                    "，".join(titles),
                    str(len(lines)),
                    rec.waybill if out.shipped else "",
                    courier_name if out.shipped else "",
                    note,
                    str(qty_total),
                    chunk.shop_id,
                    shop_name,
                    out.close,
                    out.refund_str,
                    out.shipped_at,
                    out.confirmed_at,
                    mobile_order,
                    memo,
                )
            )
        )
    if out.r_at is not None and cfg.tmall_refund_sinks:
        _refund_rows(
            cfg,
            cfg.tmall_refund_sinks[shop],
            rec,
            out.r_at,
            out.k_time,
            out.payno,
            out.paid_at,
            f"{courier_name} {rec.waybill}" if out.shipped else "",
            buyer_info.nick[i],
            buyer_info.name[i],
            shop,
            shop_name,
            skus,
        )


def _count_order(chunk: _Chunk, rec: _Order, out: _Outcome) -> None:
    """The buyer's order count and the generation summary's refund and SKU-code counts."""
    stats = chunk.ctx.stats
    chunk.ctx.buyer_order_counts[rec.buyer] += 1
    if out.refund:
        stats["refunded_orders"] += 1
        stats["refunded_in_full" if out.refund == rec.total else "refunded_in_part"] += 1
    for line in rec.lines:
        stats["lines_missing_code" if line[2] == 1 else "lines_wrong_code" if line[2] == 2 else "lines_ok"] += 1


class _ErpOrder:
    """The cells every ERP row of one Tmall order repeats."""

    __slots__ = ("top", "name", "mobile", "province", "city", "audited", "doc", "modified_candidates")

    def __init__(self, chunk: _Chunk, rec: _Order, status: str) -> None:
        buyer_info, i = chunk.buyer_info, rec.i
        self.top = f.TMALL_STATUS_TO_TOP[status]
        self.name, self.mobile = buyer_info.name[i], buyer_info.mobile[i]
        self.province, self.city = _PROVINCE_OFFICIAL[buyer_info.province[i]], buyer_info.city[i]
        self.audited = False
        self.doc = 0
        self.modified_candidates: list[int] = []

    @property
    def buyer_cells(self) -> str:
        return f"{self.name},{self.mobile},{self.province},{self.city}"


def _erp_rows(chunk: _Chunk, rec: _Order, out: _Outcome, courier_name: str) -> None:
    """The order in the 聚水潭 extracts: an unpaid or cancelled order, or a paid one (merged with its partner, split
    into two shipments, or shipped whole) with its outbound rows; paid orders lock stock."""
    cfg = chunk.ctx
    if rec.missing:
        cfg.stats["orders_missing_in_erp"] += 1
        return
    erp = _ErpOrder(chunk, rec, out.status)
    if not rec.paid:
        _erp_unpaid(chunk, rec, out, erp)
        return
    as_of = cfg.as_of_ts
    erp.doc = rec.p + rec.audit  # the ERP audits the order and creates the outbound document
    erp.audited = erp.doc <= as_of and erp.doc < cfg.range_end_ts
    _stock_events(chunk, rec, rec.p, 1)  # the ERP locks the stock as soon as the order is paid
    if out.erp_cancel_at is not None:
        _erp_cancelled(chunk, rec, out, erp, courier_name)
        return
    erp.modified_candidates = [rec.c, rec.p]
    if out.r_done is not None:
        erp.modified_candidates.append(out.r_done)
    if out.k_time is not None and out.k_time <= as_of:
        erp.modified_candidates.append(out.k_time)
    if rec.merged and rec.partner > rec.i:
        chunk.waiting[rec.i] = (rec, out.status, erp.top, out.paid_at, erp.modified_candidates)
    elif rec.merged:
        _erp_merged(chunk, rec, out, erp, courier_name)
    elif rec.split and out.ship_ok:
        _erp_split(chunk, rec, out, erp, courier_name)
    else:
        _erp_single(chunk, rec, out, erp, courier_name)


def _stock_events(chunk: _Chunk, rec: _Order, at: int, sign: int) -> None:
    """Lock (sign 1) or release (sign -1) the order's quantities in its warehouse at `at`."""
    events, n_wh = chunk.events, len(f.WAREHOUSES)
    for line in rec.lines:
        events.t.append(at)
        events.cell.append(line[0] * n_wh + rec.wh)
        events.on_hand.append(0)
        events.locked.append(sign * line[1])


def _erp_unpaid(chunk: _Chunk, rec: _Order, out: _Outcome, erp: _ErpOrder) -> None:
    cfg = chunk.ctx
    money, fmt = f.money, cfg.format_ts
    erp_status = "待付款" if out.status == f.WAIT_BUYER_PAY else "已取消"
    modified = max(t for t in (rec.c, out.close_at) if t is not None)
    erp_id = cfg.next_erp_id()
    cfg.erp_order_sink.add(
        f"{erp_id},{rec.tid},{chunk.shop_name},{fmt(rec.c)},,,{fmt(modified)},{erp_status},{erp.top},"
        f"{money(rec.total)},0.00,{money(rec.post)},{money(rec.discount)},,,,{erp.buyer_cells}"
    )


def _erp_cancelled(chunk: _Chunk, rec: _Order, out: _Outcome, erp: _ErpOrder, courier_name: str) -> None:
    """Refunded before shipping: the ERP cancels the order; an outbound already created is voided."""
    cfg = chunk.ctx
    money, fmt, price = f.money, cfg.format_ts, cfg.sku_price
    wh = f.WAREHOUSES[rec.wh]
    erp_id = cfg.next_erp_id()
    _stock_events(chunk, rec, out.erp_cancel_at, -1)
    cfg.erp_order_sink.add(
        f"{erp_id},{rec.tid},{chunk.shop_name},{fmt(rec.c)},{out.paid_at},,{fmt(out.erp_cancel_at)},已取消,{erp.top},"
        f"{money(rec.total)},{money(rec.total)},{money(rec.post)},{money(rec.discount)},,,"
        f"{wh if erp.audited else ''},{erp.buyer_cells}"
    )
    if erp.audited and erp.doc < out.erp_cancel_at:
        io = cfg.next_outbound_id()
        sink = cfg.outbound_sink(erp.doc)
        for line in rec.lines:
            sku = chunk.skus[line[0]]
            sink.add(
                f"{io},{erp_id},{rec.tid},,已作废,{wh},{rec.waybill},{courier_name},{sku.sku_id},"
                f"{line[1]},{money(price[line[0]])}"
            )
        cfg.stats["outbounds_voided"] += 1


def _erp_merged(chunk: _Chunk, rec: _Order, out: _Outcome, erp: _ErpOrder, courier_name: str) -> None:
    """The first order absorbs the second: one ERP order carrying both Tmall ids, one outbound."""
    cfg = chunk.ctx
    money, fmt, as_of = f.money, cfg.format_ts, cfg.as_of_ts
    o = rec.o if out.ship_ok else None
    first, _first_status, first_top, first_paid_at, first_mod = chunk.waiting.pop(rec.partner)
    erp_id = cfg.next_erp_id()
    merged_id = cfg.next_erp_id()
    all_lines = first.lines + rec.lines
    tids = [first.tid] * len(first.lines) + [rec.tid] * len(rec.lines)
    erp_status, ship_cell, waybill, courier_cell, wh_cell = _shipment_rows(
        cfg,
        erp_id,
        all_lines,
        o,
        first.waybill,
        tids,
        courier_name,
        rec.wh,
        rec.bad_code or first.bad_code,
        erp.audited,
        erp.doc,
        chunk.events,
    )
    mods = first_mod + erp.modified_candidates
    if ship_cell:
        mods.append(o)
    modified = fmt(max(t for t in mods if t <= as_of))
    payable = first.total + rec.total
    shop_name = chunk.shop_name
    cfg.erp_order_sink.add(
        f'{erp_id},"{first.tid},{rec.tid}",{shop_name},{fmt(first.c)},{first_paid_at},{ship_cell},'
        f"{modified},{erp_status},{first_top},{money(payable)},{money(payable)},{money(first.post + rec.post)},"
        f"{money(first.discount + rec.discount)},{waybill},{courier_cell},{wh_cell},{erp.buyer_cells}"
    )
    cfg.erp_order_sink.add(
        f"{merged_id},{rec.tid},{shop_name},{fmt(rec.c)},{out.paid_at},,{fmt(max(rec.c, rec.p))},被合并,{erp.top},"
        f"{money(rec.total)},{money(rec.total)},{money(rec.post)},{money(rec.discount)},,,{wh_cell},{erp.buyer_cells}"
    )
    cfg.stats["erp_merged_orders"] += 1


def _erp_split(chunk: _Chunk, rec: _Order, out: _Outcome, erp: _ErpOrder, courier_name: str) -> None:
    """One Tmall order, two shipments: the parent is marked split, each child ships its own lines."""
    cfg = chunk.ctx
    money, fmt, as_of, price = f.money, cfg.format_ts, cfg.as_of_ts, cfg.sku_price
    lines, shop_name = rec.lines, chunk.shop_name
    o = rec.o
    parent_id = cfg.next_erp_id()
    half = (len(lines) + 1) // 2
    parts = [lines[:half], lines[half:]]
    out_times = [o, o - o % 86400 + chunk.draws.split_gap[rec.i]]  # the rest follows a few days later
    waybills = [rec.waybill, cfg.next_waybill(rec.courier)]
    child_rows = []
    disc_left = rec.discount
    for part_no, part in enumerate(parts):
        part_list = sum(price[line[0]] * line[1] for line in part)
        part_disc = rec.discount * part_list // rec.goods_list if part_no == 0 else disc_left
        disc_left -= part_disc
        part_post = rec.post if part_no == 0 else 0
        part_total = part_list - part_disc + part_post
        child_id = cfg.next_erp_id()
        erp_status, ship_cell, waybill, courier_cell, wh_cell = _shipment_rows(
            cfg,
            child_id,
            part,
            out_times[part_no],
            waybills[part_no],
            [rec.tid] * len(part),
            courier_name,
            rec.wh,
            rec.bad_code,
            erp.audited,
            erp.doc,
            chunk.events,
        )
        mods = list(erp.modified_candidates)
        if ship_cell:
            mods.append(out_times[part_no])
        modified = fmt(max(t for t in mods if t <= as_of))
        child_rows.append(
            f"{child_id},{rec.tid},{shop_name},{fmt(rec.c)},{out.paid_at},{ship_cell},{modified},{erp_status},"
            f"{erp.top},{money(part_total)},{money(part_total)},{money(part_post)},{money(part_disc)},{waybill},"
            f"{courier_cell},{wh_cell},{erp.buyer_cells}"
        )
    cfg.erp_order_sink.add(
        f"{parent_id},{rec.tid},{shop_name},{fmt(rec.c)},{out.paid_at},,{fmt(max(rec.c, rec.p))},被拆分,{erp.top},"
        f"{money(rec.total)},{money(rec.total)},{money(rec.post)},{money(rec.discount)},,,{f.WAREHOUSES[rec.wh]},"
        f"{erp.buyer_cells}"
    )
    for row in child_rows:
        cfg.erp_order_sink.add(row)
    cfg.stats["erp_split_orders"] += 1


def _erp_single(chunk: _Chunk, rec: _Order, out: _Outcome, erp: _ErpOrder, courier_name: str) -> None:
    """An order shipped whole: one ERP order, one outbound."""
    cfg = chunk.ctx
    money, fmt, as_of = f.money, cfg.format_ts, cfg.as_of_ts
    o = rec.o if out.ship_ok else None
    erp_id = cfg.next_erp_id()
    erp_status, ship_cell, waybill, courier_cell, wh_cell = _shipment_rows(
        cfg,
        erp_id,
        rec.lines,
        o,
        rec.waybill,
        [rec.tid] * len(rec.lines),
        courier_name,
        rec.wh,
        rec.bad_code,
        erp.audited,
        erp.doc,
        chunk.events,
    )
    if ship_cell:
        erp.modified_candidates.append(o)
        if rec.next_day:
            cfg.stats["outbound_day_after_tmall_shipping"] += 1
    modified = fmt(max(t for t in erp.modified_candidates if t <= as_of))
    cfg.erp_order_sink.add(
        f"{erp_id},{rec.tid},{chunk.shop_name},{fmt(rec.c)},{out.paid_at},{ship_cell},{modified},{erp_status},"
        f"{erp.top},{money(rec.total)},{money(rec.total)},{money(rec.post)},{money(rec.discount)},{waybill},"
        f"{courier_cell},{wh_cell},{erp.buyer_cells}"
    )


def _record_stock_events(chunk: _Chunk) -> None:
    """The chunk's stock events up to the extract, to the inventory (which writes the stock snapshots)."""
    events, as_of = chunk.events, chunk.ctx.as_of_ts
    if events.t:
        t = np.array(events.t, dtype=np.int64)
        keep = t <= as_of
        on = np.array(events.on_hand, dtype=np.int64)[keep]
        chunk.ctx.inventory.add_events(
            t[keep],
            np.array(events.cell, dtype=np.int64)[keep],
            on,
            np.array(events.locked, dtype=np.int64)[keep],
            -on,
        )


class _Events:
    """Stock events of a chunk, as parallel lists (time, cell = sku * warehouses + warehouse, deltas)."""

    __slots__ = ("t", "cell", "on_hand", "locked")

    def __init__(self) -> None:
        self.t: list[int] = []
        self.cell: list[int] = []
        self.on_hand: list[int] = []
        self.locked: list[int] = []


def _shipment_rows(
    cfg: Context,
    erp_id: int,
    ship_lines: list[list[int]],
    out_time: int | None,
    waybill: str,
    line_tids: list[str],
    courier_name: str,
    wh_index: int,
    bad_code: bool,
    audited: bool,
    doc: int,
    events: _Events,
) -> tuple[str, str, str, str, str]:
    """Outbound rows (and stock events) of one ERP order.

    Returns the ERP status and the 发货日期, 快递单号, 快递公司 and 发货仓 cells of the order row.
    """
    skus, price, money, wh = cfg.catalog.skus, cfg.sku_price, f.money, f.WAREHOUSES[wh_index]
    n_wh = len(f.WAREHOUSES)
    if out_time is not None and out_time <= cfg.as_of_ts:
        io = cfg.next_outbound_id()
        sink = cfg.outbound_sink(out_time)
        stamp = cfg.format_ts(out_time)
        for line, line_tid in zip(ship_lines, line_tids, strict=True):
            sku = skus[line[0]]
            sink.add(
                f"{io},{erp_id},{line_tid},{stamp},已出库,{wh},{waybill},{courier_name},{sku.sku_id},"
                f"{line[1]},{money(price[line[0]])}"
            )
            events.t.append(out_time)
            events.cell.append(line[0] * n_wh + wh_index)
            events.on_hand.append(-line[1])
            events.locked.append(-line[1])
        return "已发货", stamp, waybill, courier_name, wh
    if bad_code:  # a line whose 商家编码 the ERP cannot match holds the order until someone fixes it
        return "异常", "", "", "", wh if audited else ""
    if not audited:
        return "已付款待审核", "", "", "", ""
    io = cfg.next_outbound_id()
    sink = cfg.outbound_sink(doc)
    for line, line_tid in zip(ship_lines, line_tids, strict=True):
        sku = skus[line[0]]
        sink.add(
            f"{io},{erp_id},{line_tid},,待出库,{wh},{waybill},{courier_name},{sku.sku_id},"
            f"{line[1]},{money(price[line[0]])}"
        )
    return "发货中", "", waybill, courier_name, wh


def discount_shares(discount: int, lines: list[list[int]], price: list[int], goods_list: int) -> list[int]:
    """The order discount split over its lines in proportion to their list amounts (rounded down), the remainder
    on the last line: the split the sub-order export shows, and what a partial refund of one line gives back."""
    shares: list[int] = []
    left = discount
    for k, line in enumerate(lines):
        share = left if k == len(lines) - 1 else discount * price[line[0]] * line[1] // goods_list
        left -= share
        shares.append(share)
    return shares


def _sub_order_rows(
    cfg: Context,
    sink: f.XlsxSink,
    rec: _Order,
    status: str,
    status_line: int | None,
    refund: int,
    paid_at: str,
    shipped_at: str,
    confirmed_at: str,
    courier_name: str,
    nick: str,
    address: str,
    shop: int,
    shop_name: str,
    message: str,
    memo: str,
    skus: list[Sku],
) -> None:
    """The order as the newer sub-order export shows it: one row per 子订单, money split over the lines.

    Per sub-order: 买家应付货款 = 价格 × 数量 − its share of the order discount (shares in proportion to the list
    amount, the remainder on the last line), so Σ 买家应付货款 = the order's 买家应付货款; 退款金额 with 退款状态
    退款成功 where money went back (a full refund on every line, the post fee on the first; a partial refund on its
    line), and 退款关闭 with the amount once asked for when a refund request was withdrawn;
    买家实付金额 = 买家应付货款 plus the post fee on the first line, less the successful refund (0 when unpaid), so
    Σ 买家实付金额 = 总金额 − 退款金额 as in the classic report.
    """
    price = cfg.sku_price
    lines = rec.lines
    shares = discount_shares(rec.discount, lines, price, rec.goods_list)
    withdrawn = rec.paid and refund == 0 and rec.ref_kind == REQUEST_WITHDRAWN and status_line is None
    created = cfg.format_ts(rec.c)
    for k, line in enumerate(lines):
        sku = skus[line[0]]
        if line[2] == 1:
            code, outer = "", ""
        elif line[2] == 2:
            code, outer = sku.wrong_code, sku.style_id
        else:
            code, outer = sku.sku_id, sku.style_id
        goods = price[line[0]] * line[1] - shares[k]
        paid = (goods + (rec.post if k == 0 else 0)) if rec.paid else 0
        refund_status, line_refund = f.REFUND_NONE, 0
        if refund and refund == rec.total:
            refund_status, line_refund = f.REFUND_SUCCESS, paid
        elif refund and (k == rec.refund_line or (rec.refund_line < 0 and k == 0)):
            refund_status, line_refund = f.REFUND_SUCCESS, refund
        elif withdrawn and k == 0:
            refund_status, line_refund = f.REFUND_CLOSED, max(100, goods // 2)
        sink.add(
            [
                cfg.sub_order_id(rec.seq, k),
                rec.tid,
                nick,
                shop_name,
                sku.title,
                price[line[0]] / 100,
                line[1],
                outer,
                sku.properties,
                "",
                "",
                f.TRADE_CLOSED if k == status_line else status,
                code,
                goods / 100,
                rec.post / 100,
                (paid - (line_refund if refund_status == f.REFUND_SUCCESS else 0)) / 100,
                refund_status,
                line_refund / 100,
                created,
                paid_at,
                cfg.item_id(shop, sku.style_index),
                memo,
                message,
                address,
                shipped_at,
                confirmed_at,
                rec.waybill if shipped_at else "",
                courier_name,
            ]
        )


def _refund_rows(
    cfg: Context,
    sink: f.CsvSink,
    rec: _Order,
    r_at: int,
    k_time: int | None,
    payno: str,
    paid_at: str,
    delivery: str,
    nick: str,
    real_name: str,
    shop: int,
    shop_name: str,
    skus: list[Sku],
) -> None:
    """The order's refunds as the seller center's refund export (退款管理) shows them: one row per refund, and a
    Tmall refund is per sub-order. A full refund gives back every line (its 买家应付货款, the post fee with the
    first), a partial one its line (or the first line) for the order's refund amount, so Σ 买家退款金额 of the
    退款成功 rows = the order report's 退款金额; a withdrawn request is 退款关闭 on the first line with the amount once
    asked for, as in the sub-order export. A refund applied for but not finished by the extract time is still
    waiting for the seller (no 退款完结时间); one applied for after it is not in the export."""
    kind = rec.ref_kind
    p, s = rec.p, rec.s
    if kind == FULL_BEFORE_SHIP or kind == REQUEST_WITHDRAWN:
        applied = p + (r_at - p) // (2 if kind == FULL_BEFORE_SHIP else 3)
    else:
        applied = r_at - (r_at - s) // 3
    as_of = cfg.as_of_ts
    if applied > as_of:
        return
    finished = r_at <= as_of
    fmt, money = cfg.format_ts, f.money
    price = cfg.sku_price
    lines = rec.lines
    shares = discount_shares(rec.discount, lines, price, rec.goods_list)
    line_paid = [price[line[0]] * line[1] - shares[k] + (rec.post if k == 0 else 0) for k, line in enumerate(lines)]
    if kind in (FULL_BEFORE_SHIP, FULL_AFTER_SHIP):
        refunds = [(k, line_paid[k]) for k in range(len(lines))]
        reasons = f.REFUND_REASONS_BEFORE_SHIP if kind == FULL_BEFORE_SHIP else f.REFUND_REASONS_RETURN
    elif kind == PARTIAL:
        refunds = [(max(rec.refund_line, 0), rec.refund_amount)]
        reasons = f.REFUND_REASONS_LINE if rec.refund_line >= 0 else f.REFUND_REASONS_PARTIAL
    else:  # REQUEST_WITHDRAWN
        refunds = [(0, max(100, (price[lines[0][0]] * lines[0][1] - shares[0]) // 2))]
        reasons = f.REFUND_REASONS_BEFORE_SHIP
    if finished:
        status = f.REFUND_CLOSED if kind == REQUEST_WITHDRAWN else f.REFUND_SUCCESS
    else:
        status = f.REFUND_WAIT_SELLER_AGREE
    returns = kind == FULL_AFTER_SHIP or (kind == PARTIAL and rec.refund_line >= 0)
    if kind == FULL_BEFORE_SHIP or kind == REQUEST_WITHDRAWN or not delivery:
        goods_status = "买家未收到货"
    elif kind == FULL_AFTER_SHIP and finished:
        goods_status = "买家已退货"
    else:
        goods_status = "买家已收到货"
    phase = "售后退款" if k_time is not None and k_time <= applied else "售中退款"
    scope = "全部退款" if kind in (FULL_BEFORE_SHIP, FULL_AFTER_SHIP) else "部分退款"
    reason = reasons[rec.seq % len(reasons)]
    description = f.REFUND_DESCRIPTIONS[rec.seq % len(f.REFUND_DESCRIPTIONS)] if rec.seq % 5 == 0 else ""
    method = "手工退款" if rec.seq % 7 == 0 else "系统退款"
    for k, amount in refunds:
        line = lines[k]
        sku = skus[line[0]]
        code = "" if line[2] == 1 else sku.wrong_code if line[2] == 2 else sku.sku_id
        sink.add(
            ",".join(
                (
                    f.excel_id(rec.tid),
                    f.excel_id(cfg.refund_id(rec.seq, k)),
                    f.excel_id(payno) if payno else "",
                    paid_at,
                    cfg.item_id(shop, sku.style_index),
                    sku.title,
                    code,
                    fmt(r_at) if finished else "",
                    money(line_paid[k]),
                    money(amount),
                    method,
                    "是" if returns else "否",
                    fmt(applied),
                    "" if finished else fmt(applied + 5 * 86400),
                    status,
                    goods_status,
                    "",
                    delivery,
                    "客服未介入",
                    nick,
                    real_name,
                    reason,
                    f.quote(description),
                    scope,
                    phase,
                    f.excel_id(cfg.sub_order_id(rec.seq, k)),
                    shop_name,
                )
            )
        )
