"""The Flowdeck app: pages, the REST API under /api, and start-up work."""

from __future__ import annotations

import logging

import reflex as rx

import app.ui.pages  # noqa: F401  (registers every page)
from app.api import create_api
from app.lifespan import startup
from app.services.approval_notices import approval_notices
from app.ui.bell import bell_push
from app.ui.live import live_push
from app.ui.pages.registry import add_pages

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

app = rx.App(api_transformer=create_api(), stylesheets=["/flowdeck.css"])
add_pages(app)
# Approvers' notices listen before the engine starts: runs it recovers may reach an approval.
app.register_lifespan_task(approval_notices)
app.register_lifespan_task(startup)
app.register_lifespan_task(live_push)
app.register_lifespan_task(bell_push)
