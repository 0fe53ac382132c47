"""Fixtures for the API clients: local protocol servers, and clients whose sleeps are recorded instead of slept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from orchestration.ingest.api.http import HttpSession, RetryPolicy
from orchestration.ingest.api.jushuitan import JstClient, JstConfig
from orchestration.ingest.api.top import TopClient, TopConfig
from tests.support.protocol_servers.jushuitan_gateway import JushuitanGateway
from tests.support.protocol_servers.top_gateway import TopGateway

FIXED_NOW = dt.datetime(2025, 3, 15, 2, 0, 0)


class RecordedSleeps(list[float]):
    """Stands in for `time.sleep`: remembers every wait, waits for none."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def policy() -> RetryPolicy:
    return RetryPolicy(
        max_attempts=4, backoff_base_seconds=1.0, backoff_max_seconds=8.0, timeout_seconds=1.0, max_ban_wait_seconds=60
    )


@pytest.fixture
def http(policy: RetryPolicy, sleeps: RecordedSleeps) -> Iterator[HttpSession]:
    session = HttpSession(policy=policy, sleep=sleeps, uniform=lambda: 0.5)
    yield session
    session.close()


@pytest.fixture
def top_gateway() -> Iterator[TopGateway]:
    with TopGateway() as gateway:
        yield gateway  # type: ignore[misc]


@pytest.fixture
def jst_gateway() -> Iterator[JushuitanGateway]:
    with JushuitanGateway() as gateway:
        yield gateway  # type: ignore[misc]


def top_config(gateway: TopGateway, **overrides: object) -> TopConfig:
    values: dict[str, object] = {
        "app_key": gateway.app_key,
        "app_secret": gateway.app_secret,
        "session": gateway.session,
        "base_url": gateway.url,
        "shop": "暖居旗舰店",
    }
    values.update(overrides)
    return TopConfig(**values)  # type: ignore[arg-type]


def jst_config(gateway: JushuitanGateway, **overrides: object) -> JstConfig:
    values: dict[str, object] = {
        "app_key": gateway.app_key,
        "app_secret": gateway.app_secret,
        "access_token": gateway.access_token,
        "base_url": gateway.url,
        "rate_limit_wait_seconds": 5.0,
    }
    values.update(overrides)
    return JstConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def top_client(top_gateway: TopGateway, http: HttpSession) -> TopClient:
    return TopClient(top_config(top_gateway), http=http, now=lambda: FIXED_NOW)


@pytest.fixture
def jst_client(jst_gateway: JushuitanGateway, http: HttpSession) -> JstClient:
    return JstClient(jst_config(jst_gateway), http=http, epoch_seconds=lambda: 1742000000.0)


CREDENTIAL_VARIABLES = (
    "TOP_APP_KEY",
    "TOP_APP_SECRET",
    "TOP_SESSION",
    "TOP_BASE_URL",
    "TOP_SHOP_NICK",
    "JST_APP_KEY",
    "JST_APP_SECRET",
    "JST_ACCESS_TOKEN",
    "JST_BASE_URL",
    "JST_SHOP",
)


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def use_gateways(
    monkeypatch: pytest.MonkeyPatch, top: TopGateway | None = None, jst: JushuitanGateway | None = None
) -> None:
    """Point the API assets' environment at the local servers (credentials and base URLs)."""
    if top is not None:
        monkeypatch.setenv("TOP_APP_KEY", top.app_key)
        monkeypatch.setenv("TOP_APP_SECRET", top.app_secret)
        monkeypatch.setenv("TOP_SESSION", top.session)
        monkeypatch.setenv("TOP_BASE_URL", top.url)
        monkeypatch.setenv("TOP_SHOP_NICK", "暖居旗舰店")
    if jst is not None:
        monkeypatch.setenv("JST_APP_KEY", jst.app_key)
        monkeypatch.setenv("JST_APP_SECRET", jst.app_secret)
        monkeypatch.setenv("JST_ACCESS_TOKEN", jst.access_token)
        monkeypatch.setenv("JST_BASE_URL", jst.url)


def materialize_days(
    assets: list, warehouse: str, first_day: str, last_day: str | None = None, **kwargs: object
) -> object:
    """One run over the China-time days first_day..last_day, as a single-run backfill (or the schedule) starts it."""
    import dagster as dg

    from orchestration.ingest.api.schedules import RANGE_END_TAG, RANGE_START_TAG
    from orchestration.resources import WarehouseResource

    return dg.materialize(
        assets,
        resources={"warehouse": WarehouseResource(path=warehouse)},
        tags={RANGE_START_TAG: first_day, RANGE_END_TAG: last_day or first_day},
        **kwargs,  # type: ignore[arg-type]
    )
