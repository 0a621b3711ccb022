"""The SEO analysis and its text statistics, as tables: no database, no network."""

from __future__ import annotations

import pytest

from app.core import seo
from app.core.text_stats import (
    Readability,
    first_paragraph,
    headings,
    links,
    readability,
    sentence_count,
    syllables,
    text_units,
)


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("the", 1), ("cat", 1), ("make", 1), ("table", 2), ("water", 2), ("syllable", 3),
        ("readability", 5), ("automation", 4), ("boxes", 1), ("flowdeck", 2), ("2024", 1),
        ("yellow", 2), ("", 1),
    ],
)  # fmt: skip
def test_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


@pytest.mark.parametrize(
    ("words", "sentences", "syllable_count", "score", "label"),
    [
        (10, 2, 12, 100.2, "very easy"),  # 206.835 - 1.015*5 - 84.6*1.2
        (100, 5, 150, 59.6, "fairly difficult"),
        (30, 1, 60, 7.2, "very difficult"),
        (0, 0, 0, None, "no text"),
    ],
)
def test_flesch_reading_ease(
    words: int, sentences: int, syllable_count: int, score: float | None, label: str
) -> None:
    stats = Readability(words, sentences, syllable_count)
    assert stats.flesch == score and stats.label == label


@pytest.mark.parametrize(
    ("markdown", "units"),
    [
        ("One line\nwrapped here.\n\nNext.", ["One line wrapped here.", "Next."]),
        ("# Title\nText", ["Title", "Text"]),
        ("- a\n- b\n1. c", ["a", "b", "c"]),
        ("> quoted *bold* `code`", ["quoted bold code"]),
        ("See [the docs](https://x.io) ![img](a.png)", ["See the docs"]),
        ("```\nnot = prose\n```\nafter", ["after"]),
    ],
)
def test_text_units(markdown: str, units: list[str]) -> None:
    assert text_units(markdown) == units


@pytest.mark.parametrize(
    ("unit", "count"),
    [("One. Two! Three?", 3), ("No stop at the end", 1), ("Version 2.5 is out.", 1), ("", 0),
     ("Wait... what?", 2)],
)  # fmt: skip
def test_sentence_count(unit: str, count: int) -> None:
    assert sentence_count(unit) == count


def test_readability_counts_words_sentences_and_syllables() -> None:
    stats = readability(["The cat sat.", "A dog ran far away"])
    assert (stats.words, stats.sentences, stats.syllables) == (8, 2, 9)


@pytest.mark.parametrize(
    ("markdown", "found"),
    [
        ("# A\n## B\n### C", [(1, "A"), (2, "B"), (3, "C")]),
        ("#NoSpace\n  ## Indented ##", [(2, "Indented")]),
        ("```\n# in code\n```\n# Out", [(1, "Out")]),
    ],
)
def test_headings(markdown: str, found: list[tuple[int, str]]) -> None:
    assert headings(markdown) == found


@pytest.mark.parametrize(
    ("markdown", "targets"),
    [
        ('[a](https://a.io) and [b](/local "t")', ["https://a.io", "/local"]),
        ("<https://auto.io> and https://bare.io/x.", ["https://auto.io", "https://bare.io/x."]),
        ("![img](https://img.io/a.png) `https://code.io`", []),
    ],
)
def test_links(markdown: str, targets: list[str]) -> None:
    assert links(markdown) == targets


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short enough", 160, "short enough"),
        ("one two three four", 12, "one two"),
        ("one two, three", 9, "one two"),
        ("Averyveryverylongword", 5, "Avery"),
        ("  spaced \n  out   words ", 100, "spaced out words"),
    ],
)
def test_trim_at_word(text: str, limit: int, expected: str) -> None:
    assert seo.trim_at_word(text, limit) == expected
    assert len(seo.trim_at_word(text, limit)) <= limit


@pytest.mark.parametrize(
    ("slug", "safe"),
    [("hello-world", True), ("Hello", False), ("a--b", False), ("-a", False), ("", False),
     ("x" * 80, True), ("x" * 81, False), ("émoji", False)],
)  # fmt: skip
def test_safe_slugs(slug: str, safe: bool) -> None:
    assert seo.is_safe_slug(slug) is safe


LONG = "A title that goes on and on about workflow automation for small and medium teams today"
SLUG = "a-title-that-goes-on-and-on-about-workflow-automation-for-small-and-medium-teams"  # 80


@pytest.mark.parametrize(
    ("slug", "meta", "body", "fixes"),
    [
        ("fine-slug", "x" * 130, "", {}),
        ("", "", "", {"slug": SLUG}),
        ("fine-slug", "word " * 40, "", {"meta_description": ("word " * 32).strip()}),
        ("fine-slug", "", "# Head\n\nFirst *real* paragraph.\n\nSecond.",
         {"meta_description": "First real paragraph."}),
        ("fine-slug", "", "# Only a heading", {}),
        ("fine-slug", "short one", "Body.", {}),  # too short is not a safe fix
    ],
)  # fmt: skip
def test_safe_fixes(slug: str, meta: str, body: str, fixes: dict[str, str]) -> None:
    assert seo.safe_fixes(title=LONG, slug=slug, body=body, meta_description=meta) == fixes


def test_slug_from_a_long_title_ends_at_a_word() -> None:
    slug = seo.slug_from_title(LONG)
    assert len(slug) <= seo.MAX_SLUG and LONG.lower().replace(" ", "-").startswith(slug)


@pytest.mark.parametrize(
    ("title", "points", "tip"),
    [
        ("x" * 55, 1.0, None),
        ("x" * 40, 0.5, "Lengthen the title to 50–60 characters (it has 40)"),
        ("x" * 10, 0.0, "Lengthen the title to 50–60 characters (it has 10)"),
        ("x" * 65, 0.5, "Shorten the title to 50–60 characters (it has 65)"),
        ("x" * 90, 0.0, "Shorten the title to 50–60 characters (it has 90)"),
    ],
)
def test_title_length(title: str, points: float, tip: str | None) -> None:
    report = seo.analyze(title=title, body="Text.")
    assert report["checks"]["title"]["points"] == points
    tips = [t for t in report["suggestions"] if "title to" in t]
    assert tips == ([] if tip is None else [tip + (": search results cut longer titles"
                                                   if "Shorten" in tip else "")])  # fmt: skip


@pytest.mark.parametrize(
    ("meta", "points", "starts"),
    [("", 0.0, "Add a meta description"), ("m" * 140, 1.0, None),
     ("m" * 100, 0.5, "Lengthen the meta description"),
     ("m" * 170, 0.5, "Shorten the meta description")],
)  # fmt: skip
def test_meta_description_length(meta: str, points: float, starts: str | None) -> None:
    report = seo.analyze(title="t", body="Text.", meta_description=meta)
    assert report["checks"]["meta_description"]["points"] == points
    tips = [t for t in report["suggestions"] if "meta description" in t]
    assert tips[0].startswith(starts) if starts else tips == []


@pytest.mark.parametrize(
    ("body", "tips"),
    [
        ("# One\n## Two\n### Three", []),
        ("## No h1", ["Start the body with one H1 heading (`# …`)"]),
        ("# A\n# B", ["Use one H1 heading, not 2: make the others H2 (`## …`)"]),
        ("## First\n# Late", ["Put the H1 “Late” before the other headings"]),
        ("# A\n### Deep", ["Heading “Deep” jumps from H1 to H3: use H2"]),
        ("# A\n" + "word " * 299, ["Break the 300 words up with subheadings (`## …`)"]),
    ],
)
def test_heading_structure(body: str, tips: list[str]) -> None:
    report = seo.analyze(title="t", body=body)
    found = [t for t in report["suggestions"] if "H1" in t or "H2" in t or "H3" in t
             or "subheadings" in t]  # fmt: skip
    assert found == tips
    assert report["checks"]["headings"]["points"] == max(0.0, round(1 - 0.34 * len(tips), 3))


@pytest.mark.parametrize(
    ("keyword", "count", "density"),
    [("flow", 2, 2.0), ("Flow", 2, 2.0), ("small teams", 1, 2.0), ("absent", 0, 0.0)],
)
def test_keyword_density(keyword: str, count: int, density: float) -> None:
    body = "Flow helps small teams. " + "word " * 95 + "flow."  # 100 words
    report = seo.analyze(title="Flow for teams", body=body, keywords=[keyword])
    stats = report["keywords"][keyword]
    assert (stats["count"], stats["density"]) == (count, density)
    assert stats["in_title"] is (keyword.lower() in ("flow",))


def test_keyword_stuffing_and_absence_become_suggestions() -> None:
    report = seo.analyze(title="Cats", body="Cats cats cats. Dogs.", keywords=["cats", "birds"])
    tips = report["suggestions"]
    assert any(t.startswith("Use “cats” less often (75 % of the words") for t in tips)
    assert "Use the keyword “birds” in the text (it does not appear)" in tips
    assert "Put the keyword “birds” in the title" in tips


def test_a_good_article_scores_high_and_a_bare_one_low() -> None:
    paragraph = ("Flowdeck helps small teams do their work. It runs each step in order. "
                 "You can see what happened and why. ") * 12  # fmt: skip
    good = seo.analyze(
        title="Workflow automation for small teams: publish and share",
        body=f"# Workflow automation\n\n{paragraph}\n\n## Why automation\n\n{paragraph} "
        "Automation saves time. Read [the guide](https://example.com).",
        meta_description="Flowdeck helps small teams with workflow automation: publish, share, "
        "monitor and optimize articles from one place, with every step recorded.",
        keywords=["automation"],
    )
    bare = seo.analyze(title="Hi", body="Antidisestablishmentarianism notwithstanding.")
    assert good["score"] >= 90 and good["suggestions"] == []
    assert bare["score"] <= 30 and len(bare["suggestions"]) >= 4
    assert set(good["checks"]) == set(seo.WEIGHTS)
    assert "keywords" not in bare["checks"]  # no keywords: not counted against the score


def test_the_same_input_gives_the_same_report() -> None:
    args = {"title": "T", "body": "# A\n\nSome text here. More text.", "keywords": ["text"]}
    assert seo.analyze(**args) == seo.analyze(**args)


def test_first_paragraph_skips_headings_lists_and_code() -> None:
    markdown = "# H\n\n- item\n\n```\ncode\n```\n\nThe [real](x) one\ncontinues."
    assert first_paragraph(markdown) == "The real one continues."
