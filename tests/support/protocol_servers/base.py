"""Re-export of `orchestration.demo_data.simulators.base` (the one implementation)."""

from orchestration.demo_data.simulators.base import ProtocolServer

__all__ = ["ProtocolServer"]
