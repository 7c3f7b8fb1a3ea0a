"""Sanitising the HTML of news posts with nh3 against an explicit allow-list.

What a post may contain: paragraphs, line breaks, headings h2–h4, bold, italics, underline,
strike-through, sub/superscript, quotations, lists, simple tables, links (http, https, mailto and
paths of this site) and photos in ``<figure>`` with a ``<figcaption>``. A protocol-relative link
(``//host/…``, or ``/\\host`` that browsers read the same way) leaves the site, so it is no path of
this site and loses its address. What never survives:
scripts, styles (``<style>`` elements and ``style`` attributes), event handlers, ``javascript:``
and ``data:`` links, frames, objects, forms, SVG and MathML, ids, and classes other than the few
the generator writes. An ``<img>`` keeps its ``src`` only when it points at one of the app's own
uploads (``/tin-tuc/anh/<32 hex digits>.<jpg|png|gif|webp>``); any other source is removed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

IMAGE_PATH = "/tin-tuc/anh/"
IMAGE_SRC = re.compile(r"/tin-tuc/anh/[0-9a-f]{32}\.(?:jpg|png|gif|webp)")

# The classes the generator writes, so that the article intake can find each part again.
POST_CLASSES = frozenset(
    {
        "kt-delegation",
        "kt-host",
        "kt-summary",
        "kt-achievements",
        "kt-difficulties",
        "kt-limitations",
        "kt-causes",
        "kt-host-requests",
        "kt-requests-intro",
        "kt-request",
        "kt-photo",
        "kt-dateline",
        "kt-lead",
        "kt-byline",
    }
)

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "figure",
        "figcaption",
        "hr",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "p": {"class"},
    "ul": {"class"},
    "figure": {"class"},
}

# Removed together with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "noscript",
        "noembed",
        "noframes",
        "template",
        "textarea",
        "select",
        "title",
        "xmp",
        "head",
    }
)

URL_SCHEMES = frozenset({"http", "https", "mailto"})


# Browsers drop tabs and line breaks anywhere in a URL and leading spaces and control characters, and
# read a backslash as a slash: "/\thost" and " \\host" lead to another host just as "//host" does.
_IGNORED_IN_URL = re.compile(r"[\t\n\r]")
_LEADING_IGNORED = "".join(chr(code) for code in range(0x21))


def is_protocol_relative(url: str) -> bool:
    """Tell whether ``url`` names another host without a scheme (``//host/…``)."""
    head = _IGNORED_IN_URL.sub("", url).lstrip(_LEADING_IGNORED)[:2].replace("\\", "/")
    return head == "//"


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep an image only from the app's uploads, links only to http(s), mailto or this site's paths,
    and only the generator's classes."""
    if tag == "a" and attribute == "href" and is_protocol_relative(value):
        return None
    if tag == "img" and attribute == "src":
        return value if IMAGE_SRC.fullmatch(value.strip()) else None
    if attribute == "class":
        kept = [name for name in value.split() if name in POST_CLASSES]
        return " ".join(kept) or None
    if attribute in ("colspan", "rowspan", "start"):
        return value if value.isdigit() and 0 < int(value) <= 100 else None
    return value


def clean_html(html: str | None) -> str:
    """Return ``html`` with everything outside the post allow-list removed."""
    if not html:
        return ""
    import nh3  # imported on use: commands and workers start without it

    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
        link_rel="noopener noreferrer",
    )
    return cleaned.strip()


class _TextCollector(HTMLParser):
    """Collects the readable text of sanitised post HTML, one block per line."""

    BLOCKS = frozenset({"p", "h2", "h3", "h4", "li", "figure", "blockquote", "tr", "table", "ul", "ol", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.list_stack: list[list[int]] = []  # per open list: [is_ordered, counter]
        self.in_figure = False
        self.figure_alt: str | None = None
        self.figure_has_caption = False

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self._flush()
        if tag in ("ul", "ol"):
            self.list_stack.append([1 if tag == "ol" else 0, 0])
        elif tag == "li":
            if self.list_stack and self.list_stack[-1][0]:
                self.list_stack[-1][1] += 1
                self.current.append(f"{self.list_stack[-1][1]}. ")
            else:
                self.current.append("- ")
        elif tag == "br":
            self._flush()
        elif tag == "figure":
            self.in_figure, self.figure_alt, self.figure_has_caption = True, None, False
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if self.in_figure:
                self.figure_alt = alt
            elif alt:
                self.current.append(f"[Ảnh: {alt}] ")
        elif tag == "figcaption":
            self._flush()
            self.figure_has_caption = True
            self.current.append("[Ảnh: ")
        elif tag in ("td", "th"):
            self.current.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption":
            self.current.append("]")
            self._flush()
        elif tag == "figure":
            if not self.figure_has_caption and self.figure_alt:
                self.current.append(f"[Ảnh: {self.figure_alt}]")
            self.in_figure = False
        elif tag in ("ul", "ol") and self.list_stack:
            self.list_stack.pop()
        if tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data)


def html_to_text(html: str) -> list[str]:
    """Return the readable lines of sanitised post HTML: one per paragraph or list item."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    collector._flush()
    return collector.lines
