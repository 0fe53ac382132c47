"""Every shape a Tmall, 生意参谋 or 聚水潭 export comes in lands with every row accounted for; staging reads it right.

One tiny landing folder holds each variant (encodings, CSV and XLSX, the classic two-file export and the newer
sub-order export, an Excel re-save, a reduced and a reordered column set, traffic at shop and item level, purchase
receipts). It is ingested once, then dbt builds the seeds and the staging models on it, so the assertions read the
values a mart would see.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from orchestration.ingest.datasets import recognise
from orchestration.ingest.loader import ingest_landing
from orchestration.settings import PROJECT_ROOT

CLASSIC_ORDER_HEADER = [
    "订单编号",
    "买家会员名",
    "买家应付货款",
    " 买家应付邮费",
    "总金额",
    "买家实际支付金额",
    "订单状态",
    "收货地址 ",
    "订单创建时间",
    "订单付款时间 ",
    "店铺名称",
    "退款金额",
]
ITEM_HEADER = ["订单编号", "标题 ", "价格", "购买数量", "商品属性", "订单状态", "商家编码 "]
SUB_ORDER_HEADER = [
    "子订单编号",
    "主订单编号",
    "买家会员名",
    "店铺名称",
    "商品标题",
    "商品价格",
    "购买数量",
    "商品属性",
    "订单状态",
    "商家编码",
    "买家应付货款",
    "买家应付邮费",
    "买家实付金额",
    "退款状态",
    "退款金额",
    "订单创建时间",
    "订单付款时间 ",
    "商品ID",
    "收货地址 ",
]
TRAFFIC_SHOP_HEADER = [
    "日期",
    "店铺名称",
    "访客数",
    "浏览量",
    "支付买家数",
    "支付转化率",
    "加购人数",
    "收藏人数",
    "客单价",
]
TRAFFIC_ITEM_HEADER = [
    "统计日期",
    "店铺名称",
    "商品ID",
    "商品名称",
    "访客数",
    "浏览量",
    "支付买家数",
    "支付转化率",
    "加购人数",
]
RECEIPT_HEADER = [
    "入库单号",
    "采购单号",
    "供应商",
    "仓库",
    "商品编码",
    "商品名称",
    "数量",
    "单价",
    "金额",
    "入库日期",
    "状态",
    "修改时间",
]

SHOP = "暖居旗舰店"
ADDRESS = "江苏省 南京市 建邺区 沙洲街道****"


def classic_order(order_id: str, nick: str = "tb_buyer_1", total: str = "128.00") -> list[str]:
    return [
        f'="{order_id}"',
        nick,
        total,
        "0.00",
        total,
        total,
        "交易成功",
        ADDRESS,
        "2025-03-14 10:23:45",
        "2025-03-14 10:25:01",
        SHOP,
        "无退款申请",
    ]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str, bom: bool = False) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return len(rows)


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> int:
    """A workbook the way Excel or the seller center saves it (openpyxl writes real OOXML)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return len(rows)


def build_landing(root: Path) -> dict[str, int]:
    """Write every variant; returns data rows written per file (relative path)."""
    rows: dict[str, int] = {}

    def add(relative: str, count: int) -> None:
        rows[relative] = count

    # classic order report in the three encodings (GB18030 with a character GBK does not have: 𠮷)
    add(
        "gbk/ExportOrderList202503150800.csv",
        write_csv(
            root / "gbk/ExportOrderList202503150800.csv",
            CLASSIC_ORDER_HEADER,
            [classic_order("5100000000000000001")],
            "gbk",
        ),
    )
    add(
        "utf8/orders.csv",
        write_csv(
            root / "utf8/orders.csv",
            CLASSIC_ORDER_HEADER,
            [classic_order("5100000000000000002", total="88.50")],
            "utf-8",
        ),
    )
    add(
        "bom/orders.csv",
        write_csv(
            root / "bom/orders.csv", CLASSIC_ORDER_HEADER, [classic_order("5100000000000000003")], "utf-8", bom=True
        ),
    )
    add(
        "gb18030/orders.csv",
        write_csv(
            root / "gb18030/orders.csv",
            CLASSIC_ORDER_HEADER,
            [classic_order("5100000000000000004", nick="𠮷祥物")],
            "gb18030",
        ),
    )
    # the classic two-file export as XLSX
    add(
        "xlsx/ExportOrderList.xlsx",
        write_xlsx(
            root / "xlsx/ExportOrderList.xlsx",
            CLASSIC_ORDER_HEADER,
            [
                [
                    "5100000000000000005",
                    "tb_x",
                    199,
                    0,
                    199,
                    199,
                    "交易成功",
                    ADDRESS,
                    "2025-03-16 09:00:00",
                    "2025-03-16 09:01:00",
                    SHOP,
                    "无退款申请",
                ]
            ],
        ),
    )
    add(
        "xlsx/ExportOrderDetailList.xlsx",
        write_xlsx(
            root / "xlsx/ExportOrderDetailList.xlsx",
            ITEM_HEADER,
            [
                ["5100000000000000005", "羊毛毯", 149, 1, "颜色分类：白色", "交易成功", "SKU-1"],
                ["5100000000000000005", "抱枕", 25, 2, "-", "交易成功", "SKU-2"],
            ],
        ),
    )
    # the newer sub-order export (xlsx): one order of two sub-orders, one refunded
    add(
        "sub/子订单导出.xlsx",
        write_xlsx(
            root / "sub/子订单导出.xlsx",
            SUB_ORDER_HEADER,
            [
                [
                    "5200000000000000011",
                    "5100000000000000006",
                    "tb_sub",
                    SHOP,
                    "羊毛毯",
                    149.0,
                    2,
                    "颜色分类：白色",
                    "交易成功",
                    "SKU-1",
                    278.0,
                    8,
                    286,
                    "没有申请退款",
                    0,
                    "2025-03-17 20:00:00",
                    "2025-03-17 20:02:00",
                    "600000000001",
                    ADDRESS,
                ],
                [
                    "5200000000000000012",
                    "5100000000000000006",
                    "tb_sub",
                    SHOP,
                    "抱枕",
                    25,
                    1,
                    "-",
                    "交易关闭",
                    "SKU-2",
                    20,
                    8,
                    0,
                    "退款成功",
                    20,
                    "2025-03-17 20:00:00",
                    "2025-03-17 20:02:00",
                    "600000000002",
                    ADDRESS,
                ],
            ],
        ),
    )
    # a CSV re-saved by Excel: ids no longer escaped, `2020/2/21 0:00` times, numbers without `.0`,
    # and one id Excel turned into scientific notation (quarantined)
    add(
        "excel/orders_resaved.csv",
        write_csv(
            root / "excel/orders_resaved.csv",
            CLASSIC_ORDER_HEADER,
            [
                [
                    "5100000000000000007",
                    "tb_y",
                    "128",
                    "0",
                    "128",
                    "128",
                    "交易成功",
                    ADDRESS,
                    "2020/2/21 0:00",
                    "2020/2/21 0:05",
                    SHOP,
                    "无退款申请",
                ],
                [
                    "5.1E+18",
                    "tb_z",
                    "5",
                    "0",
                    "5",
                    "5",
                    "交易成功",
                    ADDRESS,
                    "2020/2/21 0:00",
                    "2020/2/21 0:05",
                    SHOP,
                    "无退款申请",
                ],
            ],
            "gbk",
        ),
    )
    # the seller exported only a few fields, and another export in its own column order
    add(
        "reduced/orders.csv",
        write_csv(
            root / "reduced/orders.csv",
            ["订单编号", "订单创建时间", "订单状态", "订单付款时间", "总金额"],
            [['="5100000000000000008"', "2025-03-18 11:00:00", "交易成功", "2025-03-18 11:01:00", "66.00"]],
            "gbk",
        ),
    )
    reordered = [CLASSIC_ORDER_HEADER[i] for i in (8, 6, 0, 11, 4, 1, 10, 2, 3, 5, 7, 9)]
    row = classic_order("5100000000000000009", total="77.70")
    add(
        "reordered/orders.csv",
        write_csv(
            root / "reordered/orders.csv", reordered, [[row[i] for i in (8, 6, 0, 11, 4, 1, 10, 2, 3, 5, 7, 9)]], "gbk"
        ),
    )
    # 生意参谋: shop level as XLSX with date cells, item level as GB18030 CSV with text percentages
    add(
        "sycm/店铺整体.xlsx",
        write_xlsx(
            root / "sycm/店铺整体.xlsx",
            TRAFFIC_SHOP_HEADER,
            [
                [dt.date(2025, 3, 17), SHOP, 1234, 4321, 29, "2.35%", 98, 40, 128.5],
                [dt.date(2025, 3, 18), SHOP, 85, "-", 0, "0.00%", 3, 1, "-"],
            ],
        ),
    )
    add(
        "sycm/商品效果.csv",
        write_csv(
            root / "sycm/商品效果.csv",
            TRAFFIC_ITEM_HEADER,
            [
                ["2025-03-17", SHOP, "600000000001", "羊毛毯", '"1,020"', "2001", "12", "1.18%", "45"],
                ["2025/3/18", SHOP, "600000000001", "羊毛毯", "70", "120", "2", "2.86%", "6"],
            ],
            "gb18030",
        ),
    )
    # 聚水潭 采购入库, Excel re-saved (`.0` quantities, dates without seconds)
    add(
        "erp/采购入库.csv",
        write_csv(
            root / "erp/采购入库.csv",
            RECEIPT_HEADER,
            [
                [
                    "8200001",
                    "3100001",
                    "南通家纺科技有限公司",
                    "嘉兴总仓",
                    "SKU-1",
                    "羊毛毯",
                    "40.0",
                    "61.5",
                    "2460",
                    "2025/3/4 9:30",
                    "已审核",
                    "2025/3/4 10:02",
                ],
                [
                    "8200001",
                    "3100001",
                    "南通家纺科技有限公司",
                    "嘉兴总仓",
                    "SKU-2",
                    "抱枕",
                    "100",
                    "8",
                    "800",
                    "2025/3/4 9:30",
                    "已审核",
                    "2025/3/4 10:02",
                ],
            ],
            "utf-8",
            bom=True,
        ),
    )
    return rows


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], object]:
    root = tmp_path_factory.mktemp("export_variants")
    landing, warehouse = root / "landing", root / "analytics.duckdb"
    written = build_landing(landing)
    with duckdb.connect(str(warehouse)) as con:
        report = ingest_landing(con, landing)
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [
            str(dbt),
            "build",
            "--quiet",
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(root / "target"),
            "--select",
            "path:seeds",
            "path:models/staging",
        ],
        check=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    return warehouse, written, report


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_variant_is_recognised_and_every_row_is_accounted_for(landed) -> None:
    warehouse, written, report = landed
    expected_dataset = {
        "sub/子订单导出.xlsx": "tmall_sub_orders",
        "xlsx/ExportOrderDetailList.xlsx": "tmall_order_items",
        "sycm/店铺整体.xlsx": "tmall_traffic_shop",
        "sycm/商品效果.csv": "tmall_traffic_items",
        "erp/采购入库.csv": "erp_purchase_receipts",
    }
    logged = {
        row[0]: row[1:]
        for row in query(
            warehouse,
            "select source_file, dataset, encoding, rows_in, rows_loaded, rows_quarantined from raw.ingest_log",
        )
    }
    assert set(logged) == set(written)
    for path, rows in written.items():
        dataset, _, rows_in, loaded, quarantined = logged[path]
        assert dataset == expected_dataset.get(path, "tmall_orders"), path
        assert rows_in == rows and rows_in == loaded + quarantined, path
        table_rows = query(warehouse, f"select count(*) from raw.{dataset} where _source_file = ?", [path])[0][0]
        assert table_rows == loaded, path
    assert {
        p: logged[p][1]
        for p in (
            "gbk/ExportOrderList202503150800.csv",
            "utf8/orders.csv",
            "bom/orders.csv",
            "gb18030/orders.csv",
            "xlsx/ExportOrderList.xlsx",
        )
    } == {
        "gbk/ExportOrderList202503150800.csv": "gb18030",
        "utf8/orders.csv": "utf-8",
        "bom/orders.csv": "utf-8-sig",
        "gb18030/orders.csv": "gb18030",
        "xlsx/ExportOrderList.xlsx": "xlsx",
    }
    assert logged["excel/orders_resaved.csv"][3:] == (1, 1)
    assert "scientific notation" in query(warehouse, "select reason from raw.quarantine")[0][0]


def test_orders_from_every_encoding_and_layout_reach_staging_with_the_same_values(landed) -> None:
    warehouse, _, _ = landed
    orders = {
        row[0]: row[1:]
        for row in query(
            warehouse,
            "select order_id, total_amount, order_status, created_at, paid_at, shop_name, "
            "receiver_province, source_export from staging.stg_tmall__orders",
        )
    }
    at, paid = dt.datetime(2025, 3, 14, 10, 23, 45), dt.datetime(2025, 3, 14, 10, 25, 1)
    classic = ("TRADE_FINISHED", at, paid, SHOP, "江苏省", "order_report")
    assert orders["5100000000000000001"] == (Decimal("128.00"), *classic)  # GBK
    assert orders["5100000000000000002"] == (Decimal("88.50"), *classic)  # UTF-8
    assert orders["5100000000000000003"] == (Decimal("128.00"), *classic)  # UTF-8 with BOM
    assert orders["5100000000000000004"] == (Decimal("128.00"), *classic)  # GB18030
    assert orders["5100000000000000009"] == (Decimal("77.70"), *classic)  # columns reordered
    assert orders["5100000000000000005"][:4] == (
        Decimal("199.00"),
        "TRADE_FINISHED",
        dt.datetime(2025, 3, 16, 9),
        dt.datetime(2025, 3, 16, 9, 1),
    )
    # Excel re-save: `2020/2/21 0:00`, `128`
    assert orders["5100000000000000007"][:4] == (
        Decimal("128.00"),
        "TRADE_FINISHED",
        dt.datetime(2020, 2, 21),
        dt.datetime(2020, 2, 21, 0, 5),
    )
    # reduced subset: what the file has is there, the rest is null
    assert orders["5100000000000000008"] == (
        Decimal("66.00"),
        "TRADE_FINISHED",
        dt.datetime(2025, 3, 18, 11),
        dt.datetime(2025, 3, 18, 11, 1),
        None,
        None,
        "order_report",
    )
    # the GB18030-only character survived into the (hashed) customer key: it hashes differently from a GBK nick
    keys = query(
        warehouse,
        "select count(distinct customer_key) from staging.stg_tmall__orders "
        "where order_id in ('5100000000000000001', '5100000000000000004')",
    )
    assert keys == [(2,)]
    assert "5.1E+18" not in orders


def test_the_sub_order_export_becomes_one_order_and_its_lines(landed) -> None:
    warehouse, _, _ = landed
    order = query(
        warehouse,
        "select goods_amount, post_fee, total_amount, refund_amount, order_status, item_kinds, "
        "item_quantity, source_export from staging.stg_tmall__orders where order_id = '5100000000000000006'",
    )
    assert order == [
        (
            Decimal("298.00"),
            Decimal("8.00"),
            Decimal("306.00"),
            Decimal("20.00"),
            "TRADE_FINISHED",
            2,
            3,
            "sub_order_export",
        )
    ]
    lines = query(
        warehouse,
        "select order_line_id, sub_order_id, item_id, unit_price, quantity, line_status, "
        "line_refund_status from staging.stg_tmall__order_items where order_id = '5100000000000000006' "
        "order by line_number",
    )
    assert lines == [
        (
            "5100000000000000006-1",
            "5200000000000000011",
            "600000000001",
            Decimal("149.00"),
            2,
            "TRADE_FINISHED",
            "NO_REFUND",
        ),
        (
            "5100000000000000006-2",
            "5200000000000000012",
            "600000000002",
            Decimal("25.00"),
            1,
            "TRADE_CLOSED",
            "SUCCESS",
        ),
    ]
    classic_lines = query(
        warehouse,
        "select count(*), sum(quantity) from staging.stg_tmall__order_items "
        "where order_id = '5100000000000000005' and source_export = 'item_report'",
    )
    assert classic_lines == [(2, 3)]


def test_traffic_at_shop_and_item_level_parses_counts_and_text_percentages(landed) -> None:
    warehouse, _, _ = landed
    shop = query(
        warehouse,
        "select traffic_date, shop_name, visitors, page_views, paying_buyers, "
        "payment_conversion_rate, add_to_cart_buyers, favourite_buyers, average_spend_per_buyer "
        "from staging.stg_tmall__traffic_daily order by traffic_date",
    )
    assert shop == [
        (dt.date(2025, 3, 17), SHOP, 1234, 4321, 29, Decimal("0.023500"), 98, 40, Decimal("128.50")),
        (dt.date(2025, 3, 18), SHOP, 85, None, 0, Decimal("0.000000"), 3, 1, None),
    ]
    items = query(
        warehouse,
        "select traffic_date, item_id, item_title, visitors, paying_buyers, "
        "payment_conversion_rate from staging.stg_tmall__traffic_items_daily order by traffic_date",
    )
    assert items == [
        (dt.date(2025, 3, 17), "600000000001", "羊毛毯", 1020, 12, Decimal("0.011800")),
        (dt.date(2025, 3, 18), "600000000001", "羊毛毯", 70, 2, Decimal("0.028600")),
    ]


def test_purchase_receipts_reach_staging_with_quantities_costs_and_status(landed) -> None:
    warehouse, _, _ = landed
    receipts = query(
        warehouse,
        "select receipt_line_id, purchase_order_id, supplier_name, warehouse_name, quantity, "
        "cost_price, amount, received_at, receipt_status, is_received "
        "from staging.stg_erp__purchase_receipts order by 1",
    )
    at = dt.datetime(2025, 3, 4, 9, 30)
    assert receipts == [
        (
            "8200001-SKU-1",
            "3100001",
            "南通家纺科技有限公司",
            "嘉兴总仓",
            40,
            Decimal("61.50"),
            Decimal("2460.00"),
            at,
            "Confirmed",
            True,
        ),
        (
            "8200001-SKU-2",
            "3100001",
            "南通家纺科技有限公司",
            "嘉兴总仓",
            100,
            Decimal("8.00"),
            Decimal("800.00"),
            at,
            "Confirmed",
            True,
        ),
    ]


def test_the_sub_order_export_and_the_classic_item_report_are_told_apart_by_header() -> None:
    sub_order = recognise(SUB_ORDER_HEADER)
    assert sub_order.dataset is not None and sub_order.dataset.name == "tmall_sub_orders"
    items = recognise(ITEM_HEADER)
    assert items.dataset is not None and items.dataset.name == "tmall_order_items"
    # the §1.2 core fields alone (no seller-added order fields) are still a sub-order export
    core = [
        "子订单编号",
        "主订单编号",
        "商品标题",
        "商品价格",
        "购买数量",
        "外部系统编号",
        "商品属性",
        "套餐信息",
        "联系方式备注",
        "订单状态",
        "商家编码",
        "买家应付货款",
        "买家实付金额",
        "退款状态",
        "退款金额",
        "订单创建时间",
        "订单付款时间",
        "商品ID",
        "商家备注",
        "主订单买家留言",
        "发货时间",
        "物流单号",
        "物流公司",
    ]
    assert recognise(core).dataset.name == "tmall_sub_orders"
    # without 子订单编号 a sub-order file is not guessed at: it names the closest format and what it lacks
    missing = recognise([h for h in core if h != "子订单编号"])
    assert missing.dataset is None and "子订单编号" in missing.explanation


def test_traffic_levels_are_told_apart_by_the_item_id_column() -> None:
    assert recognise(TRAFFIC_SHOP_HEADER).dataset.name == "tmall_traffic_shop"
    assert recognise(TRAFFIC_ITEM_HEADER).dataset.name == "tmall_traffic_items"
    assert recognise(["统计日期", "访客数", "支付转化率"]).dataset.name == "tmall_traffic_shop"
