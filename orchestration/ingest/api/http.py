"""The shared HTTP layer: a `requests` session with time-outs and bounded retries.

Connection errors, time-outs, HTTP 5xx and 429 answers are retried with exponential backoff and full jitter, at most
`RetryPolicy.max_attempts` times. Sleeping and randomness are injectable so tests do not wait. Only the URL path and the
API method are logged, never the form body (it carries the credentials).
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from orchestration.ingest.api.errors import ApiUnavailableError

logger = logging.getLogger(__name__)

Sleep = Callable[[float], None]


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    """API_MAX_ATTEMPTS (default 5): tries per call on connection errors, time-outs and 5xx."""
    backoff_base_seconds: float = 1.0
    """API_BACKOFF_BASE_SECONDS (default 1): first backoff; doubles on every retry."""
    backoff_max_seconds: float = 60.0
    """API_BACKOFF_MAX_SECONDS (default 60): cap of one backoff."""
    timeout_seconds: float = 30.0
    """API_TIMEOUT_SECONDS (default 30): connect and read time-out of one HTTP request."""
    max_ban_wait_seconds: float = 600.0
    """API_MAX_BAN_WAIT_SECONDS (default 600): a rate-limit ban up to this long is waited out; a longer one fails."""

    @classmethod
    def from_env(cls) -> RetryPolicy:
        return cls(
            max_attempts=int(_env_float("API_MAX_ATTEMPTS", 5)),
            backoff_base_seconds=_env_float("API_BACKOFF_BASE_SECONDS", 1.0),
            backoff_max_seconds=_env_float("API_BACKOFF_MAX_SECONDS", 60.0),
            timeout_seconds=_env_float("API_TIMEOUT_SECONDS", 30.0),
            max_ban_wait_seconds=_env_float("API_MAX_BAN_WAIT_SECONDS", 600.0),
        )

    def backoff(self, attempt: int, uniform: Callable[[], float]) -> float:
        """Full jitter: a random wait in [0, min(max, base * 2**(attempt-1))]."""
        ceiling = min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (attempt - 1))
        return ceiling * uniform()


@dataclass
class HttpSession:
    """POSTs forms with time-outs and retries. One per client; not shared between threads."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Sleep = time.sleep
    uniform: Callable[[], float] = random.random
    session: requests.Session = field(default_factory=requests.Session)

    def post_form(self, url: str, data: Mapping[str, str], what: str) -> requests.Response:
        """POST `data` as a form; returns the first answer that is not 5xx or 429 (`what` names the call)."""
        where = urlsplit(url).path or "/"
        last_problem = ""
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                response = self.session.post(url, data=dict(data), timeout=self.policy.timeout_seconds)
            except requests.Timeout:
                last_problem = f"no answer within {self.policy.timeout_seconds:g} s"
            except requests.ConnectionError as exc:
                last_problem = f"connection error ({type(exc).__name__})"
            else:
                if response.status_code < 500 and response.status_code != 429:
                    return response
                last_problem = f"HTTP {response.status_code}"
            if attempt == self.policy.max_attempts:
                break
            wait = self.policy.backoff(attempt, self.uniform)
            logger.warning(
                "%s (%s): %s, retry %d of %d in %.1f s",
                what,
                where,
                last_problem,
                attempt,
                self.policy.max_attempts - 1,
                wait,
            )
            self.sleep(wait)
        raise ApiUnavailableError(
            f"{what} ({where}) failed {self.policy.max_attempts} times, last: {last_problem}; "
            "the API is unreachable or failing: check the base URL and try again later"
        )

    def close(self) -> None:
        self.session.close()


MAX_PAGING_PASSES = 3


def page_backwards(fetch_page: Callable[[int], tuple[list, int | None]], total: int, page_size: int, what: str) -> list:
    """Read every page of a result sorted newest-modified first, from the last page to the first.

    Records modified while we page move to the front; reading the last page first means the shifted records land on
    pages not read yet, so none is missed. Records that *enter* the window while we page shift the others the other
    way: when the total grew during a pass, the pass is repeated (at most MAX_PAGING_PASSES). `fetch_page(n)` returns
    that page's records and the total the server reports now (None when it does not say). Duplicates are left to the
    caller, who knows the record key.
    """
    records: list = []
    for _ in range(MAX_PAGING_PASSES):
        latest = total
        for page in range(math.ceil(total / page_size), 0, -1):
            page_records, reported = fetch_page(page)
            records.extend(page_records)
            latest = reported if reported is not None else latest
        if latest <= total:
            break
        logger.info("%s: %d records entered the window while paging, paging again", what, latest - total)
        total = latest
    return records


class CredentialsFromEnv:
    """For client configs: the environment variables a client cannot run without (`REQUIRED_ENV`)."""

    REQUIRED_ENV: tuple[str, ...] = ()

    @classmethod
    def missing_env(cls, environ: Mapping[str, str] | None = None) -> list[str]:
        environ = os.environ if environ is None else environ
        return [name for name in cls.REQUIRED_ENV if not environ.get(name)]
