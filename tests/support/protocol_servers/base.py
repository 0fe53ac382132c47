"""Re-export of `orchestration.ingest.api.simulators.base` (the one implementation)."""

from orchestration.ingest.api.simulators.base import ProtocolServer

__all__ = ["ProtocolServer"]
