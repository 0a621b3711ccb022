"""Each platform's length limit, unit of counting and text format, for `social_text`. Pure.

- X: 280, weighted like twitter-text v3 (simplified): a character in the Latin, General
  Punctuation and similar ranges counts 1, anything else (CJK, emoji, "…") 2 per grapheme;
  every URL counts 23 whatever its length (t.co), also a bare domain such as `flowdeck.io`.
- Mastodon: 500 by default (an instance may allow more: `fit(..., limit=)`), graphemes, every
  URL 23.
- Bluesky: 300 graphemes; links and hashtags become facets; a long link is shown shortened
  (the facet keeps the whole URI), as the Bluesky app does.
- LinkedIn: 3000 characters of "little text": the reserved characters are escaped with a
  backslash and hashtags are `{hashtag|\\#|word}` templates (counted as sent).
- Discord: 2000 characters of Markdown; Teams: Markdown, about 28 KB per message (counted in
  UTF-8 bytes with room left for the card around it); Slack: 40 000 characters of mrkdwn
  (`&`, `<`, `>` escaped, links as `<url|title>`); Telegram: 4096 UTF-16 units, plain.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.core.graphemes import grapheme_count, graphemes

URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]}'’”…]")
URL_WEIGHT = 23
_COMMON_TLDS = (
    "com|org|net|info|biz|io|dev|app|ai|blog|xyz|tech|site|online|edu|gov|news|page|co|me|tv|"
    "uk|de|fr|nl|eu|us|ca|au|jp|in|es|it|ch|se|no|fi|dk|be|at|pl|br|nz|ie|fm|ly|gg|sh|so"
)


def _url_pattern(tlds: str) -> re.Pattern[str]:
    """http(s) URLs, and bare domains ending in one of `tlds` ("flowdeck.io/docs")."""
    return re.compile(
        r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]}'’”…]"
        rf"|(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{tlds})\b"
        r"(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]}'’”…])?",
        re.IGNORECASE,
    )


#: What X counts as a link: it also links a bare domain; twitter-text checks a full TLD list,
#: here any two letters count (an over-count only cuts a little more).
X_URL_RE = _url_pattern(_COMMON_TLDS + "|[a-z]{2}")
#: What Bluesky's app turns into link facets: a link must not be invented ("Node.js").
LINK_RE = _url_pattern(_COMMON_TLDS)
ALIASES = {"twitter": "x"}
_LITTLE_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
_BSKY_LINK_SHOWN = 40


@dataclass(frozen=True)
class Segment:
    """A piece of the final text: what is shown, what it is (body/link/tag/plain), its value."""

    text: str
    kind: str
    value: str


@dataclass(frozen=True)
class Rules:
    name: str
    label: str
    limit: int
    unit: str
    format: str
    count: Callable[[str], int]
    escape: Callable[[str], str]
    link: Callable[[str, str | None], Segment]
    tag: Callable[[str], Segment]
    facets: bool = False


def _x_weight(cluster: str) -> int:
    cp = ord(cluster[0])
    light = cp <= 4351 or 8192 <= cp <= 8205 or 8208 <= cp <= 8223 or 8242 <= cp <= 8247
    return 1 if light else 2


def _without_urls(text: str, pattern: re.Pattern[str] = URL_RE) -> tuple[str, int]:
    """`text` with its URLs removed, and how many there were."""
    found = pattern.findall(text)
    return pattern.sub("", text), len(found)


def x_length(text: str) -> int:
    """The length X counts for `text` (its weighted length, simplified)."""
    rest, urls = _without_urls(text, X_URL_RE)
    return urls * URL_WEIGHT + sum(_x_weight(c) for c in graphemes(rest))


def mastodon_length(text: str) -> int:
    """The length Mastodon counts: graphemes, every URL as 23."""
    rest, urls = _without_urls(text)
    return urls * URL_WEIGHT + grapheme_count(rest)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf8_length(text: str) -> int:
    return len(text.encode())


def escape_little(text: str) -> str:
    """LinkedIn "little text": a backslash before each reserved character."""
    return _LITTLE_RESERVED.sub(r"\\\1", text)


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _same(text: str) -> str:
    return text


def _plain_link(url: str, _title: str | None) -> Segment:
    return Segment(url, "link", url)


def _hashtag(word: str) -> Segment:
    return Segment("#" + word, "tag", word)


def _md_link(url: str, title: str | None) -> Segment:
    if not title:
        return Segment(url, "link", url)
    shown = re.sub(r"([\[\]\\])", r"\\\1", title)
    return Segment(f"[{shown}]({url})", "link", url)


def _slack_link(url: str, title: str | None) -> Segment:
    if not title:
        return Segment(f"<{url}>", "link", url)
    return Segment(f"<{url}|{escape_mrkdwn(title).replace('|', '¦')}>", "link", url)


def _little_link(url: str, _title: str | None) -> Segment:
    return Segment(escape_little(url), "link", url)


def _little_tag(word: str) -> Segment:
    return Segment("{hashtag|\\#|" + word + "}", "tag", word)


def _bsky_link(url: str, _title: str | None) -> Segment:
    shown = re.sub(r"^https?://(www\.)?", "", url)
    clusters = graphemes(shown)
    if len(clusters) > _BSKY_LINK_SHOWN:
        shown = "".join(clusters[: _BSKY_LINK_SHOWN - 1]) + "…"
    return Segment(shown, "link", url)


def _rules(
    name: str, label: str, limit: int, unit: str, count: Callable[[str], int], **kw
) -> Rules:
    fmt = kw.pop("format", "plain")
    return Rules(
        name,
        label,
        limit,
        unit,
        fmt,
        count,
        kw.pop("escape", _same),
        kw.pop("link", _plain_link),
        kw.pop("tag", _hashtag),
        **kw,
    )


RULES: dict[str, Rules] = {
    r.name: r
    for r in (
        _rules("x", "X", 280, "characters", x_length),
        _rules("mastodon", "Mastodon", 500, "characters", mastodon_length),
        _rules(
            "bluesky", "Bluesky", 300, "graphemes", grapheme_count,
            link=_bsky_link, facets=True,
        ),
        _rules(
            "linkedin", "LinkedIn", 3000, "characters", len,
            format="little", escape=escape_little, link=_little_link, tag=_little_tag,
        ),
        _rules("discord", "Discord", 2000, "characters", len, format="markdown", link=_md_link),
        _rules("teams", "Teams", 26_000, "bytes", utf8_length, format="markdown", link=_md_link),
        _rules(
            "slack", "Slack", 40_000, "characters", len,
            format="mrkdwn", escape=escape_mrkdwn, link=_slack_link,
        ),
        _rules("telegram", "Telegram", 4096, "characters", utf16_length),
    )
}  # fmt: skip
