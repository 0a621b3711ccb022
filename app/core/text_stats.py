"""Reading Markdown as text a reader sees, and counting it: words, sentences, syllables. Pure.

Used by the SEO analysis (`app.core.seo`). Everything is a heuristic that is good enough to
rank drafts against each other, and deterministic, so the same article always gets the same
numbers: the syllable count is the usual vowel-group rule with silent endings removed, and a
sentence ends at `.`, `!` or `?`, at the end of a paragraph, a heading or a list item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>\n]+>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_BARE_URL = re.compile(r"(?<![(<\w])https?://[^\s)<>\]]+")
_INLINE_CODE = re.compile(r"`([^`\n]*)`")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|~~)(?=\S)|(?<=\S)(\*{1,3}|_{1,3}|~~)")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_VOWEL_GROUP = re.compile(r"[aeiouy]{1,2}")
_SILENT_ENDING = re.compile(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$")
_BANDS = (
    (90, "very easy"),
    (80, "easy"),
    (70, "fairly easy"),
    (60, "standard"),
    (50, "fairly difficult"),
    (30, "difficult"),
)


def strip_code(markdown: str) -> str:
    """`markdown` without fenced code blocks (their lines are not prose nor headings)."""
    return _FENCE.sub("", markdown.replace("\r\n", "\n"))


def headings(markdown: str) -> list[tuple[int, str]]:
    """ATX headings outside code blocks: `(level, text)` in order."""
    found = []
    for line in strip_code(markdown).splitlines():
        match = _HEADING.match(line)
        if match:
            found.append((len(match.group(1)), inline_text(match.group(2))))
    return found


def links(markdown: str) -> list[str]:
    """Link targets: `[text](url)`, `<https://…>` and bare `https://…` (images do not count)."""
    text = _IMAGE.sub("", _INLINE_CODE.sub("", strip_code(markdown)))
    found = [m.group(2) for m in _LINK.finditer(text)]
    text = _LINK.sub("", text)
    found += _AUTOLINK.findall(text)
    found += _BARE_URL.findall(_AUTOLINK.sub("", text))
    return found


def inline_text(text: str) -> str:
    """One line of Markdown as plain text: link texts kept, URLs, images and marks dropped."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub("", text)
    text = _INLINE_CODE.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    return _EMPHASIS.sub("", text).strip()


def text_units(markdown: str) -> list[str]:
    """Paragraphs, headings and list items as plain text, one string each, in order.

    Lines of one paragraph are joined (hard-wrapped Markdown is one paragraph); a heading or a
    list item is a unit of its own, since it ends a sentence whether or not it has a full stop.
    """
    units: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            units.append(" ".join(current))
            current.clear()

    for raw in strip_code(markdown).splitlines():
        if not raw.strip():
            close()
            continue
        heading = _HEADING.match(raw)
        if heading or _LIST_ITEM.match(raw):
            close()
            line = heading.group(2) if heading else _LIST_ITEM.sub("", raw, count=1)
            if text := inline_text(line):
                units.append(text)
            continue
        if text := inline_text(_QUOTE.sub("", raw)):
            current.append(text)
    close()
    return units


def first_paragraph(markdown: str) -> str:
    """The first paragraph of prose (not a heading, list or code), as plain text."""
    for block in re.split(r"\n\s*\n", strip_code(markdown).strip()):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        if not lines or _HEADING.match(lines[0]) or _LIST_ITEM.match(lines[0]):
            continue
        text = " ".join(inline_text(_QUOTE.sub("", ln)) for ln in lines).strip()
        if words(text):
            return text
    return ""


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentence_count(unit: str) -> int:
    """Sentences in one unit of text: at least one if it has a word."""
    if not words(unit):
        return 0
    pieces = [p for p in _SENTENCE_END.split(unit) if words(p)]
    return max(1, len(pieces))


def syllables(word: str) -> int:
    """Syllables of an English word by the vowel-group rule (digits and short words: 1)."""
    letters = re.sub(r"[^a-z]", "", word.lower())
    if len(letters) <= 3:
        return 1
    letters = _SILENT_ENDING.sub("", letters)
    letters = letters.removeprefix("y")
    return max(1, len(_VOWEL_GROUP.findall(letters)))


@dataclass(frozen=True)
class Readability:
    """Flesch reading ease: 206.835 − 1.015·(words/sentences) − 84.6·(syllables/words)."""

    words: int
    sentences: int
    syllables: int

    @property
    def flesch(self) -> float | None:
        if not self.words or not self.sentences:
            return None
        score = (
            206.835 - 1.015 * (self.words / self.sentences) - 84.6 * (self.syllables / self.words)
        )
        return round(score, 1)

    @property
    def label(self) -> str:
        score = self.flesch
        if score is None:
            return "no text"
        return next((name for floor, name in _BANDS if score >= floor), "very difficult")


def readability(units: list[str]) -> Readability:
    all_words = [w for unit in units for w in words(unit)]
    return Readability(
        words=len(all_words),
        sentences=sum(sentence_count(unit) for unit in units),
        syllables=sum(syllables(w) for w in all_words),
    )
