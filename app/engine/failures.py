"""Sorting what went wrong in a step into the kinds that retry policies talk about."""

from __future__ import annotations

import asyncio

import httpx

from app.core.errors import FlowdeckError, InvalidInput


class ActionFailed(FlowdeckError):
    """An action ran and failed; `kind` says whether a retry may help."""

    code = "action_failed"
    status = 502

    def __init__(self, message: str, *, kind: str = "error", output: dict | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.output = output


def classify(exc: BaseException) -> str:
    """`timeout`, `connection`, `http_5xx`, `http_429`, `validation` or `error`."""
    if isinstance(exc, ActionFailed):
        return exc.kind
    if isinstance(exc, TimeoutError | asyncio.TimeoutError | httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.TransportError):
        return "connection"
    if isinstance(exc, InvalidInput):
        return "validation"
    return "error"


def describe(exc: BaseException, timeout_s: float | None = None) -> str:
    if isinstance(exc, TimeoutError | asyncio.TimeoutError) and timeout_s:
        return f"timed out after {timeout_s:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"HTTP timeout: {exc.__class__.__name__}"
    if isinstance(exc, httpx.TransportError):
        return f"connection failed: {exc.__class__.__name__}: {exc}"
    if isinstance(exc, FlowdeckError):
        return exc.message
    return f"{exc.__class__.__name__}: {exc}"
