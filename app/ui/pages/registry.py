"""Pages are declared with `@page(...)` and added to the app once, by `add_pages(app)`.

Reflex's own `@rx.page` list is applied again at every compile of the same app object: in
production the backend worker compiles the app the CLI already compiled, and each page then
logs "Page … is being redefined with the same component". Adding the pages ourselves, once,
keeps the start-up console clean; the arguments are `rx.App.add_page`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

PAGES: list[tuple[Callable[[], rx.Component], dict[str, Any]]] = []


def page(**kwargs: Any) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Declare a page (route, title, on_load …); `add_pages` adds it."""

    def declare(render: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        PAGES.append((render, kwargs))
        return render

    return declare


def add_pages(app: rx.App) -> None:
    """Add every declared page to `app`, each once."""
    for render, kwargs in PAGES:
        app.add_page(render, **kwargs)
