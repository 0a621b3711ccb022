"""Browser sessions as HttpOnly cookies: sign in, take over a sign-in from the form, sign out.

- `POST /api/auth/login` — email and password as JSON; sets the cookies. 429 with
  `Retry-After` while a back-off applies (see `app.services.auth`).
- `GET /api/auth/session?code=…` — the sign-in form's handler signed the person in over the
  websocket and handed the browser a one-time code; this sets the cookies and redirects on.
- `POST /api/auth/logout` — ends the cookie's session and clears the cookie.

Both cookies are `HttpOnly; SameSite=Strict; Path=/` (and `Secure` when FLOWDECK_BASE_URL is
https): page JavaScript never sees the session token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.api.deps import client_ip
from app.api.errors import ErrorEnvelope, error_response
from app.core.errors import RateLimited
from app.db.settings import get_settings
from app.services import auth
from app.services.tokens import new_device_token
from app.services.web_session import (
    DEVICE_COOKIE,
    DEVICE_MAX_AGE_S,
    SESSION_COOKIE,
    SIGN_IN_CODES,
    cookie_flags,
    session_max_age_s,
)

router = APIRouter(prefix="/auth", tags=["sign-in"])


class LoginRequest(BaseModel):
    email: str = Field(max_length=320, description="The account's email address")
    password: str = Field(max_length=1024)


class SignedIn(BaseModel):
    id: int
    email: str
    name: str
    role: str


class SignedOut(BaseModel):
    signed_out: bool = Field(description="False when the request carried no live session")


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorEnvelope} for code in codes}


def _set_session_cookies(response: Response, session_token: str, device_token: str) -> None:
    flags = cookie_flags()
    response.set_cookie(SESSION_COOKIE, session_token, max_age=session_max_age_s(), **flags)
    response.set_cookie(DEVICE_COOKIE, device_token, max_age=DEVICE_MAX_AGE_S, **flags)


@router.post(
    "/login",
    summary="Sign in with email and password; sets the HttpOnly session cookie",
    response_model=SignedIn,
    responses={
        **_errors(400, 401, 413, 415, 422),
        429: {"model": ErrorEnvelope, "description": "Too many attempts; see Retry-After"},
    },
)
async def login(body: LoginRequest, request: Request, response: Response) -> Any:
    try:
        token, user = await run_in_threadpool(
            lambda: auth.login(
                email=body.email,
                password=body.password,
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
                device=request.cookies.get(DEVICE_COOKIE),
            )
        )
    except RateLimited as exc:
        retry = exc.details.get("retry_after", 1) if isinstance(exc.details, dict) else 1
        headers = {"Retry-After": str(retry)}
        return error_response(429, exc.code, exc.message, exc.details, headers=headers)
    device = new_device_token(user.id or 0, get_settings().secret_keys)
    _set_session_cookies(response, token, device)
    return SignedIn(id=user.id or 0, email=user.email, name=user.name, role=user.role)


@router.get(
    "/session",
    summary="Take over a sign-in made by the sign-in form (one-time code); redirects",
    status_code=303,
    response_class=RedirectResponse,
    responses={
        303: {"description": "To the signed-in home page, or to /login when the code is bad"},
        **_errors(422),
    },
)
async def take_over_session(
    code: Annotated[str, Query(max_length=100, description="The form's one-time code")],
) -> RedirectResponse:
    handoff = SIGN_IN_CODES.redeem(code)
    if handoff is None:
        return RedirectResponse("/login", status_code=303)
    response = RedirectResponse(handoff.next_path, status_code=303)
    _set_session_cookies(response, handoff.session_token, handoff.device_token)
    return response


@router.post("/logout", summary="End this browser's session and clear its cookie")
async def logout(request: Request, response: Response) -> SignedOut:
    token = request.cookies.get(SESSION_COOKIE)
    ended = bool(token) and await run_in_threadpool(auth.logout, token)
    flags = cookie_flags()
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=bool(flags["secure"]),
        httponly=True,
        samesite="strict",
    )
    return SignedOut(signed_out=ended)
