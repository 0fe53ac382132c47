"""What the report page shows and how a Chinese reader expects numbers written, shared by the report tests."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

AMOUNTS = frozenset({"net_sales", "paid_gmv", "refund_amount", "gmv"})
KPI_TITLES = {  # card title -> metric, in page order
    "净销售额": "net_sales",
    "支付金额": "paid_gmv",
    "订单数": "orders",
    "支付订单数": "paid_orders",
    "退款金额": "refund_amount",
}


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def format_amount(value: Decimal) -> str:
    """¥123.4万 from 1万 up, ¥3,456 below."""
    if abs(value) >= 10000:
        return f"¥{_round(value / 10000, '0.1'):,}万"
    return f"¥{_round(value, '1'):,}"


def format_wan(value: Decimal) -> str:
    return f"¥{_round(value / 10000, '0.1'):,}万"


def format_count(value: int | Decimal) -> str:
    return f"{int(value):,}"


def format_change(current: Decimal | int, previous: Decimal | int) -> str:
    """▲ 2.7% / ▼ 2.6%: direction arrow, then the size of the change with one decimal."""
    change = (Decimal(current) - Decimal(previous)) / Decimal(previous)
    arrow = "▲" if change > 0 else "▼" if change < 0 else "—"
    return f"{arrow} {_round(abs(change) * 100, '0.1')}%"


def format_value(metric: str, value: Decimal | int) -> str:
    return format_amount(Decimal(value)) if metric in AMOUNTS else format_count(value)


def visible_kpi_cards(page) -> dict[str, dict[str, str]]:
    cards = page.evaluate(
        """() => [...document.querySelectorAll('article div.inline-block')]
            .filter((el) => el.offsetParent !== null)
            .filter((el) => el.querySelector(':scope > p.text-sm') && el.querySelector(':scope > div.text-xl'))
            .map((el) => ({
                title: el.querySelector(':scope > p.text-sm').innerText.trim(),
                value: el.querySelector(':scope > div.text-xl').innerText.trim(),
                comparison: (el.querySelector(':scope > p.text-xs')?.innerText ?? '').replace(/\\s+/g, ' ').trim(),
            }))"""
    )
    return {card["title"]: card for card in cards}
