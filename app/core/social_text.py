"""Fitting one post to each platform's length limit and text format. Pure.

A `SocialPost` is what a share says: its text, the link it is about, a title and hashtags.
`fit(post, platform)` gives the text that platform receives (`Fitted.text`), or says why it
cannot (`Fitted.error`). The post is sent whole when it fits. When it does not, the text is cut
at a word boundary with "…" and the link and hashtags follow it: the link is the point of a
share, so it is kept (hashtags are dropped before the link is); if even the link cannot fit,
the post is refused with the reason. Every platform counts its own way (see
`app.core.social_rules`): X weighs characters and counts every URL as 23, Bluesky counts
graphemes and wants link facets with UTF-8 byte offsets, LinkedIn's commentary escapes its
reserved characters, Discord and Teams take Markdown, Slack its mrkdwn.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from app.core.graphemes import graphemes
from app.core.social_rules import ALIASES, LINK_RE, RULES, URL_RE, Rules, Segment

ELLIPSIS = "…"
_WORD_RE = re.compile(r"\S+")
_TAG_RE = re.compile(r"(?<![\w#])#(\w+)")
_FACET_TAG_RE = re.compile(r"(?<![\w#])#(\w*[^\W\d]\w*)")  # "#2024" is no tag on Bluesky


@dataclass(frozen=True)
class SocialPost:
    """What to share: the message, the link it is about, a title and hashtags (without `#`)."""

    text: str
    link: str | None = None
    title: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facet:
    """A rich-text range (Bluesky): UTF-8 byte offsets into the text, a link or a hashtag."""

    byte_start: int
    byte_end: int
    kind: str  # "link" or "tag"
    value: str  # the URI, or the tag without "#"

    def as_record(self) -> dict[str, Any]:
        """The `app.bsky.richtext.facet` object of the lexicon."""
        feature: dict[str, Any] = (
            {"$type": "app.bsky.richtext.facet#link", "uri": self.value}
            if self.kind == "link"
            else {"$type": "app.bsky.richtext.facet#tag", "tag": self.value}
        )
        return {
            "index": {"byteStart": self.byte_start, "byteEnd": self.byte_end},
            "features": [feature],
        }


@dataclass(frozen=True)
class Fitted:
    """The text one platform receives, or why the post cannot be sent there."""

    platform: str
    text: str = ""
    error: str | None = None
    format: str = "plain"  # plain, markdown, mrkdwn or little (LinkedIn's escaped text)
    length: int = 0  # in the platform's own unit
    limit: int = 0
    shortened: bool = False
    facets: tuple[Facet, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.error is None


def platform_rules(platform: str) -> Rules | None:
    """The rules of `platform` (aliases such as `twitter` accepted), None when unknown."""
    name = platform.strip().lower()
    return RULES.get(ALIASES.get(name, name))


def fit(post: SocialPost, platform: str, limit: int | None = None) -> Fitted:
    """`post` as `platform` takes it, within `limit` (the platform's own when None)."""
    rules = platform_rules(platform)
    if rules is None:
        return Fitted(platform, error=f"no text rules for platform {platform!r}")
    cap = limit if limit is not None and limit > 0 else rules.limit
    body = unicodedata.normalize("NFC", (post.text or "").strip() or (post.title or "").strip())
    link = (post.link or "").strip() or None
    tags = _clean_tags(post.tags, body)
    if not body and not link:
        return Fitted(rules.name, error="nothing to post: no text and no link", limit=cap)
    tail_link = None if link and link in body else link
    whole = _render(rules, body, False, tail_link, post.title, tags)
    if rules.count(whole.text) <= cap:
        return _fitted(rules, whole, cap, False)
    if link and tail_link is None:  # the link sits in the text: move it where the cut cannot go
        body = " ".join(body.replace(link, " ").split())
    for tag_set in (tags, ()):
        cut = _shorten(rules, body, link, post.title, tag_set, cap)
        if cut is not None:
            return _fitted(rules, cut, cap, True)
    if link:
        alone = _render(rules, "", False, link, post.title, ())
        if rules.count(alone.text) <= cap:
            return _fitted(rules, alone, cap, True)
        return Fitted(
            rules.name,
            error=f"the link alone is {rules.count(alone.text)} {rules.unit}, over "
            f"{rules.label}'s limit of {cap}",
            format=rules.format,
            limit=cap,
        )
    return Fitted(
        rules.name,
        error=f"the text cannot be shortened to {rules.label}'s limit of {cap} {rules.unit}",
        format=rules.format,
        limit=cap,
    )


def _clean_tags(tags: tuple[str, ...], body: str) -> tuple[str, ...]:
    """Hashtags as words (no `#`, no spaces or punctuation), minus those the text has."""
    present = {t.lower() for t in _TAG_RE.findall(body)}
    out: list[str] = []
    for tag in tags:
        word = re.sub(r"\W", "", str(tag))
        if word and word.lower() not in present:
            present.add(word.lower())
            out.append(word)
    return tuple(out)


@dataclass(frozen=True)
class _Rendered:
    text: str
    facets: tuple[Facet, ...]


def _render(
    rules: Rules,
    body: str,
    cut: bool,
    link: str | None,
    title: str | None,
    tags: tuple[str, ...],
) -> _Rendered:
    """The final text from its parts, with Bluesky's facets at their byte offsets."""
    segments: list[Segment] = []
    if body:
        segments.append(Segment(rules.escape(body + (ELLIPSIS if cut else "")), "body", body))
    tail: list[Segment] = []
    if link:
        tail.append(rules.link(link, title if title and title != body else None))
    for tag in tags:
        tail.append(rules.tag(tag))
    if segments and tail:
        segments.append(Segment("\n\n", "plain", ""))
    for i, seg in enumerate(tail):
        if i:
            segments.append(Segment(" ", "plain", ""))
        segments.append(seg)
    text = "".join(s.text for s in segments)
    return _Rendered(text, _facets(segments) if rules.facets else ())


def _facets(segments: list[Segment]) -> tuple[Facet, ...]:
    out: list[Facet] = []
    offset = 0
    for seg in segments:
        size = len(seg.text.encode())
        if seg.kind in ("link", "tag"):
            out.append(Facet(offset, offset + size, seg.kind, seg.value))
        elif seg.kind == "body":
            out.extend(_body_facets(seg.text, offset))
        offset += size
    return tuple(out)


def _body_facets(text: str, offset: int) -> list[Facet]:
    found: list[Facet] = []
    for match in LINK_RE.finditer(text):  # Bluesky's app links bare domains too
        start = offset + len(text[: match.start()].encode())
        uri = match.group() if "://" in match.group() else "https://" + match.group()
        found.append(Facet(start, start + len(match.group().encode()), "link", uri))
    for match in _FACET_TAG_RE.finditer(text):
        start = offset + len(text[: match.start()].encode())
        found.append(Facet(start, start + len(match.group().encode()), "tag", match.group(1)))
    return sorted(found, key=lambda f: f.byte_start)


def _shorten(
    rules: Rules,
    body: str,
    link: str | None,
    title: str | None,
    tags: tuple[str, ...],
    cap: int,
) -> _Rendered | None:
    """The longest cut of `body` that fits with the tail, None when no text at all fits."""

    def fits(end: int) -> bool:
        prefix = body[:end].rstrip()
        return rules.count(_render(rules, prefix, True, link, title, tags).text) <= cap

    words = _word_ends(body)
    by_word = _longest(words, fits)
    # The next word did not fit: a cut between characters can only end before its end.
    stop = next((end for end in words if end > by_word), len(body))
    by_char = _longest(_char_ends(body, by_word, stop), fits) or by_word
    # A word cut is nicer; a text without spaces (CJK, one long word) is cut between characters.
    best = body[: by_word if by_word * 2 >= by_char else by_char].rstrip()
    if not best:
        return None
    return _render(rules, best, True, link, title, tags)


def _longest(ends: list[int], fits: Any) -> int:
    """The largest of the growing `ends` that `fits`, 0 when none does.

    Galloping, then a binary search: the cost follows the length kept (short on X), not the
    length of the text.
    """
    lo, step = 0, 1  # `lo` ends fit; ends[step - 1] is the next one tried
    while step <= len(ends) and fits(ends[step - 1]):
        lo, step = step, step * 2
    hi = min(step - 1, len(ends))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(ends[mid - 1]):
            lo = mid
        else:
            hi = mid - 1
    return ends[lo - 1] if lo else 0


def _word_ends(body: str) -> list[int]:
    """Where each word of `body` ends."""
    return [m.end() for m in _WORD_RE.finditer(body)]


def _char_ends(body: str, start: int, stop: int) -> list[int]:
    """Where each grapheme of `body[start:stop]` ends, except inside a URL."""
    urls = [m.span() for m in URL_RE.finditer(body) if m.end() > start and m.start() < stop]
    out: list[int] = []
    pos, u = start, 0
    for cluster in graphemes(body[start:stop]):
        pos += len(cluster)
        while u < len(urls) and urls[u][1] <= pos:
            u += 1
        if u < len(urls) and urls[u][0] < pos < urls[u][1]:
            continue
        out.append(pos)
    return out


def _fitted(rules: Rules, rendered: _Rendered, cap: int, shortened: bool) -> Fitted:
    return Fitted(
        rules.name,
        text=rendered.text,
        format=rules.format,
        length=rules.count(rendered.text),
        limit=cap,
        shortened=shortened,
        facets=rendered.facets,
    )
