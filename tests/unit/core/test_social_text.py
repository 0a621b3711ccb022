"""Fitting a post to each platform: limits, units, formats, shortening that keeps the link."""

from __future__ import annotations

import time

import pytest

from app.core.graphemes import grapheme_count
from app.core.social_rules import escape_little, mastodon_length, x_length
from app.core.social_text import Facet, SocialPost, fit

LINK = "https://example.com/articles/launch-day"
LONG = " ".join(f"word{i}" for i in range(400))  # ~3 100 characters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("漢字", 4),  # CJK weighs 2
        ("see https://example.com/" + "a" * 100, 4 + 23),  # any URL is 23
        ("a https://x.io b https://y.io/z", 5 + 46),
        ("👍🏽", 2),  # one emoji with a skin tone: one grapheme, weight 2
        ("…", 2),  # outside X's light ranges
        ("café", 4),
        ("see flowdeck.io now", 8 + 23),  # X links a bare domain too
        ("docs at docs.flowdeck.io/start.", 8 + 23 + 1),
        ("write to ada@example.com", 24),  # an address is not a link
        ("version 2.0 e.g. this", 21),
    ],
)
def test_x_length(text: str, expected: int) -> None:
    assert x_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", 3),
        ("👨‍👩‍👧‍👦", 1),  # ZWJ family
        ("🇫🇷🇩🇪", 2),  # two flags
        ("e\u0301", 1),  # combining accent
        ("a\r\nb", 3),
        ("❤️", 1),  # variation selector
    ],
)
def test_grapheme_count(text: str, expected: int) -> None:
    assert grapheme_count(text) == expected


def test_mastodon_counts_urls_as_23() -> None:
    assert mastodon_length("go https://example.com/" + "p" * 80) == 3 + 23


@pytest.mark.parametrize(
    ("platform", "limit"),
    [
        ("x", 280),
        ("twitter", 280),
        ("mastodon", 500),
        ("bluesky", 300),
        ("linkedin", 3000),
        ("discord", 2000),
        ("telegram", 4096),
    ],
)
def test_short_post_is_sent_whole_with_link_and_tags(platform: str, limit: int) -> None:
    fitted = fit(SocialPost("Launch day", link=LINK, tags=("news", "#Launch")), platform)
    assert fitted.ok, fitted.error
    assert not fitted.shortened
    assert fitted.limit == limit
    assert fitted.text.startswith("Launch day\n\n")
    assert "news" in fitted.text and "Launch" in fitted.text


@pytest.mark.parametrize(
    ("platform", "limit", "count"),
    [
        ("x", 280, x_length),
        ("mastodon", 500, mastodon_length),
        ("bluesky", 300, grapheme_count),
        ("linkedin", 3000, len),
        ("discord", 2000, len),
        ("telegram", 4096, len),
    ],
)
def test_long_post_is_cut_at_a_word_and_keeps_the_link(platform, limit, count) -> None:
    text = LONG * 2 if limit > 3000 else LONG
    fitted = fit(SocialPost(text, link=LINK, tags=("news",)), platform)
    assert fitted.ok, fitted.error
    assert fitted.shortened
    assert count(fitted.text) <= limit
    assert fitted.length == count(fitted.text)
    head, _, tail = fitted.text.partition("…\n\n")
    assert tail, fitted.text
    assert head.split()[-1] in text.split()  # ends on a whole word
    assert "news" in tail
    assert (LINK in tail) or ("example.com/articles/launch-day" in tail)
    assert count(fitted.text) > limit - 40  # not cut needlessly short


def test_cjk_without_spaces_is_cut_between_characters() -> None:
    fitted = fit(SocialPost("漢字" * 300, link=LINK), "x")
    assert fitted.ok and fitted.shortened
    assert fitted.text.endswith("…\n\n" + LINK)
    assert 270 < x_length(fitted.text) <= 280


def test_hashtags_are_dropped_before_the_link() -> None:
    tags = tuple(f"tag{i}" for i in range(60))
    fitted = fit(SocialPost("Hello world", link=LINK, tags=tags), "x")
    assert fitted.ok
    assert LINK in fitted.text and "#tag0" not in fitted.text


def test_link_inside_the_text_is_moved_out_of_the_cut() -> None:
    text = f"Read {LINK} now. " + LONG
    fitted = fit(SocialPost(text, link=LINK), "x")
    assert fitted.ok and fitted.shortened
    assert fitted.text.count(LINK) == 1 and fitted.text.endswith(LINK)


def test_link_in_the_text_is_not_repeated_when_it_fits() -> None:
    fitted = fit(SocialPost(f"Read {LINK}", link=LINK), "mastodon")
    assert fitted.text == f"Read {LINK}"


def test_link_that_cannot_fit_is_an_error() -> None:
    link = "https://example.com/" + "a" * 3000
    fitted = fit(SocialPost("hi", link=link), "linkedin")
    assert not fitted.ok
    assert "LinkedIn" in fitted.error and "3000" in fitted.error


def test_text_without_link_that_cannot_be_cut_is_an_error() -> None:
    fitted = fit(SocialPost("x" * 50), "mastodon", limit=1)
    assert not fitted.ok and "Mastodon" in fitted.error


def test_nothing_to_post() -> None:
    assert "nothing to post" in fit(SocialPost("  "), "x").error


def test_unknown_platform() -> None:
    assert not fit(SocialPost("hi"), "myspace").ok


def test_mastodon_limit_is_configurable() -> None:
    post = SocialPost("a " * 400)
    assert fit(post, "mastodon").shortened
    assert not fit(post, "mastodon", limit=1000).shortened


def test_title_is_used_when_there_is_no_text() -> None:
    assert fit(SocialPost("", link=LINK, title="Big news"), "x").text == f"Big news\n\n{LINK}"


def test_linkedin_escapes_reserved_characters_and_templates_hashtags() -> None:
    fitted = fit(SocialPost("Q&A (live) @home #1 *wow* [x]_~", tags=("AI",)), "linkedin")
    assert fitted.format == "little"
    assert fitted.text == (
        "Q&A \\(live\\) \\@home \\#1 \\*wow\\* \\[x\\]\\_\\~\n\n{hashtag|\\#|AI}"
    )
    assert escape_little("a\\b|{}<>") == "a\\\\b\\|\\{\\}\\<\\>"


def test_markdown_platforms_use_a_titled_link() -> None:
    post = SocialPost("New post", link=LINK, title="Launch [day]")
    assert fit(post, "discord").text == f"New post\n\n[Launch \\[day\\]]({LINK})"
    assert fit(post, "teams").format == "markdown"


def test_slack_escapes_control_characters() -> None:
    fitted = fit(SocialPost("a < b & c", link=LINK, title="T|x"), "slack")
    assert fitted.text == f"a &lt; b &amp; c\n\n<{LINK}|T¦x>"


def test_bluesky_facets_use_utf8_byte_offsets() -> None:
    fitted = fit(SocialPost("Café ☕ news", link=LINK, tags=("coffee",)), "bluesky")
    data = fitted.text.encode()
    links = [f for f in fitted.facets if f.kind == "link"]
    tags = [f for f in fitted.facets if f.kind == "tag"]
    assert [f.value for f in links] == [LINK]
    assert (
        data[links[0].byte_start : links[0].byte_end].decode() == "example.com/articles/launch-day"
    )
    assert data[tags[0].byte_start : tags[0].byte_end].decode() == "#coffee"
    assert links[0].as_record() == {
        "index": {"byteStart": links[0].byte_start, "byteEnd": links[0].byte_end},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": LINK}],
    }


def test_bluesky_facets_for_urls_and_tags_in_the_text() -> None:
    text = "Ünïcode https://a.example/x and #tag."
    fitted = fit(SocialPost(text), "bluesky")
    data = fitted.text.encode()
    spans = [data[f.byte_start : f.byte_end].decode() for f in fitted.facets]
    assert spans == ["https://a.example/x", "#tag"]
    assert fitted.facets[1] == Facet(
        fitted.facets[1].byte_start, fitted.facets[1].byte_end, "tag", "tag"
    )


def test_bluesky_links_bare_domains_and_skips_numeric_tags() -> None:
    fitted = fit(SocialPost("Try flowdeck.io/start (Node.js) in #2024 #ai2024"), "bluesky")
    data = fitted.text.encode()
    spans = [(data[f.byte_start : f.byte_end].decode(), f.value) for f in fitted.facets]
    assert spans == [("flowdeck.io/start", "https://flowdeck.io/start"), ("#ai2024", "ai2024")]


def test_bluesky_long_link_is_shown_short_and_kept_whole_in_the_facet() -> None:
    link = "https://example.com/" + "segment/" * 20
    fitted = fit(SocialPost("hi", link=link), "bluesky")
    shown = fitted.text.split("\n\n")[1]
    assert shown.endswith("…") and grapheme_count(shown) == 40
    assert fitted.facets[0].value == link


def test_teams_counts_bytes() -> None:
    fitted = fit(SocialPost("é " * 20_000), "teams")
    assert fitted.shortened and len(fitted.text.encode()) <= 26_000


def test_a_share_message_at_its_longest_is_fitted_quickly() -> None:
    # share accepts messages of 40 000 characters; cutting one used to take 1-2 s per platform
    text = "word " * 8000
    started = time.perf_counter()
    for platform in ("x", "bluesky", "teams", "discord"):
        assert fit(SocialPost(text, link=LINK), platform).shortened
    assert time.perf_counter() - started < 1.0
