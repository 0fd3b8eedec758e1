"""Show notes: Markdown in, sanitised HTML out, one version for pages and one for feeds.

Everything that reaches a reader passes an allow-list sanitiser (nh3), whatever HTML the
notes contain. Feeds get Apple's smaller set of tags, with headings turned into bold
paragraphs because podcast apps drop heading tags and would run the text together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import nh3

from podfeed import cmark

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

PAGE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
FEED_TAGS = {"a", "b", "br", "em", "i", "li", "ol", "p", "strong", "ul"}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _demote_heading(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Notes sit under the page's own "Show notes" heading, so their headings go one down."""
    token = tokens[idx]
    level = min(int(token.tag[1]) + 1, 6)
    return f"<h{level}>" if token.nesting == 1 else f"</h{level}>\n"


def _heading_as_bold(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "<p><strong>" if tokens[idx].nesting == 1 else "</strong></p>\n"


@cache
def _markdown(heading: Callable[..., str]) -> MarkdownIt:
    """markdown-it with `heading` rendering headings; loaded when first needed (see below)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"typographer": False}).enable("table")
    md.add_render_rule("heading_open", heading)
    md.add_render_rule("heading_close", heading)
    return md


# cmark (C) renders CommonMark ten times faster than markdown-it and agrees with it once
# sanitised, except on raw HTML headings (which cmark's output cannot tell from Markdown
# ones) and the link schemes markdown-it refuses; notes holding either take markdown-it.
_HTML_HEADING = re.compile(r"<\s*/?\s*h[1-6]", re.IGNORECASE)
_UNSURE_SCHEMES = ("script:", "file:", "data:")
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def _cmark_unsure(markdown: str) -> bool:
    """Whether the notes hold a raw HTML heading or a link scheme markdown-it refuses
    (plain substring tests first: one case-blind regex over every note took longer)."""
    lower = markdown.lower()
    if any(scheme in lower for scheme in _UNSURE_SCHEMES):
        return True
    return "<" in markdown and _HTML_HEADING.search(markdown) is not None


def _render(markdown: str, slow: Callable[..., str], heading: Any) -> str:
    if _cmark_unsure(markdown):
        return str(_markdown(slow).render(markdown))
    return _HEADING_TAG.sub(heading, cmark.to_html(markdown))


def _demoted_tag(match: re.Match[str]) -> str:
    return f"<{match[1]}h{min(int(match[2]) + 1, 6)}>"


def _bold_tag(match: re.Match[str]) -> str:
    return "</strong></p>" if match[1] else "<p><strong>"


@cache
def _page_cleaner() -> nh3.Cleaner:
    """The episode page's sanitiser, made once: `nh3.clean` converts its allow-lists for
    every call (0.17 s of a cold build at 10,000 episodes)."""
    return nh3.Cleaner(
        tags=PAGE_TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def notes_html(markdown: str) -> str:
    """HTML for the episode page."""
    return _page_cleaner().clean(_render(markdown, _demote_heading, _demoted_tag)).strip()


def feed_html(markdown: str, base_url: str) -> str:
    """HTML for content:encoded: Apple's tags only, links made absolute against the page."""

    def absolute(element: str, attribute: str, value: str) -> str | None:
        return urljoin(base_url, value) if attribute == "href" else value

    html = nh3.clean(
        _render(markdown, _heading_as_bold, _bold_tag),
        tags=FEED_TAGS,
        attributes={"a": {"href"}},
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=absolute,
    ).strip()
    # "]]>" would end the CDATA section early; inside HTML "&gt;" means the same.
    return html.replace("]]>", "]]&gt;")
