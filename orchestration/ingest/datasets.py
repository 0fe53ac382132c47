"""The landing datasets this product understands, and how a file is recognised as one of them.

Each dataset maps the (trimmed) header names found in real exports to the column names of its `raw` table.
The contract is written out for people in `docs/landing-formats.md`; this module is its executable form.
A file is recognised by its header row, never by its name.

Every raw dataset, file or API (`orchestration/ingest/api/datasets.py`), declares its facts once, in the fields of
`RawFacts`: what identifies an entity and a row within a delivery, what it references, which of its columns are
personal data, and which columns take a seed's vocabulary. The raw gates (`orchestration/quality/checks.py`), the
personal-column list (`orchestration/ingest/declarations.py`, passed to dbt as var `personal_columns`) and the table
of datasets in docs/landing-formats.md are derived from them (`python -m orchestration.ingest.declarations`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reference:
    """A column that names a record of another raw dataset: the raw gate adds a helper column `flag` (whether the
    referenced record exists in raw) that the suite checks."""

    column: str
    dataset: str
    """The referenced raw dataset."""
    to_column: str
    flag: str
    """The gate's helper column, e.g. `_order_in_order_report`."""

    def sql(self) -> str:
        """The helper column as select-list SQL over the raw row `r`."""
        return f"exists (select 1 from raw.{self.dataset} o where o.{self.to_column} = r.{self.column}) as {self.flag}"


@dataclass(frozen=True, kw_only=True)
class RawFacts:
    """What a raw dataset is, declared once (shared by file datasets and API datasets)."""

    name: str
    """Raw table name (schema `raw`) and Dagster asset name."""
    description: str
    entity: tuple[str, ...]
    """The columns naming one entity (an order, a SKU in a warehouse at a time): its rows of the latest delivery
    are what staging keeps and what the raw gate validates together."""
    batch_key: tuple[str, ...]
    """The columns that identify a row within one delivery (a file, an API window)."""
    references: tuple[Reference, ...] = ()
    personal_columns: tuple[str, ...] = ()
    """Columns holding personal data (for an API dataset: fields of its JSON `payload`, which staging extracts under
    these names). They stay in raw; staging keeps only salted hashes (`<column>_hash`)."""
    vocabularies: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    """column -> its accepted values: `seed.column` (the distinct values of that seed column, e.g. a status map's
    `export_status`) or the values themselves."""

    @property
    def raw_columns(self) -> list[str]:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class Dataset(RawFacts):
    columns: dict[str, tuple[str, ...]]
    """raw column -> header names that carry it (first is the canonical header)."""
    required: tuple[str, ...]
    """raw columns that a file must carry to be this dataset."""
    key_columns: tuple[str, ...] = ()
    """raw columns that must be non-empty on every row (else the row is quarantined)."""
    numeric_id_columns: tuple[str, ...] = ()
    """Ids that must be all digits: an Excel-mangled `5.11861E+18` is quarantined, never loaded."""
    derived_columns: tuple[str, ...] = field(default=())
    """Columns computed at ingest (not read from the file)."""

    def __post_init__(self) -> None:
        declared = set(self.raw_columns)
        named = [*self.required, *self.key_columns, *self.numeric_id_columns, *self.entity, *self.batch_key]
        named += [*self.personal_columns, *self.vocabularies, *(r.column for r in self.references)]
        unknown = sorted(set(named) - declared)
        if unknown:
            raise ValueError(f"dataset {self.name}: {unknown} are not columns of raw.{self.name}")

    @property
    def raw_columns(self) -> list[str]:
        return [*self.columns.keys(), *self.derived_columns]

    def header_index(self) -> dict[str, str]:
        """Trimmed header name -> raw column."""
        index: dict[str, str] = {}
        for column, headers in self.columns.items():
            for header in headers:
                index[header] = column
        return index

    def canonical_header(self, column: str) -> str:
        return self.columns[column][0]


TMALL_ORDERS = Dataset(
    name="tmall_orders",
    description="Tmall seller-center order report (订单报表, ExportOrderList*.csv): one row per order.",
    columns={
        "order_id": ("订单编号",),
        "buyer_nick": ("买家会员名",),
        "buyer_alipay_account": ("买家支付宝账号",),
        "payment_no": ("支付单号", "支付交易号"),
        "goods_amount": ("买家应付货款",),
        "post_fee": ("买家应付邮费",),
        "buyer_points_paid": ("买家支付积分",),
        "total_amount": ("总金额",),
        "rebate_points": ("返点积分",),
        "paid_amount": ("买家实际支付金额", "买家实付金额"),
        "buyer_points_actual": ("买家实际支付积分",),
        "order_status": ("订单状态",),
        "buyer_message": ("买家留言",),
        "receiver_name": ("收货人姓名",),
        "receiver_address": ("收货地址",),
        "shipping_method": ("运送方式",),
        "receiver_phone": ("联系电话",),
        "receiver_mobile": ("联系手机",),
        "created_at": ("订单创建时间",),
        "paid_at": ("订单付款时间",),
        "item_titles": ("宝贝标题",),
        "item_kinds": ("宝贝种类",),
        "waybill_no": ("物流单号",),
        "logistics_company": ("物流公司",),
        "order_note": ("订单备注",),
        "item_quantity": ("宝贝总数量",),
        "shop_id": ("店铺Id", "店铺ID"),
        "shop_name": ("店铺名称",),
        "close_reason": ("订单关闭原因",),
        "seller_service_fee": ("卖家服务费",),
        "buyer_service_fee": ("买家服务费",),
        "invoice_title": ("发票抬头",),
        "is_mobile_order": ("是否手机订单",),
        "refund_amount": ("退款金额",),
        "shipped_at": ("发货时间",),
        "confirmed_at": ("确认收货时间",),
        "seller_memo": ("商家备注",),
    },
    required=("order_id", "created_at"),
    key_columns=("order_id",),
    numeric_id_columns=("order_id",),
    entity=("order_id",),
    batch_key=("order_id",),
    personal_columns=(
        "buyer_nick",
        "buyer_alipay_account",
        "buyer_message",
        "receiver_name",
        "receiver_address",
        "receiver_phone",
        "receiver_mobile",
        "order_note",
        "invoice_title",
        "seller_memo",
    ),
    vocabularies={"order_status": "tmall_order_status_map.export_status"},
)

TMALL_ORDER_ITEMS = Dataset(
    name="tmall_order_items",
    description="Tmall seller-center item report (宝贝报表, ExportOrderDetailList*.csv): one row per item line.",
    columns={
        "order_id": ("订单编号",),
        "item_title": ("标题",),
        "unit_price": ("价格",),
        "quantity": ("购买数量",),
        "external_system_id": ("外部系统编号",),
        "sku_properties": ("商品属性", "规格名称"),
        "bundle_info": ("套餐信息",),
        "line_note": ("备注",),
        "order_status": ("订单状态",),
        "merchant_sku_code": ("商家编码",),
    },
    required=("order_id", "item_title", "unit_price", "quantity"),
    key_columns=("order_id",),
    numeric_id_columns=("order_id",),
    derived_columns=("line_number",),
    entity=("order_id",),
    batch_key=("order_id", "line_number"),
    references=(Reference("order_id", "tmall_orders", "order_id", "_order_in_order_report"),),
    personal_columns=("line_note",),
    vocabularies={"order_status": "tmall_order_status_map.export_status"},
)

TMALL_SUB_ORDERS = Dataset(
    name="tmall_sub_orders",
    description=(
        "Tmall seller-center sub-order export (newer 子订单 export, usually .xlsx): one row per sub-order (item line), "
        "carrying its main order's id, times and status."
    ),
    columns={
        "sub_order_id": ("子订单编号",),
        "order_id": ("主订单编号",),
        "item_title": ("商品标题",),
        "unit_price": ("商品价格",),
        "quantity": ("购买数量",),
        "external_system_id": ("外部系统编号",),
        "sku_properties": ("商品属性",),
        "bundle_info": ("套餐信息",),
        "contact_note": ("联系方式备注",),
        "order_status": ("订单状态",),
        "merchant_sku_code": ("商家编码",),
        "goods_amount": ("买家应付货款",),
        "paid_amount": ("买家实付金额", "买家实际支付金额"),
        "refund_status": ("退款状态",),
        "refund_amount": ("退款金额",),
        "created_at": ("订单创建时间",),
        "paid_at": ("订单付款时间",),
        "item_id": ("商品ID", "商品Id"),
        "seller_memo": ("商家备注",),
        "buyer_message": ("主订单买家留言", "买家留言"),
        "shipped_at": ("发货时间",),
        "waybill_no": ("物流单号",),
        "logistics_company": ("物流公司",),
        # order-level fields a seller may add to the export (repeated on every sub-order row of the order)
        "post_fee": ("买家应付邮费",),
        "buyer_nick": ("买家会员名", "买家昵称"),
        "receiver_name": ("收货人姓名",),
        "receiver_address": ("收货地址",),
        "receiver_mobile": ("联系手机",),
        "shop_id": ("店铺Id", "店铺ID"),
        "shop_name": ("店铺名称",),
        "confirmed_at": ("确认收货时间",),
    },
    required=("sub_order_id", "order_id", "created_at"),
    key_columns=("sub_order_id", "order_id"),
    numeric_id_columns=("sub_order_id", "order_id"),
    entity=("order_id",),
    batch_key=("sub_order_id",),
    personal_columns=(
        "contact_note",
        "seller_memo",
        "buyer_message",
        "buyer_nick",
        "receiver_name",
        "receiver_address",
        "receiver_mobile",
    ),
    vocabularies={
        "order_status": "tmall_order_status_map.export_status",
        "refund_status": "tmall_refund_status_map.export_status",
    },
)

TMALL_REFUNDS = Dataset(
    name="tmall_refunds",
    description=(
        "Tmall seller-center refund export (退款管理 / 售后, 导出退款): one row per refund (退款编号), with its order, "
        "sub-order, amount, application and completion times, status, reason and whether goods go back."
    ),
    columns={
        "refund_id": ("退款编号", "退款单号"),
        "order_id": ("订单编号",),
        "sub_order_id": ("子订单编号", "子订单号"),
        "payment_no": ("支付宝交易号", "支付单号"),
        "paid_at": ("订单付款时间",),
        "item_id": ("宝贝ID", "商品ID", "商品Id"),
        "item_title": ("宝贝标题", "商品标题"),
        "merchant_sku_code": ("商家编码",),
        "paid_amount": ("买家实际支付金额", "买家实付金额"),
        "refund_amount": ("买家退款金额", "退款金额"),
        "refund_method": ("手工退款/系统退款",),
        "goods_return_required": ("是否需要退货",),
        "applied_at": ("退款的申请时间", "退款申请时间", "申请退款时间", "买家申请退款时间"),
        "timeout_at": ("超时时间",),
        "refund_status": ("退款状态",),
        "goods_status": ("货物状态",),
        "return_logistics": ("退货物流信息",),
        "delivery_logistics": ("发货物流信息",),
        "intervention_status": ("客服介入状态",),
        "buyer_nick": ("买家会员名称", "买家会员名", "买家昵称"),
        "buyer_real_name": ("买家真实姓名",),
        "refund_reason": ("买家退款原因", "退款原因"),
        "refund_description": ("买家退款说明", "退款说明"),
        "finished_at": ("退款完结时间", "完结时间"),
        "refund_phase": ("售中或售后",),
        "refund_scope": ("部分退款/全部退款",),
        "shop_name": ("店铺名称",),
    },
    required=("refund_id", "order_id", "refund_amount", "applied_at"),
    key_columns=("refund_id", "order_id"),
    numeric_id_columns=("refund_id", "order_id", "sub_order_id"),
    entity=("refund_id",),
    batch_key=("refund_id",),
    personal_columns=("buyer_nick", "buyer_real_name", "refund_description"),
    vocabularies={"refund_status": "tmall_refund_status_map.export_status"},
)

_TRAFFIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "traffic_date": ("日期", "统计日期"),
    "shop_name": ("店铺名称",),
    "visitors": ("访客数",),
    "page_views": ("浏览量",),
    "paying_buyers": ("支付买家数",),
    "payment_conversion_rate": ("支付转化率",),
    "add_to_cart_buyers": ("加购人数",),
    "favourite_buyers": ("收藏人数", "商品收藏人数", "收藏买家数"),
    "average_spend_per_buyer": ("客单价",),
    "payment_amount": ("支付金额",),
}

TMALL_TRAFFIC_SHOP = Dataset(
    name="tmall_traffic_shop",
    description="生意参谋 shop-level traffic export (店铺整体 / 流量概况): one row per shop per day.",
    columns=dict(_TRAFFIC_COLUMNS),
    required=("traffic_date", "visitors"),
    key_columns=("traffic_date",),
    entity=("shop_name", "traffic_date"),
    batch_key=("shop_name", "traffic_date"),
)

TMALL_TRAFFIC_ITEMS = Dataset(
    name="tmall_traffic_items",
    description="生意参谋 item-level traffic export (商品效果): one row per item (商品ID) per day.",
    columns={
        "traffic_date": _TRAFFIC_COLUMNS["traffic_date"],
        "shop_name": _TRAFFIC_COLUMNS["shop_name"],
        "item_id": ("商品ID", "商品Id"),
        "item_title": ("商品名称", "商品标题"),
        **{k: v for k, v in _TRAFFIC_COLUMNS.items() if k not in ("traffic_date", "shop_name")},
    },
    required=("traffic_date", "item_id", "visitors"),
    key_columns=("traffic_date", "item_id"),
    numeric_id_columns=("item_id",),
    entity=("shop_name", "item_id", "traffic_date"),
    batch_key=("shop_name", "item_id", "traffic_date"),
)

ERP_SKUS = Dataset(
    name="erp_skus",
    description="ERP SKU master (商品资料): one row per SKU with its cost price.",
    columns={
        "sku_id": ("商品编码",),
        "style_id": ("款式编码",),
        "sku_name": ("商品名称",),
        "properties_value": ("颜色及规格",),
        "category": ("分类",),
        "cost_price": ("成本价",),
        "sale_price": ("基本售价",),
        "enabled": ("是否启用",),
        "modified_at": ("修改时间",),
    },
    required=("sku_id", "cost_price"),
    key_columns=("sku_id",),
    entity=("sku_id",),
    batch_key=("sku_id",),
    vocabularies={"enabled": ("是", "否")},
)

ERP_SALES_ORDERS = Dataset(
    name="erp_sales_orders",
    description="ERP sales orders (订单): one row per ERP order, carrying the Tmall order id (线上订单号).",
    columns={
        "erp_order_id": ("内部订单号",),
        "tmall_order_id": ("线上订单号",),
        "shop_name": ("店铺",),
        "ordered_at": ("下单时间",),
        "paid_at": ("付款日期",),
        "shipped_at": ("发货日期",),
        "modified_at": ("修改时间",),
        "erp_status": ("状态",),
        "tmall_status": ("线上状态",),
        "payable_amount": ("应付金额",),
        "paid_amount": ("已付金额",),
        "freight": ("运费",),
        "discount_amount": ("优惠金额",),
        "waybill_no": ("快递单号",),
        "logistics_company": ("快递公司",),
        "warehouse_name": ("发货仓",),
        "receiver_name": ("收货人",),
        "receiver_mobile": ("收货人手机",),
        "receiver_province": ("省份",),
        "receiver_city": ("城市",),
    },
    required=("erp_order_id", "tmall_order_id"),
    key_columns=("erp_order_id",),
    entity=("erp_order_id",),
    batch_key=("erp_order_id",),
    personal_columns=("receiver_name", "receiver_mobile"),
    vocabularies={"erp_status": "erp_order_status_map.export_status"},
)

ERP_SHIPMENTS = Dataset(
    name="erp_shipments",
    description="ERP sales outbound (销售出库): one row per shipped item line.",
    columns={
        "outbound_id": ("出仓单号",),
        "erp_order_id": ("内部订单号",),
        "tmall_order_id": ("线上订单号",),
        "shipped_at": ("出库时间",),
        "outbound_status": ("状态",),
        "warehouse_name": ("仓库",),
        "waybill_no": ("物流单号",),
        "logistics_company": ("物流公司",),
        "sku_id": ("商品编码",),
        "quantity": ("数量",),
        "sale_price": ("销售单价",),
    },
    required=("outbound_id", "erp_order_id", "sku_id"),
    key_columns=("outbound_id", "sku_id"),
    entity=("outbound_id",),
    batch_key=("outbound_id", "sku_id"),
    references=(Reference("erp_order_id", "erp_sales_orders", "erp_order_id", "_order_in_erp_orders"),),
    vocabularies={"outbound_status": "erp_outbound_status_map.export_status"},
)

ERP_INVENTORY = Dataset(
    name="erp_inventory",
    description="ERP inventory snapshot (库存): the stock of each SKU in each warehouse at one time.",
    columns={
        "snapshot_at": ("快照时间",),
        "sku_id": ("商品编码",),
        "warehouse_name": ("仓库",),
        "on_hand_qty": ("实际库存数",),
        "order_locked_qty": ("订单占有数",),
        "in_transit_qty": ("采购在途数",),
        "modified_at": ("修改时间",),
    },
    required=("sku_id", "warehouse_name", "on_hand_qty", "snapshot_at"),
    key_columns=("sku_id", "warehouse_name", "snapshot_at"),
    entity=("sku_id", "warehouse_name", "snapshot_at"),
    batch_key=("sku_id", "warehouse_name", "snapshot_at"),
)

ERP_PURCHASE_RECEIPTS = Dataset(
    name="erp_purchase_receipts",
    description="ERP purchase receipts (采购入库): one row per received SKU line of a receipt (入库单).",
    columns={
        "receipt_id": ("入库单号",),
        "purchase_order_id": ("采购单号",),
        # optional: when the purchase order was placed, so supplier lead times can be measured (入库日期 − 采购日期)
        "purchase_ordered_at": ("采购日期", "采购单日期"),
        "supplier_name": ("供应商", "供应商名称"),
        "warehouse_name": ("仓库", "收货仓"),
        "sku_id": ("商品编码",),
        "style_id": ("款式编码",),
        "sku_name": ("商品名称",),
        "properties_value": ("颜色及规格",),
        "quantity": ("数量", "入库数量"),
        "cost_price": ("单价", "采购单价", "成本价"),
        "amount": ("金额", "入库金额"),
        "received_at": ("入库日期", "入库时间"),
        "receipt_status": ("状态",),
        "modified_at": ("修改时间",),
    },
    required=("receipt_id", "sku_id", "quantity", "received_at"),
    key_columns=("receipt_id", "sku_id"),
    entity=("receipt_id",),
    batch_key=("receipt_id", "sku_id"),
    vocabularies={"receipt_status": "erp_purchase_receipt_status_map.export_status"},
)

DATASETS: tuple[Dataset, ...] = (
    TMALL_ORDERS,
    TMALL_ORDER_ITEMS,
    ERP_SKUS,
    ERP_SALES_ORDERS,
    ERP_SHIPMENTS,
    ERP_INVENTORY,
    TMALL_SUB_ORDERS,
    TMALL_TRAFFIC_SHOP,
    TMALL_TRAFFIC_ITEMS,
    ERP_PURCHASE_RECEIPTS,
    TMALL_REFUNDS,
)

DATASETS_BY_NAME: dict[str, Dataset] = {dataset.name: dataset for dataset in DATASETS}

LINEAGE_COLUMNS: tuple[str, ...] = ("_source_file", "_source_row_number", "_loaded_at", "_batch_id")


@dataclass(frozen=True)
class Recognition:
    dataset: Dataset | None
    column_map: dict[int, str]
    """position in the file -> raw column, for the headers this dataset knows."""
    unknown_headers: tuple[str, ...]
    explanation: str


def recognise(headers: list[str]) -> Recognition:
    """Decide which dataset a header row belongs to.

    A dataset matches when every one of its required columns is present. Among matches, the one that explains the
    most headers wins (an item report also carries 订单编号, but not 订单创建时间). When nothing matches, the
    explanation names the closest dataset and what it is missing.
    """
    trimmed = [header.strip().lstrip("\ufeff").strip() for header in headers]
    best: tuple[int, Dataset, dict[int, str]] | None = None
    closest: tuple[tuple[int, int], Dataset, list[str]] | None = None
    for dataset in DATASETS:
        index = dataset.header_index()
        column_map = {position: index[h] for position, h in enumerate(trimmed) if h in index}
        present = set(column_map.values())
        missing = [dataset.canonical_header(c) for c in dataset.required if c not in present]
        if not missing:
            if best is None or len(column_map) > best[0]:
                best = (len(column_map), dataset, column_map)
        else:
            # closest: explains the most headers, then misses the fewest required columns
            score = (len(present), -len(missing))
            if closest is None or score > closest[0]:
                closest = (score, dataset, missing)
    if best is not None:
        _, dataset, column_map = best
        unknown = tuple(h for position, h in enumerate(trimmed) if position not in column_map and h)
        return Recognition(dataset, column_map, unknown, f"recognised as {dataset.name}")
    if closest is not None and closest[0][0] > 0:
        _, dataset, missing = closest
        explanation = (
            f"header matches no known format; closest is {dataset.name} ({dataset.description}) "
            f"but it lacks the required column(s) {', '.join(missing)}"
        )
    else:
        shown = ", ".join(trimmed[:8]) + (" ..." if len(trimmed) > 8 else "")
        explanation = f"header matches no known format (first columns: {shown})"
    return Recognition(None, {}, tuple(trimmed), explanation)
