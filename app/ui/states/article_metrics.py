"""Admin → Articles → one article: what it is and its measured metrics over time."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import reflex as rx

from app.core.dates import when_text
from app.core.errors import FlowdeckError
from app.services.article_metrics import article_metrics
from app.ui.components.metric_chart import metric_figure
from app.ui.states.session import SessionState, error_text, run_service
from app.ui.titles import page_title


class ArticleMetricsState(SessionState):
    article_id: int = 0
    title: str = ""

    @rx.var
    def page_title(self) -> str:
        """The browser tab names the article once it is loaded."""
        return page_title(self.title, "Article")

    slug: str = ""
    status: str = ""
    figure: go.Figure = go.Figure()
    #: Per measured value: its name, how many samples, the latest value.
    latest: list[dict[str, str]] = []
    error: str = ""
    loaded: bool = False

    @rx.var
    def has_data(self) -> bool:
        return bool(self.latest)

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        self.loaded, self.error, self.latest = False, "", []
        try:
            article_id = int(self.rx_router_page.params.get("article_id", "0"))
            data = await run_service(self, lambda a: article_metrics(a, article_id))
        except ValueError:
            self.error = "Bad article id"
            return None
        except FlowdeckError as exc:
            self.error = error_text(exc)
            return None
        article, series = data["article"], data["series"]
        self.article_id, self.title = article["id"], article["title"]
        self.slug, self.status = article["slug"], article["status"]
        self.figure = metric_figure(series)
        self.latest = [
            {"name": name, "count": str(len(points)), "value": f"{points[-1]['value']:,.4g}",
             "at": when_text(points[-1]["at"])}
            for name, points in series.items()
        ]  # fmt: skip
        self.loaded = True
        return None
