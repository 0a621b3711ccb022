"""The public address of an article and the plain share text."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.article_links import article_url, hashtags, share_lines
from app.db.settings import SettingsError, load_settings


def test_article_url_joins_site_and_slug() -> None:
    assert article_url("https://blog.example.com/", "launch-day") == (
        "https://blog.example.com/articles/launch-day"
    )
    assert article_url("https://example.com/blog", "a b/c") == (
        "https://example.com/blog/articles/a%20b%2Fc"
    )


def test_a_site_pattern_places_the_slug() -> None:
    assert article_url("https://example.com/posts/{slug}.html", "x-1") == (
        "https://example.com/posts/x-1.html"
    )


def test_hashtags_are_words_without_repeats() -> None:
    assert hashtags(["open source", "Open-Source", "AI", "", "c++"]) == ("opensource", "AI", "c")


def test_share_lines() -> None:
    assert share_lines("Title", "https://s/articles/t", ["a b"]) == (
        "Title\n\nhttps://s/articles/t #ab"
    )
    assert share_lines("Title", None, []) == "Title"


def test_site_url_defaults_to_the_base_url_and_is_checked(tmp_path: Path) -> None:
    env = {"FLOWDECK_DATA_DIR": str(tmp_path), "FLOWDECK_BASE_URL": "https://flow.example.com"}
    assert load_settings(env).site_url == "https://flow.example.com"
    env["FLOWDECK_SITE_URL"] = "https://blog.example.com"
    assert load_settings(env).site_url == "https://blog.example.com"
    env["FLOWDECK_SITE_URL"] = "blog.example.com"
    with pytest.raises(SettingsError, match="FLOWDECK_SITE_URL"):
        load_settings(env)
