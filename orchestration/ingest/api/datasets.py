"""The API raw tables (`raw.top_*`, `raw.jst_*`), declared once: what feeds each, how a record's id is read, which
payload fields are copied next to the JSON, and the facts every raw dataset declares (`RawFacts`: entity, batch key,
personal data, vocabularies), from which their raw gates and the personal-column list are derived
(`orchestration/ingest/declarations.py`).

A record lands as its id, a few fields as text (`extra_columns`) and the whole record as JSON (`payload`); its
personal fields stay inside `payload` and staging extracts them under the names `personal_columns` lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from orchestration.ingest.api.jushuitan import (
    INVENTORY_PATH,
    ORDERS_PATH,
    OUTBOUND_PATH,
    PURCHASE_RECEIPTS_PATH,
    SKUS_PATH,
)
from orchestration.ingest.api.top import REFUNDS_RECEIVED, TRADES_INCREMENT
from orchestration.ingest.datasets import RawFacts


@dataclass(frozen=True, kw_only=True)
class ApiDataset(RawFacts):
    api_method: str
    """The API call that feeds it, as named in `_source_file`."""
    id_column: str
    id_fields: tuple[str, ...]
    """Where the id is read from, first non-empty wins (`tid_str` before `tid`: ids exceed 2^53)."""
    extra_columns: dict[str, str]
    """raw column -> payload field, copied as text next to the payload."""
    max_window: dt.timedelta
    numeric_id: bool = True
    """Ids are digits (TOP and ERP numeric ids); False for codes such as the ERP SKU code."""
    timestamp_columns: tuple[str, ...] = ()
    """Raw columns that carry a China-time timestamp (`yyyy-MM-dd HH:mm:ss`) when not empty."""
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", (self.id_column, *self.extra_columns, "payload"))
        named = [*self.entity, *self.batch_key, *self.vocabularies, *self.timestamp_columns]
        named += [r.column for r in self.references]
        unknown = sorted(set(named) - set(self.columns))
        if unknown:
            raise ValueError(f"API dataset {self.name}: {unknown} are not columns of raw.{self.name}")

    @property
    def raw_columns(self) -> list[str]:
        return list(self.columns)


TOP_TRADES = ApiDataset(
    name="top_trades",
    api_method=TRADES_INCREMENT,
    id_column="tid",
    id_fields=("tid_str", "tid"),
    extra_columns={"status": "status", "created": "created", "modified": "modified"},
    max_window=dt.timedelta(days=1),
    description="Tmall trades from the Taobao Open Platform, one row per trade version (modified time), JSON payload.",
    entity=("tid",),
    batch_key=("tid", "modified"),
    personal_columns=(
        "buyer_nick",
        "buyer_open_uid",
        "oaid",
        "buyer_message",
        "receiver_name",
        "receiver_address",
        "receiver_phone",
        "receiver_mobile",
    ),
    vocabularies={"status": "tmall_order_status_map.export_status"},
    timestamp_columns=("created", "modified"),
)
TOP_REFUNDS = ApiDataset(
    name="top_refunds",
    api_method=REFUNDS_RECEIVED,
    id_column="refund_id",
    id_fields=("refund_id",),
    extra_columns={"tid": "tid", "oid": "oid", "status": "status", "created": "created", "modified": "modified"},
    max_window=dt.timedelta(days=1),
    description="Tmall refunds from the Taobao Open Platform, one row per refund version, JSON payload.",
    entity=("refund_id",),
    batch_key=("refund_id", "modified"),
    personal_columns=("buyer_nick", "buyer_open_uid"),
    vocabularies={"status": "tmall_refund_status_map.export_status"},
    timestamp_columns=("created", "modified"),
)
JST_ORDERS = ApiDataset(
    name="jst_orders",
    api_method=f"jushuitan:{ORDERS_PATH}",
    id_column="o_id",
    id_fields=("o_id",),
    extra_columns={"so_id": "so_id", "shop_id": "shop_id", "status": "status", "modified": "modified"},
    max_window=dt.timedelta(days=7),
    description='聚水潭 ERP sales orders from its open API, one row per order version, JSON payload ("" as null).',
    entity=("o_id",),
    batch_key=("o_id", "modified"),
    personal_columns=("receiver_name", "receiver_mobile"),
    vocabularies={"status": "erp_order_status_map.export_status"},
    timestamp_columns=("modified",),
)
JST_SALES_OUTBOUND = ApiDataset(
    name="jst_sales_outbound",
    api_method=f"jushuitan:{OUTBOUND_PATH}",
    id_column="io_id",
    id_fields=("io_id",),
    extra_columns={"o_id": "o_id", "so_id": "so_id", "status": "status", "io_date": "io_date", "modified": "modified"},
    max_window=dt.timedelta(days=7),
    description="聚水潭 sales outbound (销售出库) from its open API, one row per outbound version, JSON payload.",
    entity=("io_id",),
    batch_key=("io_id", "modified"),
    vocabularies={"status": "erp_outbound_status_map.export_status"},
    timestamp_columns=("io_date", "modified"),
)
JST_INVENTORY = ApiDataset(
    name="jst_inventory",
    api_method=f"jushuitan:{INVENTORY_PATH}",
    id_column="sku_id",
    id_fields=("sku_id",),
    extra_columns={"wms_co_id": "wms_co_id", "modified": "modified"},
    max_window=dt.timedelta(days=7),
    description=(
        "聚水潭 stock levels (库存) from its open API, one row per SKU, warehouse and change (a snapshot of the "
        "state at `modified`), JSON payload."
    ),
    numeric_id=False,
    entity=("sku_id", "wms_co_id", "modified"),
    batch_key=("sku_id", "wms_co_id", "modified"),
    timestamp_columns=("modified",),
)
JST_SKUS = ApiDataset(
    name="jst_skus",
    api_method=f"jushuitan:{SKUS_PATH}",
    id_column="sku_id",
    id_fields=("sku_id",),
    extra_columns={"i_id": "i_id", "modified": "modified"},
    max_window=dt.timedelta(days=7),
    description="聚水潭 SKU master (商品资料) from its open API, one row per SKU version, JSON payload.",
    numeric_id=False,
    entity=("sku_id",),
    batch_key=("sku_id", "modified"),
    timestamp_columns=("modified",),
)
JST_PURCHASE_RECEIPTS = ApiDataset(
    name="jst_purchase_receipts",
    api_method=f"jushuitan:{PURCHASE_RECEIPTS_PATH}",
    id_column="io_id",
    id_fields=("io_id",),
    extra_columns={"po_id": "po_id", "status": "status", "io_date": "io_date", "modified": "modified"},
    max_window=dt.timedelta(days=7),
    description="聚水潭 purchase receipts (采购入库) from its open API, one row per receipt version, JSON payload.",
    entity=("io_id",),
    batch_key=("io_id", "modified"),
    vocabularies={"status": "erp_purchase_receipt_status_map.export_status"},
    timestamp_columns=("io_date", "modified"),
)
API_DATASETS = (TOP_TRADES, TOP_REFUNDS, JST_ORDERS, JST_SALES_OUTBOUND, JST_INVENTORY, JST_SKUS, JST_PURCHASE_RECEIPTS)
