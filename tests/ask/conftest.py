"""One `Asker` on the 2,000-order generated warehouse (tests/conftest.py `metrics_warehouse`) for the tests/ask run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def asker(metrics_warehouse: Path) -> Iterator[object]:
    from orchestration.ask.answer import Asker

    with Asker(metrics_warehouse) as instance:
        yield instance
