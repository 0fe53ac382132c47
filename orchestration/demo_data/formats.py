"""What the files look like: headers (as real exports spell them), vocabularies, encodings and the CSV writer.

Follows docs/landing-formats.md. Tmall seller-center exports are GBK with CRLF, long ids Excel-escaped as
`="5118609024991031607"` (written raw, the way the seller center writes them) and a few headers with stray spaces;
the newer sub-order export is an XLSX workbook. 生意参谋 traffic comes as XLSX (shop level) and GB18030 CSV (item
level) with conversion rates as text (`2.35%`). ERP (聚水潭) exports are UTF-8 with a BOM and CRLF.
"""

from __future__ import annotations

import zipfile
from datetime import date
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

# --- Tmall refund export (退款管理 → 导出, csv) -------------------------------------------------------------------
# One row per refund (退款编号), the seller center's documented export columns in their order, with 子订单编号 and
# 店铺名称 as newer downloads add them. GBK, CRLF, ids Excel-escaped like the order report.
TMALL_REFUND_HEADER: tuple[str, ...] = (
    "订单编号",
    "退款编号",
    "支付宝交易号",
    "订单付款时间",
    "宝贝ID",
    "宝贝标题",
    "商家编码",
    "退款完结时间",
    "买家实际支付金额",
    "买家退款金额",
    "手工退款/系统退款",
    "是否需要退货",
    "退款的申请时间",
    "超时时间",
    "退款状态",
    "货物状态",
    "退货物流信息",
    "发货物流信息",
    "客服介入状态",
    "买家会员名称",
    "买家真实姓名",
    "买家退款原因",
    "买家退款说明",
    "部分退款/全部退款",
    "售中或售后",
    "子订单编号",
    "店铺名称",
)
REFUND_WAIT_SELLER_AGREE = "买家已经申请退款，等待卖家同意"
# 买家退款原因 as buyers pick them, by kind of refund
REFUND_REASONS_BEFORE_SHIP = ("我不想要了", "拍错/多拍/不喜欢", "地址/电话信息填写错误", "未按约定时间发货")
REFUND_REASONS_RETURN = ("七天无理由退换货", "质量问题", "商品与描述不符", "尺码/规格不合适")
REFUND_REASONS_LINE = ("商品破损/污渍", "质量问题", "尺码/规格不合适")  # one line given back
REFUND_REASONS_PARTIAL = ("价格保护", "少件/漏发")  # part of an amount, the goods kept
REFUND_DESCRIPTIONS = ("收到有破损，请处理", "颜色和图片差别太大", "尺码偏小", "重复下单了")

# --- Tmall sub-order export (子订单, xlsx) ------------------------------------------------------------------------
# The §1.2 fields, plus the order-level fields a seller adds to the export (会员名, 店铺, 邮费, 收货地址, 确认收货时间).
TMALL_SUB_ORDER_HEADER: tuple[str, ...] = (
    "子订单编号",
    "主订单编号",
    "买家会员名",
    "店铺名称",
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
    "买家应付邮费",
    "买家实付金额",
    "退款状态",
    "退款金额",
    "订单创建时间",
    "订单付款时间 ",
    "商品ID",
    "商家备注",
    "主订单买家留言",
    "收货地址 ",
    "发货时间",
    "确认收货时间",
    "物流单号",
    "物流公司",
)
REFUND_NONE = "没有申请退款"
REFUND_SUCCESS = "退款成功"
REFUND_CLOSED = "退款关闭"

# --- 生意参谋 traffic -------------------------------------------------------------------------------------------
TRAFFIC_SHOP_HEADER: tuple[str, ...] = (
    "日期",
    "店铺名称",
    "访客数",
    "浏览量",
    "支付买家数",
    "支付转化率",
    "加购人数",
    "收藏人数",
    "客单价",
    "支付金额",
)
TRAFFIC_ITEM_HEADER: tuple[str, ...] = (
    "统计日期",
    "店铺名称",
    "商品ID",
    "商品名称",
    "访客数",
    "浏览量",
    "支付买家数",
    "支付转化率",
    "加购人数",
    "收藏人数",
    "客单价",
    "支付金额",
)
TRAFFIC_ENCODING = "gb18030"

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

ERP_PURCHASE_RECEIPT_HEADER: tuple[str, ...] = (
    "入库单号",
    "采购单号",
    "采购日期",
    "供应商",
    "仓库",
    "商品编码",
    "款式编码",
    "商品名称",
    "颜色及规格",
    "数量",
    "单价",
    "金额",
    "入库日期",
    "状态",
    "修改时间",
)
RECEIPT_CONFIRMED = "已审核"
RECEIPT_WAITING = "待审核"
# category index (catalog.CATEGORIES order) -> the suppliers that make it
SUPPLIERS: tuple[tuple[str, ...], ...] = (
    ("杭州织梦服饰有限公司", "广州依纺制衣厂", "湖州南浔童装面料厂"),
    ("宁波海曙男装制造有限公司", "泉州晋江鞋服实业有限公司"),
    ("南通家纺科技有限公司", "绍兴柯桥布艺有限公司"),
    ("潮州枫溪陶瓷有限公司", "景德镇青瓷坊"),
    ("漳州食品贸易有限公司", "云南普洱茶业有限公司", "杭州临安山核桃合作社"),
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
DATASET_TMALL_SUB_ORDERS = "tmall_sub_orders"
DATASET_TRAFFIC_SHOP = "tmall_traffic_shop"
DATASET_TRAFFIC_ITEMS = "tmall_traffic_items"
DATASET_ERP_PURCHASE_RECEIPTS = "erp_purchase_receipts"
DATASET_TMALL_REFUNDS = "tmall_refunds"
DATASETS = (
    DATASET_TMALL_ORDERS,
    DATASET_TMALL_ITEMS,
    DATASET_ERP_SKUS,
    DATASET_ERP_ORDERS,
    DATASET_ERP_SHIPMENTS,
    DATASET_ERP_INVENTORY,
    DATASET_TMALL_SUB_ORDERS,
    DATASET_TRAFFIC_SHOP,
    DATASET_TRAFFIC_ITEMS,
    DATASET_ERP_PURCHASE_RECEIPTS,
    DATASET_TMALL_REFUNDS,
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


class XlsxSink:
    """One output XLSX workbook (one sheet, header in the first row), written directly as SpreadsheetML.

    Cells keep their Python types: str is text (ids are written as text, the way the seller center does, so Excel
    never turns them into `5.11861E+18`), int/float a number, `date` a date cell (Excel serial with a date format),
    "" an empty cell. Written by hand rather than with openpyxl's writer, which takes ~30 µs per cell here (seconds
    for a month of sub-orders); openpyxl reads these workbooks in the ingest tests. Deterministic bytes.

    The rows are spilled to a scratch file next to the workbook as they come (the sheet's `dimension`, which
    precedes them, is only known at the end) and streamed into the archive on close, so a workbook of any size
    takes a bounded amount of memory."""

    def __init__(self, root: Path, relative: str, dataset: str, header: tuple[str, ...]):
        self.relative = relative
        self.dataset = dataset
        self.path = root / relative
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._columns = [_column_letter(k) for k in range(len(header))]
        self._scratch_path = self.path.with_name(f".{self.path.name}.rows")
        self._scratch = open(self._scratch_path, "wb")  # noqa: SIM115 - closed by close()
        self._buffer: list[str] = []
        self._bytes = 0  # rows written to the scratch file, UTF-8
        self._next_row = 1
        self.rows = -1
        self.add(list(header))

    def add(self, row: list[object]) -> None:
        r = self._next_row
        cells = []
        for letter, value in zip(self._columns, row, strict=True):
            if isinstance(value, str):
                if value:
                    cells.append(
                        f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{_xml(value)}</t></is></c>'
                    )
            elif isinstance(value, date):
                cells.append(f'<c r="{letter}{r}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{letter}{r}"><v>{value!r}</v></c>')
            elif value is not None:
                raise TypeError(f"cannot write {type(value).__name__} to an XLSX cell")
        self._buffer.append(f'<row r="{r}">{"".join(cells)}</row>')
        self._next_row += 1
        self.rows += 1
        if len(self._buffer) >= 5_000:
            self._spill()

    def _spill(self) -> None:
        if self._buffer:
            data = "".join(self._buffer).encode("utf-8")
            self._scratch.write(data)
            self._bytes += len(data)
            self._buffer = []

    def close(self) -> int:
        self._spill()
        self._scratch.close()
        # the used range, as Excel records it: readers pad every row to its width (trailing empty cells are not
        # written)
        dimension = f'<dimension ref="A1:{self._columns[-1]}{self._next_row - 1}"/>'
        head = f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}">{dimension}<sheetData>'.encode()
        tail = b"</sheetData></worksheet>"
        with zipfile.ZipFile(self.path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in _XLSX_PARTS.items():
                archive.writestr(_zip_info(name), text.encode("utf-8"))
            # streamed; the size is given up front, as writestr does, so the archive is the same byte for byte
            info = _zip_info("xl/worksheets/sheet1.xml")
            info.file_size = len(head) + self._bytes + len(tail)
            with archive.open(info, "w") as sheet, open(self._scratch_path, "rb") as rows:
                sheet.write(head)
                while chunk := rows.read(1 << 20):
                    sheet.write(chunk)
                sheet.write(tail)
        self._scratch_path.unlink()
        return self.path.stat().st_size


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


_EXCEL_EPOCH = date(1899, 12, 30)
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_PARTS: dict[str, str] = {
    "[Content_Types].xml": (
        f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'{_XML_DECL}<Relationships xmlns="{_REL_NS}"><Relationship Id="rId1" '
        f'Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'{_XML_DECL}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_DOC_REL}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'{_XML_DECL}<Relationships xmlns="{_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC_REL}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'{_XML_DECL}<styleSheet xmlns="{_MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="宋体"/></font>'
        '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
        'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
        '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    ),
}


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
