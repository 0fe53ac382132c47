"""Alert settings, all from environment variables (docs/alerts.md). Nothing is read at import.

A channel is on when its variable is set; none set means no alerts (and nothing is read to compose them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

EVENT_RUN_FAILURE = "run_failure"
EVENT_GATE_BLOCKED = "gate_blocked"
EVENT_KPI_ANOMALY = "kpi_anomaly"
EVENT_STOCKOUT_RISK = "stockout_risk"
EVENT_DAILY_DIGEST = "daily_digest"
EVENTS: tuple[str, ...] = (
    EVENT_RUN_FAILURE,
    EVENT_GATE_BLOCKED,
    EVENT_KPI_ANOMALY,
    EVENT_STOCKOUT_RISK,
    EVENT_DAILY_DIGEST,
)
"""Every event ALERT_EVENTS may name (default `all`)."""

DEFAULT_ATTEMPTS = 4
DEFAULT_BACKOFF_SECONDS = 2.0
DEFAULT_TIMEOUT_SECONDS = 10.0


class AlertConfigError(ValueError):
    """An alert setting that cannot work (an unknown event name, an email channel without recipients, ...)."""


@dataclass(frozen=True)
class ChannelSettings:
    kind: str
    """dingtalk, wecom, feishu, email or webhook"""
    url: str
    secret: str | None = None
    recipients: tuple[str, ...] = ()

    def __repr__(self) -> str:  # never show the URL (it carries the token) or the secret
        return f"ChannelSettings(kind={self.kind!r})"


@dataclass(frozen=True)
class AlertSettings:
    channels: tuple[ChannelSettings, ...] = ()
    events: frozenset[str] = field(default_factory=lambda: frozenset(EVENTS))
    report_base_url: str | None = None
    attempts: int = DEFAULT_ATTEMPTS
    """ALERT_RETRY_ATTEMPTS: tries per delivery (the first one included)."""
    backoff_seconds: float = DEFAULT_BACKOFF_SECONDS
    """ALERT_RETRY_BACKOFF_SECONDS: the wait before the second try, doubled before each next one."""
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    @property
    def enabled(self) -> bool:
        return bool(self.channels) and bool(self.events)

    def wants(self, event: str) -> bool:
        return event in self.events

    def report_url(self, page: str = "") -> str | None:
        """The report page `page` ('' for the overview, 'quality', 'inventory', ...) under REPORT_BASE_URL."""
        if not self.report_base_url:
            return None
        base = self.report_base_url.rstrip("/")
        return f"{base}/{page.strip('/')}/" if page.strip("/") else f"{base}/"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AlertSettings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = (env.get(name) or "").strip()
            return value or None

        channels: list[ChannelSettings] = []
        if url := get("ALERT_DINGTALK_WEBHOOK"):
            channels.append(ChannelSettings("dingtalk", url, secret=get("ALERT_DINGTALK_SECRET")))
        if url := get("ALERT_WECOM_WEBHOOK"):
            channels.append(ChannelSettings("wecom", url))
        if url := get("ALERT_FEISHU_WEBHOOK"):
            channels.append(ChannelSettings("feishu", url, secret=get("ALERT_FEISHU_SECRET")))
        if url := get("ALERT_SMTP_URL"):
            addresses = (get("ALERT_EMAIL_TO") or "").replace(";", ",").split(",")
            recipients = tuple(address.strip() for address in addresses if address.strip())
            if not recipients:
                raise AlertConfigError("ALERT_SMTP_URL is set but ALERT_EMAIL_TO (comma-separated addresses) is not")
            channels.append(ChannelSettings("email", url, recipients=recipients))
        if url := get("ALERT_WEBHOOK_URL"):
            channels.append(ChannelSettings("webhook", url))
        return cls(
            channels=tuple(channels),
            events=parse_events(get("ALERT_EVENTS")),
            report_base_url=get("REPORT_BASE_URL"),
            attempts=max(1, int(get("ALERT_RETRY_ATTEMPTS") or DEFAULT_ATTEMPTS)),
            backoff_seconds=max(0.0, float(get("ALERT_RETRY_BACKOFF_SECONDS") or DEFAULT_BACKOFF_SECONDS)),
        )


def parse_events(value: str | None) -> frozenset[str]:
    """ALERT_EVENTS: `all` (default), `none`, or a comma-separated list of EVENTS."""
    if value is None or value.strip().lower() == "all":
        return frozenset(EVENTS)
    if value.strip().lower() == "none":
        return frozenset()
    names = {name.strip().lower() for name in value.split(",") if name.strip()}
    unknown = sorted(names - set(EVENTS))
    if unknown:
        raise AlertConfigError(f"ALERT_EVENTS names unknown event(s) {', '.join(unknown)}; known: {', '.join(EVENTS)}")
    return frozenset(names)
