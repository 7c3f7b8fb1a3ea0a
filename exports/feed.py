"""The Atom feed of published news posts, built with feedgen."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from exports.html_clean import clean_html


@dataclass(frozen=True)
class FeedEntry:
    """One published post as the feed shows it; ``content_html`` is the post's body."""

    url: str
    title: str
    published_at: datetime
    updated_at: datetime
    summary: str | None
    content_html: str
    author: str | None


def absolute_urls(html: str, site_url: str) -> str:
    """Make the site-relative links and photo sources of sanitised HTML absolute, for feed readers."""
    parts = urlsplit(site_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return re.sub(r' (src|href)="/(?!/)', lambda m: f' {m.group(1)}="{origin}/', html)


def build_atom(
    entries: Sequence[FeedEntry],
    *,
    title: str,
    subtitle: str,
    site_url: str,
    feed_url: str,
    author: str,
    updated_at: datetime,
) -> bytes:
    """Write an Atom 1.0 document listing ``entries`` in the order given (newest first)."""
    from feedgen.feed import FeedGenerator  # imported on use: commands and workers start without it

    feed = FeedGenerator()
    feed.id(site_url)
    feed.title(title)
    feed.subtitle(subtitle)
    feed.author({"name": author})
    feed.link(href=site_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.language("vi")
    feed.generator("kiemtra")
    feed.updated(max([updated_at, *(e.updated_at for e in entries)]))
    for entry in entries:
        item = feed.add_entry(order="append")
        item.id(entry.url)
        item.title(entry.title)
        item.link(href=entry.url, rel="alternate", type="text/html")
        item.published(entry.published_at)
        item.updated(max(entry.updated_at, entry.published_at))
        if entry.summary:
            item.summary(entry.summary)
        item.content(absolute_urls(clean_html(entry.content_html), site_url), type="html")
        if entry.author:
            item.author({"name": entry.author})
    return feed.atom_str(pretty=True)
