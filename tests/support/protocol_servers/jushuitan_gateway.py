"""Re-export of `orchestration.demo_data.simulators.jushuitan_gateway` (the one implementation)."""

from orchestration.demo_data.simulators.jushuitan_gateway import (
    ENDPOINTS,
    RATE_LIMIT_CODE,
    TOKEN_EXPIRED_CODE,
    JushuitanGateway,
    make_inventory,
    make_order,
    make_outbound,
    make_purchase_receipt,
    make_sku,
    sign,
)

__all__ = [
    "ENDPOINTS",
    "RATE_LIMIT_CODE",
    "TOKEN_EXPIRED_CODE",
    "JushuitanGateway",
    "make_inventory",
    "make_order",
    "make_outbound",
    "make_purchase_receipt",
    "make_sku",
    "sign",
]
