"""Deterministic SEO analysis of an article, and the fixes that are safe to apply. Pure.

`analyze` checks what search engines and readers notice first: title length (50–60
characters), meta description length (120–160), Flesch reading ease, heading structure (one
H1, no skipped levels, subheadings in long texts), density of each keyword (0.5–2.5 % of the
words) and whether it is in the title and description, links and length. Each check earns a
fraction of its weight; the score is the share of the weights earned, 0–100. Every shortfall
becomes one concrete suggestion that says what to change and by how much.

`safe_fixes` only proposes what cannot change the meaning of the text: a slug made from the
title when the slug is missing or unsafe, and a meta description trimmed at a word boundary
(or written from the first paragraph when there is none).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.articles import slugify
from app.core.text_stats import (
    first_paragraph,
    headings,
    links,
    readability,
    text_units,
    words,
)

TITLE_RANGE = (50, 60)
META_RANGE = (120, 160)
DENSITY_RANGE = (0.5, 2.5)  # percent of the words
EASY_READING = 60.0  # Flesch score from which a text reads as plain English
HARD_READING = 30.0
LONG_TEXT_WORDS = 300
MAX_SLUG = 80
WEIGHTS = {
    "title": 15,
    "meta_description": 15,
    "readability": 20,
    "headings": 15,
    "keywords": 20,
    "links": 10,
    "length": 5,
}
_SAFE_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class _Check:
    points: float  # 0..1 of the check's weight
    detail: str
    suggestions: list[str] = field(default_factory=list)


def _length_check(what: str, length: int, ideal: tuple[int, int], why: str) -> _Check:
    low, high = ideal
    detail = f"{length} characters (ideal {low}–{high})"
    if low <= length <= high:
        return _Check(1.0, detail)
    if length == 0:
        return _Check(0.0, detail, [f"Add a {what} of {low}–{high} characters"])
    if length < low:
        points = 0.5 if length >= low * 0.6 else 0.0
        tip = f"Lengthen the {what} to {low}–{high} characters (it has {length})"
        return _Check(points, detail, [tip])
    points = 0.5 if length <= high * 1.2 else 0.0
    return _Check(
        points, detail, [f"Shorten the {what} to {low}–{high} characters (it has {length}): {why}"]
    )


def _readability_check(units: list[str]) -> tuple[_Check, dict[str, Any]]:
    stats = readability(units)
    score = stats.flesch
    info = {
        "flesch_reading_ease": score,
        "label": stats.label,
        "words": stats.words,
        "sentences": stats.sentences,
        "syllables": stats.syllables,
    }
    if score is None:
        return _Check(0.0, "no text", ["Write the body: there is no text to read"]), info
    detail = f"Flesch reading ease {score:g} ({stats.label})"
    if score >= EASY_READING:
        return _Check(1.0, detail), info
    points = max(0.0, (score - HARD_READING) / (EASY_READING - HARD_READING))
    per_sentence = stats.words / max(stats.sentences, 1)
    tip = (
        f"Make the text easier to read (Flesch {score:g}; aim for {EASY_READING:g}+): "
        f"shorter sentences (now {per_sentence:.0f} words each) and shorter words"
    )
    return _Check(round(points, 3), detail, [tip]), info


def _heading_check(found: list[tuple[int, str]], word_count: int) -> _Check:
    tips: list[str] = []
    h1 = [text for level, text in found if level == 1]
    if not h1:
        tips.append("Start the body with one H1 heading (`# …`)")
    elif len(h1) > 1:
        tips.append(f"Use one H1 heading, not {len(h1)}: make the others H2 (`## …`)")
    elif found[0][0] != 1:
        tips.append(f"Put the H1 “{h1[0]}” before the other headings")
    previous = 0
    for level, text in found:
        if previous and level > previous + 1:
            tips.append(f"Heading “{text}” jumps from H{previous} to H{level}: use H{previous + 1}")
        previous = level
    if word_count >= LONG_TEXT_WORDS and not any(level == 2 for level, _ in found):
        tips.append(f"Break the {word_count} words up with subheadings (`## …`)")
    outline = " > ".join(f"H{level}" for level, _ in found) or "no headings"
    return _Check(max(0.0, 1.0 - 0.34 * len(tips)), outline, tips)


def _phrase_count(tokens: list[str], phrase: list[str]) -> int:
    size = len(phrase)
    if not size:
        return 0
    return sum(1 for i in range(len(tokens) - size + 1) if tokens[i : i + size] == phrase)


def keyword_stats(
    keyword: str, tokens: list[str], title: str, meta_description: str
) -> dict[str, Any]:
    """Occurrences and density (% of the words the keyword's words make up) of one keyword."""
    phrase = [w.lower() for w in words(keyword)]
    count = _phrase_count(tokens, phrase)
    density = round(100 * count * len(phrase) / len(tokens), 2) if tokens else 0.0
    title_tokens = [w.lower() for w in words(title)]
    meta_tokens = [w.lower() for w in words(meta_description)]
    return {
        "count": count,
        "density": density,
        "in_title": _phrase_count(title_tokens, phrase) > 0,
        "in_meta_description": _phrase_count(meta_tokens, phrase) > 0,
    }


def _keyword_check(stats: dict[str, dict[str, Any]]) -> _Check:
    low, high = DENSITY_RANGE
    tips: list[str] = []
    earned = 0.0
    for keyword, kw in stats.items():
        density, share = kw["density"], 0.0
        if kw["count"] == 0:
            tips.append(f"Use the keyword “{keyword}” in the text (it does not appear)")
        elif density < low:
            share = 0.5
            tips.append(
                f"Use “{keyword}” more often ({density:g} % of the words; "
                f"aim for {low:g}–{high:g} %)"
            )
        elif density > high:
            share = 0.5
            tips.append(
                f"Use “{keyword}” less often ({density:g} % of the words reads as "
                f"keyword stuffing; keep it under {high:g} %)"
            )
        else:
            share = 1.0
        if not kw["in_title"]:
            tips.append(f"Put the keyword “{keyword}” in the title")
        if not kw["in_meta_description"]:
            tips.append(f"Put the keyword “{keyword}” in the meta description")
        earned += 0.6 * share + 0.2 * kw["in_title"] + 0.2 * kw["in_meta_description"]
    detail = ", ".join(f"{k}: {v['density']:g} %" for k, v in stats.items())
    return _Check(earned / len(stats), detail, tips)


def analyze(
    *, title: str, body: str, meta_description: str = "", keywords: Sequence[str] = ()
) -> dict[str, Any]:
    """The full report: `score` (0–100), `suggestions`, and the numbers behind each check."""
    units = text_units(body)
    tokens = [w.lower() for unit in units for w in words(unit)]
    found = headings(body)
    link_targets = links(body)
    checks: dict[str, _Check] = {
        "title": _length_check(
            "title", len(title.strip()), TITLE_RANGE, "search results cut longer titles"
        ),
        "meta_description": _length_check(
            "meta description",
            len(meta_description.strip()),
            META_RANGE,
            "search results cut it after about 160",
        ),
    }
    checks["readability"], reading = _readability_check(units)
    checks["headings"] = _heading_check(found, len(tokens))
    wanted = list(dict.fromkeys(k.strip() for k in keywords if words(k)))
    keyword_report = {k: keyword_stats(k, tokens, title, meta_description) for k in wanted}
    if keyword_report:
        checks["keywords"] = _keyword_check(keyword_report)
    checks["links"] = (
        _Check(1.0, f"{len(link_targets)} link{'s' if len(link_targets) > 1 else ''}")
        if link_targets
        else _Check(0.0, "no links", ["Add at least one link to a related page or a source"])
    )
    checks["length"] = _length_words(len(tokens))
    weight = sum(WEIGHTS[name] for name in checks)
    earned = sum(WEIGHTS[name] * check.points for name, check in checks.items())
    return {
        "score": round(100 * earned / weight),
        "suggestions": [tip for check in checks.values() for tip in check.suggestions],
        "checks": {
            name: {"points": round(c.points, 3), "weight": WEIGHTS[name], "detail": c.detail}
            for name, c in checks.items()
        },
        "title_length": len(title.strip()),
        "meta_description_length": len(meta_description.strip()),
        "word_count": len(tokens),
        "readability": reading,
        "headings": [{"level": level, "text": text} for level, text in found],
        "keywords": keyword_report,
        "links": len(link_targets),
    }


def _length_words(count: int) -> _Check:
    detail = f"{count} words"
    if count >= LONG_TEXT_WORDS:
        return _Check(1.0, detail)
    points = 0.5 if count >= LONG_TEXT_WORDS / 2 else 0.0
    return _Check(points, detail, [f"Write at least {LONG_TEXT_WORDS} words (it has {count})"])


def trim_at_word(text: str, limit: int) -> str:
    """`text` (whitespace collapsed) cut to at most `limit` characters at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > 0 else text[:limit]
    return cut.rstrip(" ,;:-–—(")


def is_safe_slug(slug: str) -> bool:
    """Lowercase ASCII words joined by single dashes, at most `MAX_SLUG` characters."""
    return bool(_SAFE_SLUG.match(slug)) and len(slug) <= MAX_SLUG


def slug_from_title(title: str) -> str:
    """The title's slug, cut at a word boundary to at most `MAX_SLUG` characters."""
    slug = slugify(title)
    if len(slug) > MAX_SLUG:
        head = slug[: MAX_SLUG + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:MAX_SLUG]
    return slug.strip("-")


def safe_fixes(*, title: str, slug: str, body: str, meta_description: str) -> dict[str, str]:
    """Field → new value for the fixes that are safe to apply (empty when none are needed)."""
    fixes: dict[str, str] = {}
    if not is_safe_slug(slug):
        new_slug = slug_from_title(title)
        if new_slug and new_slug != slug:
            fixes["slug"] = new_slug
    high = META_RANGE[1]
    current = meta_description.strip()
    if len(current) > high:
        fixes["meta_description"] = trim_at_word(current, high)
    elif not current and (paragraph := first_paragraph(body)):
        fixes["meta_description"] = trim_at_word(paragraph, high)
    return fixes
