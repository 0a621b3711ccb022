"""A link dressed as a button: one element and one tab stop (a button inside a link is two
focusable things for one action, and a screen reader hears both)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink


def link_button(*children: rx.Component | str, href: str | rx.Var, **props: Any) -> rx.Component:
    """An in-app link (client-side navigation) drawn as `rx.button(**props)` would be."""
    return rx.button(ReactRouterLink.create(*children, to=href), as_child=True, **props)
