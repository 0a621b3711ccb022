"""One error format for every API failure: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import FlowdeckError

log = logging.getLogger("flowdeck.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable and machine-readable, e.g. `validation_failed`")
    message: str = Field(description="For people")
    details: Any = Field(description="For a 422, a list of `{path, message}`; else often null")


class ErrorEnvelope(BaseModel):
    """The body of every API error."""

    error: ErrorDetail


_WHY = {
    400: "The body is not valid JSON, or a value was refused (e.g. a blocked address)",
    401: "No API key, or not a valid one (`Authorization: Bearer <key>`)",
    403: "The key's role does not allow this",
    404: "Not found",
    409: "Clashes with the current state",
    413: "The request body is larger than the limit",
    415: "The body was not sent as JSON (`Content-Type: application/json`)",
    422: "Invalid input: `details` lists every problem with its path",
    429: "Too many attempts; see Retry-After",
    502: "A remote service failed or answered badly",
    503: "Not available right now (the execution engine is not running)",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for error statuses, each with the error envelope."""
    return {code: {"model": ErrorEnvelope, "description": _WHY[code]} for code in codes}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


def _path(loc: tuple | list) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _headers(exc: FlowdeckError) -> dict[str, str] | None:
    """401 names the scheme; 429 says when to come back (`details.retry_after`, seconds)."""
    if exc.status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if exc.status == 429:
        after = exc.details.get("retry_after") if isinstance(exc.details, dict) else None
        return {"Retry-After": str(after if isinstance(after, int) and after > 0 else 1)}
    return None


def install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(FlowdeckError)
    async def _flowdeck(_: Request, exc: FlowdeckError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, _headers(exc))

    @api.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "bad_request", "the request body is not valid JSON")
        content_type = request.headers.get("content-type", "")
        body_errors = any(tuple(e.get("loc", ())) == ("body",) for e in errors)
        if body_errors and "json" not in content_type:
            return error_response(
                415,
                "unsupported_media_type",
                "send the body as JSON with 'Content-Type: application/json'",
                {"content_type": content_type or None},
            )
        details = [
            {"path": _path(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
            for e in errors
        ]
        message = "; ".join(f"{d['path']}: {d['message']}" for d in details)
        return error_response(422, "validation_failed", message, details)

    @api.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        details = getattr(exc, "details", None)
        return error_response(exc.status_code, code, str(exc.detail), details, exc.headers)

    @api.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error in API request")
        return error_response(500, "internal_error", "an unexpected error happened; see the log")
