"""Splitting text into user-perceived characters (grapheme clusters), simplified. Pure.

Bluesky limits a post to 300 graphemes, so an emoji with a skin tone or a family joined by
zero-width joiners counts once. The standard library has no segmentation (UAX #29), so this
covers the cases that matter in posts: combining marks, variation selectors, emoji modifiers
and tag sequences, ZWJ sequences, regional-indicator pairs (flags) and CR LF. Text is expected
in NFC (precomposed Hangul and accents), which is what `social_text` hands in.
"""

from __future__ import annotations

import unicodedata

_ZWJ = "\u200d"


def _extends(ch: str) -> bool:
    """Whether `ch` attaches to the character before it."""
    cp = ord(ch)
    if ch == _ZWJ or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return True
    if 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:  # skin tones, emoji tags
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def graphemes(text: str) -> list[str]:
    """`text` cut into grapheme clusters, in order; joining them gives `text` back."""
    if text.isascii() and "\r\n" not in text:
        return list(text)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if (
            text[i] == "\r"
            and j < n
            and text[j] == "\n"
            or _regional(text[i])
            and j < n
            and _regional(text[j])
        ):
            j += 1
        while j < n and _extends(text[j]):
            if text[j] == _ZWJ and j + 1 < n:
                j += 2  # the joiner glues the next character on
            else:
                j += 1
        out.append(text[i:j])
        i = j
    return out


def grapheme_count(text: str) -> int:
    """How many grapheme clusters `text` has."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    return len(graphemes(text))
