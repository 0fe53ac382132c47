"""What the report pages show and how a Chinese reader expects numbers written, shared by the report tests."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

AMOUNTS = frozenset({"net_sales", "paid_gmv", "refund_amount", "gmv", "gross_margin"})
PRICES = frozenset({"average_order_value"})
RATES = frozenset({"refund_rate", "gross_margin_rate"})
KPI_TITLES = {  # overview card title -> metric, in page order
    "净销售额": "net_sales",
    "订单数": "orders",
    "客单价": "average_order_value",
    "退款率": "refund_rate",
    "毛利": "gross_margin",
}
REPORT_PAGES = {  # route -> page title, in sidebar order
    "/": "经营概览",
    "/sales": "销售分析",
    "/products": "商品分析",
    "/customers": "客户分析",
    "/inventory": "库存与补货",
    "/fulfilment": "履约时效",
    "/reconciliation": "对账",
    "/quality": "数据质量",
    "/glossary": "指标口径",
}
EMPTY_STATES = {  # route -> id of the message a page shows when its data is absent
    "/products": "empty-products",
    "/customers": "empty-customers",
    "/inventory": "empty-inventory",
    "/fulfilment": "empty-fulfilment",
    "/reconciliation": "empty-reconciliation",
    "/quality": "empty-quality",
}
ERROR_TEXTS = ("Dataset is empty", "Error", "error", "No Records", "undefined", "NaN", "Infinity", "null")


def _round(value: Decimal, places: str) -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _decimal(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_amount(value: object) -> str:
    """¥123.4万 from 1万 up, ¥3,456 below."""
    value = _decimal(value)
    if abs(value) >= 10000:
        return f"¥{_round(value / 10000, '0.1'):,}万"
    return f"¥{_round(value, '1'):,}"


def format_wan(value: object) -> str:
    return f"¥{_round(_decimal(value) / 10000, '0.1'):,}万"


def format_price(value: object) -> str:
    """¥416.79: prices and averages to the fen."""
    return f"¥{_round(_decimal(value), '0.01'):,}"


def format_yuan(value: object) -> str:
    return f"¥{_round(_decimal(value), '1'):,}"


def format_percent(value: object) -> str:
    """8.3%: shares with one decimal."""
    return f"{_round(_decimal(value) * 100, '0.1')}%"


def format_count(value: object) -> str:
    return f"{int(_decimal(value)):,}"


def format_change(current: object, previous: object) -> str:
    """▲ 2.7% / ▼ 2.6%: direction arrow, then the size of the change with one decimal."""
    change = (_decimal(current) - _decimal(previous)) / _decimal(previous)
    arrow = "▲" if change > 0 else "▼" if change < 0 else "—"
    return f"{arrow} {_round(abs(change) * 100, '0.1')}%"


def format_points_change(current: object, previous: object) -> str:
    """▲ 0.7个百分点: the change of a rate in percentage points."""
    change = (_decimal(current) - _decimal(previous)) * 100
    arrow = "▲" if change > 0 else "▼" if change < 0 else "—"
    return f"{arrow} {_round(abs(change), '0.1')}个百分点"


def format_value(metric: str, value: object) -> str:
    if metric in AMOUNTS:
        return format_amount(value)
    if metric in PRICES:
        return format_price(value)
    if metric in RATES:
        return format_percent(value)
    return format_count(value)


def format_metric_change(metric: str, current: object, previous: object) -> str:
    if metric in RATES:
        return format_points_change(current, previous)
    return format_change(current, previous)


def visible_kpi_cards(page) -> dict[str, dict[str, str]]:
    """BigValue cards on the page (visible ones only): title -> value and comparison text."""
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


def visible_tables(page) -> list[dict[str, list]]:
    """Every visible data table on the page: its header titles and the cell texts of its (current page of) rows."""
    return page.evaluate(
        """() => [...document.querySelectorAll('article table')]
            .filter((table) => table.offsetParent !== null)
            .map((table) => ({
                // Evidence's table has empty header cells for its own controls: keep the titled ones
                headers: Array.from(table.querySelectorAll('thead th'), (th) => th.innerText.trim()).filter(Boolean),
                rows: Array.from(
                    table.querySelectorAll('tr:has(> td)'),
                    (tr) => Array.from(tr.querySelectorAll(':scope > td'), (td) => td.innerText.trim()),
                ),
            }))"""
    )


def table_with_headers(page, *headers: str) -> dict[str, list]:
    """The first visible table whose header row starts with these titles."""
    for table in visible_tables(page):
        if table["headers"][: len(headers)] == list(headers):
            return table
    raise AssertionError(f"no visible table with headers {headers}: {[t['headers'] for t in visible_tables(page)]}")
