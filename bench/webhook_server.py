"""The REST API with the engine and triggers, as one ASGI app for `bench/webhooks.py`.

The same lifespan and routes as the real app, without the Reflex frontend.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount

from app.api import create_api
from app.lifespan import startup

app = Starlette(lifespan=lambda _app: startup(), routes=[Mount("/", create_api())])
