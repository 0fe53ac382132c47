"""Errors raised by the API clients. Messages never contain credentials."""

from __future__ import annotations


class ApiError(Exception):
    """The API answered with an error that retrying will not fix."""


class ApiUnavailableError(ApiError):
    """The API could not be reached or kept failing (connection errors, time-outs, 5xx) after every retry."""


class RateLimitedError(ApiError):
    """The API banned further calls for longer than the run is allowed to wait."""

    def __init__(self, message: str, ban_seconds: float | None) -> None:
        super().__init__(message)
        self.ban_seconds = ban_seconds


class SessionExpiredError(ApiError):
    """The seller's session / access token is invalid or expired; the message says how to renew it."""
