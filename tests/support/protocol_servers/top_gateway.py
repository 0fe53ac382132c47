"""Re-export of `orchestration.demo_data.simulators.top_gateway` (the one implementation)."""

from orchestration.demo_data.simulators.top_gateway import RATE_LIMIT_SUB_CODE, TopGateway, make_trade, sign

__all__ = ["RATE_LIMIT_SUB_CODE", "TopGateway", "make_trade", "sign"]
