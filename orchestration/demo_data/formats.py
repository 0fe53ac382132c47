"""What the files look like: headers (as real exports spell them), vocabularies, encodings and the CSV writer.

Follows docs/landing-formats.md. Tmall seller-center exports are GBK with CRLF, long ids Excel-escaped as
`="5118609024991031607"` (written raw, the way the seller center writes them) and a few headers with stray spaces.
ERP (聚水潭) exports are UTF-8 with a BOM and CRLF.
"""

from __future__ import annotations

from pathlib import Path

# --- Tmall order report (订单报表) ----------------------------------------------------------------------------
# Exact header cells, stray spaces included. Besides the contract columns the seller center also exports point and
# flag columns (买家支付积分, 返点积分, 买家实际支付积分, 是否手机订单): real files carry them, so the demo does too.
TMALL_ORDER_HEADER: tuple[str, ...] = (
    "订单编号",
    "买家会员名",
    "买家支付宝账号",
    "支付单号",
    "买家应付货款",
    " 买家应付邮费",
    "买家支付积分",
    "总金额",
    "返点积分",
    "买家实际支付金额",
    "买家实际支付积分",
    "订单状态",
    "买家留言",
    "收货人姓名",
    "收货地址 ",
    "运送方式",
    "联系电话 ",
    "联系手机",
    "订单创建时间",
    "订单付款时间 ",
    "宝贝标题 ",
    "宝贝种类",
    "物流单号",
    "物流公司",
    "订单备注",
    "宝贝总数量",
    "店铺Id",
    "店铺名称",
    "订单关闭原因",
    "退款金额",
    "发货时间",
    "确认收货时间",
    "是否手机订单",
    "商家备注",
)

# --- Tmall item report (宝贝报表) -----------------------------------------------------------------------------
TMALL_ITEM_HEADER: tuple[str, ...] = (
    "订单编号",
    "标题 ",
    "价格",
    "购买数量",
    "外部系统编号",
    "商品属性",
    "套餐信息 ",
    "备注",
    "订单状态",
    "商家编码 ",
)

# --- ERP (聚水潭) --------------------------------------------------------------------------------------------
ERP_SKU_HEADER: tuple[str, ...] = (
    "商品编码",
    "款式编码",
    "商品名称",
    "颜色及规格",
    "分类",
    "成本价",
    "基本售价",
    "是否启用",
    "修改时间",
)
ERP_ORDER_HEADER: tuple[str, ...] = (
    "内部订单号",
    "线上订单号",
    "店铺",
    "下单时间",
    "付款日期",
    "发货日期",
    "修改时间",
    "状态",
    "线上状态",
    "应付金额",
    "已付金额",
    "运费",
    "优惠金额",
    "快递单号",
    "快递公司",
    "发货仓",
    "收货人",
    "收货人手机",
    "省份",
    "城市",
)
ERP_SHIPMENT_HEADER: tuple[str, ...] = (
    "出仓单号",
    "内部订单号",
    "线上订单号",
    "出库时间",
    "状态",
    "仓库",
    "物流单号",
    "物流公司",
    "商品编码",
    "数量",
    "销售单价",
)
ERP_INVENTORY_HEADER: tuple[str, ...] = (
    "快照时间",
    "商品编码",
    "仓库",
    "实际库存数",
    "订单占有数",
    "采购在途数",
    "修改时间",
)

# --- vocabularies (source-formats §1.3, landing-formats) --------------------------------------------------
WAIT_BUYER_PAY = "等待买家付款"
WAIT_SELLER_SEND = "买家已付款，等待卖家发货"
WAIT_BUYER_CONFIRM = "卖家已发货，等待买家确认"
BUYER_SIGNED = "买家已签收"
TRADE_FINISHED = "交易成功"
TRADE_CLOSED = "交易关闭"
TRADE_CLOSED_BY_TAOBAO = "交易被淘宝关闭"
TRADE_NO_CREATE_PAY = "没有创建支付宝交易"

TMALL_STATUS_TO_TOP: dict[str, str] = {
    WAIT_BUYER_PAY: "WAIT_BUYER_PAY",
    WAIT_SELLER_SEND: "WAIT_SELLER_SEND_GOODS",
    WAIT_BUYER_CONFIRM: "WAIT_BUYER_CONFIRM_GOODS",
    BUYER_SIGNED: "TRADE_BUYER_SIGNED",
    TRADE_FINISHED: "TRADE_FINISHED",
    TRADE_CLOSED: "TRADE_CLOSED",
    TRADE_CLOSED_BY_TAOBAO: "TRADE_CLOSED_BY_TAOBAO",
    TRADE_NO_CREATE_PAY: "TRADE_NO_CREATE_PAY",
}
TMALL_STATUSES: frozenset[str] = frozenset(TMALL_STATUS_TO_TOP)
UNPAID_STATUSES: frozenset[str] = frozenset({WAIT_BUYER_PAY, TRADE_CLOSED_BY_TAOBAO, TRADE_NO_CREATE_PAY})

NO_REFUND = "无退款申请"
NOT_CLOSED = "订单未关闭"
CLOSE_UNPAID = "买家未付款"
CLOSE_REFUND = "退款"
CLOSE_REASONS_UNPAID = (CLOSE_UNPAID, CLOSE_UNPAID, CLOSE_UNPAID, "买家不想买了", "信息填写错误，重新拍", "其他原因")

ERP_STATUSES: frozenset[str] = frozenset(
    {"待付款", "已付款待审核", "发货中", "已发货", "异常", "被合并", "被拆分", "已取消"}
)
ERP_OUTBOUND_STATUSES: frozenset[str] = frozenset({"已出库", "待出库", "已作废"})

WAREHOUSES = ("嘉兴总仓", "东莞分仓")  # east (default), south

# name, waybill prefix (empty = all digits), digits, weight
COURIERS: tuple[tuple[str, str, int, float], ...] = (
    ("中通快递", "78", 12, 0.26),
    ("圆通速递", "YT", 13, 0.22),
    ("韵达快递", "43", 13, 0.16),
    ("申通快递", "77", 13, 0.10),
    ("极兔速递", "JT", 13, 0.08),
    ("顺丰速运", "SF", 13, 0.12),
    ("京东快递", "JDVE", 11, 0.04),
    ("EMS", "98", 11, 0.02),
)

# --- datasets and file names ------------------------------------------------------------------------------
DATASET_TMALL_ORDERS = "tmall_orders"
DATASET_TMALL_ITEMS = "tmall_order_items"
DATASET_ERP_SKUS = "erp_skus"
DATASET_ERP_ORDERS = "erp_sales_orders"
DATASET_ERP_SHIPMENTS = "erp_shipments"
DATASET_ERP_INVENTORY = "erp_inventory"
DATASETS = (
    DATASET_TMALL_ORDERS,
    DATASET_TMALL_ITEMS,
    DATASET_ERP_SKUS,
    DATASET_ERP_ORDERS,
    DATASET_ERP_SHIPMENTS,
    DATASET_ERP_INVENTORY,
)

TMALL_ENCODING = "gbk"
ERP_ENCODING = "utf-8"
CRLF = "\r\n"


def quote(value: str) -> str:
    """CSV-quote a free-text cell when it needs it (comma, quote or line break)."""
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def excel_id(value: str) -> str:
    """An id the way the seller center writes it so Excel keeps it as text: `="5118609024991031607"`."""
    return f'="{value}"'


_MONEY_CACHE: dict[int, str] = {}


def money(cents: int) -> str:
    """Cents -> `123.45` (two decimals, no thousands separator)."""
    text = _MONEY_CACHE.get(cents)
    if text is None:
        if cents < 0:
            raise ValueError(f"negative money amount: {cents}")
        text = f"{cents // 100}.{cents % 100:02d}"
        if len(_MONEY_CACHE) < 200_000:
            _MONEY_CACHE[cents] = text
    return text


class CsvSink:
    """One output CSV file: header on open, buffered CRLF rows, strict encoding (a character the encoding cannot hold
    is a bug in the generator, never silently replaced). Counts data rows."""

    def __init__(self, root: Path, relative: str, dataset: str, header: tuple[str, ...], encoding: str, bom: bool):
        self.relative = relative
        self.dataset = dataset
        self.encoding = encoding
        self.path = root / relative
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "wb")  # noqa: SIM115 - closed by close()
        if bom:
            self._file.write(b"\xef\xbb\xbf")
        self._file.write((",".join(header) + CRLF).encode(encoding))
        self._buffer: list[str] = []
        self.rows = 0

    def add(self, line: str) -> None:
        self._buffer.append(line)
        if len(self._buffer) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            self.rows += len(self._buffer)
            self._file.write((CRLF.join(self._buffer) + CRLF).encode(self.encoding))
            self._buffer = []

    def close(self) -> int:
        self.flush()
        self._file.close()
        return self.path.stat().st_size
