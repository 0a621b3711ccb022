"""A tab signed in the way a browser signs it in: cookies on the websocket handshake.

The session token is an HttpOnly cookie; Reflex keeps the handshake's headers on the server
(`router.headers`) and `SessionState.token` reads the cookie from there.
"""

from __future__ import annotations

import reflex as rx
from reflex.istate.data import HeaderData, SessionData

from app.services.web_session import DEVICE_COOKIE, SESSION_COOKIE


def sign_in_tab(state: rx.State, token: str, *, device: str = "", ip: str = "127.0.0.1") -> None:
    """Give `state`'s tab the headers of a handshake carrying `token` (and `device`)."""
    cookies = [f"{SESSION_COOKIE}={token}"] if token else []
    if device:
        cookies.append(f"{DEVICE_COOKIE}={device}")
    headers = {"cookie": "; ".join(cookies), "user-agent": "pytest"}
    handshake = {"headers": headers, "ip": ip}
    # Only the connection's parts: the page a test set up stays as it is.
    state.rx_router_headers = HeaderData.from_router_data(handshake)
    state.rx_router_session = SessionData.from_router_data(handshake)
