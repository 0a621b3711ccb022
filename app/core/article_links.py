"""Where an article is read on the public site, and the post that shares it. Pure.

`article_url(site_url, slug)` is `{site_url}/articles/{slug}`; a site whose articles live
elsewhere gives the whole pattern instead, with `{slug}` where the slug goes
(`https://blog.example.com/posts/{slug}.html`). The site URL is `FLOWDECK_SITE_URL`
(default: the app's own base URL), read by the caller.
"""

from __future__ import annotations

from urllib.parse import quote

SLUG_MARK = "{slug}"

#: What an empty share message means, shown as the placeholder of the message field.
DEFAULT_SHARE_HINT = (
    "Empty: built from the article and fitted to each platform — its title, its link and "
    "hashtags from its tags, e.g.\nWorkflow automation for small teams\n\n"
    "https://<site>/articles/workflow-automation #automation #teams"
)


def article_url(site_url: str, slug: str) -> str:
    """The public address of the article `slug` on the site at `site_url`."""
    part = quote(slug.strip(), safe="")
    if SLUG_MARK in site_url:
        return site_url.replace(SLUG_MARK, part)
    return f"{site_url.rstrip('/')}/articles/{part}"


def share_lines(title: str, url: str | None, tags: list[str] | tuple[str, ...]) -> str:
    """A plain share text for platforms that take the message as written (Slack, Telegram,
    webhooks): the title, then the link and the hashtags."""
    tail = " ".join([*([url] if url else []), *(f"#{t}" for t in hashtags(tags))])
    return f"{title}\n\n{tail}".strip() if tail else title


def hashtags(tags: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Tags as hashtag words: letters, digits and `_` only, the rest dropped ("open source" →
    "opensource"); empty ones and repeats (any case) left out."""
    out: list[str] = []
    for tag in tags:
        word = "".join(ch for ch in str(tag) if ch.isalnum() or ch == "_")
        if word and word.lower() not in {w.lower() for w in out}:
            out.append(word)
    return tuple(out)
