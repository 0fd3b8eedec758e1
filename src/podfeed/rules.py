"""The feed rule table: every check Apple, Spotify, the Podcast Index and the specs make.

One table serves `build` (error rules stop it), `check` (every rule, every problem in one
run) and the generated docs page (`python -m podfeed.rules > docs/rules.md`). Rule ids
are the numbers of section 8 of feed-standards.md ("R47" is its rule 47), so a finding
can be traced to the source that demands it.

Rules read the feed as apps do: the XML document, and the files it links to (artwork,
chapters) through `FeedDoc.fetch`, which reads the built files offline. Rules marked
`online` make real HTTP requests (`FeedDoc.http`); rules marked `history` compare with
the previously published feed (`FeedDoc.previous`).
"""

from __future__ import annotations

import difflib
import email.utils
import functools
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from lxml import etree

from podfeed.standards import (
    APPLE_CATEGORIES,
    APPLE_MEDIA_TYPES,
    FEED_HTML_TAGS,
    ISO_639_1,
    LICENSES,
    MEDIUMS,
    OBSOLETE_CATEGORIES,
    PERSON_TAXONOMY,
    SERVICE_SLUGS,
    TRANSCRIPT_TYPES,
    UNSAFE_HTML_TAGS,
)

if TYPE_CHECKING:
    from podfeed.images import ImageFacts
    from podfeed.online import Http

Severity = Literal["error", "warning"]
Kind = Literal["feed", "online", "history"]

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "psc": "http://podlove.org/simple-chapters",
}
PODCAST_NS_ALIAS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
FEED_SIZE_BUDGET = 1_000_000
ITEM_BUDGET = 300
MAX_ARTWORK_BYTES = 512 * 1024


# --- the document a rule reads ----------------------------------------------------------


HtmlTags = list[tuple[str, list[tuple[str, str | None]]]]
# What the local rules found in one item: (rule id, child indexes from the item down to
# the element at fault, message).
ItemFindings = list[tuple[str, tuple[int, ...], str]]


@dataclass
class FeedDoc:
    """A feed as bytes and parsed XML, plus ways to read what it links to."""

    data: bytes
    fetch: Callable[[str], bytes | None] = lambda url: None
    feed_url: str | None = None  # where the publisher serves it, if known
    previous: FeedDoc | None = None  # the feed as published before, for history rules
    http: Http | None = None  # set for online checks
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    root: Any = None
    parse_error: str | None = None
    # The tags of description HTML, by text, from an earlier run: texts that did not
    # change need not be scanned again. `html_scans` holds this run's, to pass on.
    known_scans: dict[str, HtmlTags] = field(default_factory=dict)
    html_scans: dict[str, HtmlTags] = field(default_factory=dict)
    # What the local rules found in each item, by the item's key, from an earlier run:
    # items that did not change are not checked again. `item_findings` holds this run's.
    known_items: dict[str, ItemFindings] = field(default_factory=dict)
    item_findings: dict[str, ItemFindings] = field(default_factory=dict)
    # Pictures' facts by a digest of their bytes, from an earlier run, and from this one.
    known_images: dict[str, ImageFacts | None] = field(default_factory=dict)
    image_facts: dict[str, ImageFacts | None] = field(default_factory=dict)
    _fetched: dict[str, bytes | None] = field(default_factory=dict)
    json_files: dict[str, Any] = field(default_factory=dict)  # linked JSON, parsed
    shared: dict[str, Any] = field(default_factory=dict)  # what several rules work out alike

    def __post_init__(self) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        try:
            self.root = etree.fromstring(self.data, parser)
        except etree.XMLSyntaxError as error:
            self.parse_error = str(error)

    @property
    def channel(self) -> Any:
        if self.root is None or self.root.tag != "rss":
            return None
        return self.root.find("channel")

    @property
    def items(self) -> list[Any]:
        channel = self.channel
        return [] if channel is None else channel.findall("item")

    def read(self, url: str) -> bytes | None:
        if url not in self._fetched:
            self._fetched[url] = self.fetch(url)
        return self._fetched[url]

    def html_tags(self, value: str) -> HtmlTags:
        """Tags and attributes of an HTML text, as a browser would tokenise them; three
        rules read each description's."""
        tags = self.html_scans.get(value)
        if tags is None:
            tags = self.known_scans.get(value)
            if tags is None:
                scan = _HtmlScan()
                scan.feed(value)
                scan.close()
                tags = scan.tags
            self.html_scans[value] = tags
        return tags


# A rule reports (element or None for the whole document, message).
Hit = tuple[Any, str]
Check = Callable[[FeedDoc], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    source: str  # Apple, Spotify, Podcast Index, RSS 2.0, Podlove, W3C, XML 1.0, Google, …
    summary: str  # what the rule demands, for the docs page
    check: Check
    kind: Kind = "feed"
    # It judges each element of the channel and of each item on its own: what it finds in
    # an item depends on nothing outside that item (no other item, no byte of the
    # document, no linked file, not the time), so an unchanged item need not be checked
    # again (run_rules). Every rule of `_each_item`, and those in _LOCAL.
    local: bool = False


RULES: list[Rule] = []

# Rules that read the whole document but judge each element alone (see Rule.local);
# test_rules checks that each finds the same with and without an earlier run's findings.
_LOCAL = frozenset(
    {12, 75, 76, 101, 102, 103, 106, 107, 108, 109, 110, 111, 112, 118, 119, 120, 121, 122}
    | {131, 132, 133, 134, 135, 136, 144, 145, 146, 174, 177, 178, 179, 180, 181, 183}
)
_ITEM_CHECKS: set[Check] = set()  # the checks made by _each_item


def rule(
    number: int, severity: Severity, source: str, summary: str, kind: Kind = "feed"
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        local = number in _LOCAL or check in _ITEM_CHECKS
        RULES.append(Rule(f"R{number}", severity, source, summary, check, kind, local))
        return check

    return register


@dataclass(frozen=True)
class Finding:
    rule: Rule
    message: str
    element: Any  # the lxml element at fault, or None


def run_rules(doc: FeedDoc, kinds: Iterable[Kind] = ("feed",)) -> list[Finding]:
    """Every finding of every rule of the given kinds, in table order. A local rule's
    come channel first, then item by item in feed order."""
    wanted = set(kinds)
    chosen = [
        each
        for each in RULES
        if each.kind in wanted
        and not (each.kind == "online" and doc.http is None)
        and not (each.kind == "history" and doc.previous is None)
    ]
    local = _local_hits(doc, [each for each in chosen if each.local])
    findings: list[Finding] = []
    for each in chosen:
        hits = local[each.id] if each.local else each.check(doc)
        findings += [Finding(each, message, el) for el, message in hits]
    return findings


def _local_hits(doc: FeedDoc, rules: list[Rule]) -> dict[str, list[Hit]]:
    """The local rules' hits: on the channel and the items `doc.known_items` does not
    know, by running them; on the others, from what they found before."""
    channel = doc.channel
    if channel is None:
        return {each.id: list(each.check(doc)) for each in rules}
    items = doc.items
    context = hashlib.blake2b(digest_size=16)  # the channel around the items
    for child in channel:
        if child.tag != "item":
            context.update(etree.tostring(child))
    keys = [_item_key(context.copy(), item) for item in items]
    known = {id(item) for item, key in zip(items, keys, strict=True) if key in doc.known_items}
    # Known items are taken out of the channel while the rules run, then put back.
    taken = [(position, child) for position, child in enumerate(channel) if id(child) in known]
    for _, item in taken:
        channel.remove(item)
    try:
        fresh = [(each.id, list(each.check(doc))) for each in rules]
    finally:
        for position, item in taken:
            channel.insert(position, item)
    index = {id(item): number for number, item in enumerate(items)}
    hits: dict[str, list[Hit]] = {each.id: [] for each in rules}
    found: list[ItemFindings] = [[] for _ in items]
    for rule_id, rule_hits in fresh:
        for element, message in rule_hits:
            item, path = _in_item(element)
            if item is None or id(item) not in index:  # outside the (first) channel's items
                hits[rule_id].append((element, message))
            else:
                found[index[id(item)]].append((rule_id, path, message))
    for number, (item, key) in enumerate(zip(items, keys, strict=True)):
        if id(item) in known:
            found[number] = doc.known_items[key]
        doc.item_findings[key] = found[number]
        for rule_id, path, message in found[number]:
            element = item
            for step in path:
                element = element[step]
            hits[rule_id].append((element, message))
    return hits


def _item_key(context: Any, item: Any) -> str:
    context.update(etree.tostring(item))
    return str(context.hexdigest())


def _in_item(element: Any) -> tuple[Any, tuple[int, ...]]:
    """(the item holding `element`, child indexes from it down to `element`), or
    (None, ()) for an element outside every item."""
    path: list[int] = []
    while element is not None:
        parent = element.getparent()
        if element.tag == "item" and parent is not None and parent.tag == "channel":
            return element, tuple(reversed(path))
        if parent is not None:
            path.append(parent.index(element))
        element = parent
    return None, ()


# --- helpers ----------------------------------------------------------------------------


@functools.cache
def _q(name: str) -> str:
    prefix, _, local = name.rpartition(":")
    return f"{{{NS[prefix]}}}{local}" if prefix else local


# Children by tag, as findall/find with a plain tag, without parsing a path each call.
def _all(parent: Any, name: str) -> list[Any]:
    return [] if parent is None else list(parent.iterchildren(_q(name)))


def _one(parent: Any, name: str) -> Any:
    return None if parent is None else next(parent.iterchildren(_q(name)), None)


def _text(element: Any) -> str:
    return "" if element is None else (element.text or "")


def label(element: Any) -> str:
    """`itunes:category` for an element, as the feed writes it."""
    qname = etree.QName(element)
    for prefix, uri in NS.items():
        if qname.namespace == uri:
            return f"{prefix}:{qname.localname}"
    return str(qname.localname)


def _absolute(url: str, schemes: tuple[str, ...] = ("http", "https")) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in schemes and bool(parts.netloc)


def _https(url: str) -> bool:
    """https, or http on this computer: a local preview is not published."""
    if _absolute(url, ("https",)):
        return True
    host = urlsplit(url.strip()).hostname or ""
    return _absolute(url, ("http",)) and (
        host == "localhost" or host.startswith("127.") or host == "::1"
    )


def _extension(url: str) -> str:
    return PurePosixPath(unquote(urlsplit(url).path)).suffix.lower().lstrip(".")


def _bytes(value: str) -> int:
    return len(value.encode("utf-8"))


def _channel_rule(check: Callable[[Any], Iterable[Hit]]) -> Check:
    def run(doc: FeedDoc) -> Iterable[Hit]:
        return [] if doc.channel is None else check(doc.channel)

    return run


def _each_item(check: Callable[[Any], Iterable[Hit]]) -> Check:
    def run(doc: FeedDoc) -> Iterator[Hit]:
        for item in doc.items:
            yield from check(item)

    _ITEM_CHECKS.add(run)
    return run


def _guid(item: Any) -> str:
    return _text(_one(item, "guid")).strip()


def _enclosure_url(item: Any) -> str:
    enclosure = _one(item, "enclosure")
    return "" if enclosure is None else enclosure.get("url", "")


class _HtmlScan(HTMLParser):
    """Tags and attributes of an HTML fragment, as a browser would tokenise them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: HtmlTags = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")


def _html_bodies(doc: FeedDoc) -> Iterator[Any]:
    """Every description and content:encoded, channel and items."""
    channel = doc.channel
    if channel is None:
        return
    yield from _all(channel, "description")
    for item in doc.items:
        yield from _all(item, "description")
        yield from _all(item, "content:encoded")


def _single(parent: Any, names: Iterable[str], where: str) -> Iterator[Hit]:
    for name in names:
        found = _all(parent, name)
        if len(found) > 1:
            yield found[1], f"{name} appears {len(found)} times in the {where}; give it once."


# --- 8.1 Document and XML ---------------------------------------------------------------


@rule(1, "error", "XML 1.0", "The document parses as well-formed XML 1.0.")
def _wellformed(doc: FeedDoc) -> Iterator[Hit]:
    if doc.parse_error:
        yield None, f"is not well-formed XML, so no app can read it ({doc.parse_error})."


@rule(2, "error", "Apple", "The feed is encoded as UTF-8 and says so.")
def _utf8(doc: FeedDoc) -> Iterator[Hit]:
    declaration = re.match(rb"<\?xml[^>]*encoding=[\"']([^\"']+)", doc.data.lstrip(b"\xef\xbb\xbf"))
    if declaration and declaration.group(1).decode("ascii", "replace").upper() != "UTF-8":
        yield None, f"declares encoding {declaration.group(1).decode()}; Apple requires UTF-8."
    try:
        doc.data.decode("utf-8")
    except UnicodeDecodeError as error:
        yield None, f"is not valid UTF-8 (byte {error.start}); save it as UTF-8."


@rule(3, "error", "RSS 2.0", 'The root element is <rss version="2.0">.')
def _root(doc: FeedDoc) -> Iterator[Hit]:
    if doc.root is not None and (doc.root.tag != "rss" or doc.root.get("version") != "2.0"):
        yield doc.root, 'the document must be an RSS 2.0 feed: <rss version="2.0">.'


@rule(4, "error", "RSS 2.0", "The root has exactly one <channel>.")
def _one_channel(doc: FeedDoc) -> Iterator[Hit]:
    if doc.root is not None and doc.root.tag == "rss":
        count = len(doc.root.findall("channel"))
        if count != 1:
            yield doc.root, f"has {count} <channel> elements; an RSS feed has exactly one."


def _first_by_prefix(doc: FeedDoc) -> dict[tuple[str | None, str], Any]:
    """The first element of each (prefix, namespace) pair, in document order: one walk of
    the document for the five namespace rules."""
    if "prefixes" not in doc.shared:
        found: dict[tuple[str | None, str], Any] = {}
        for element in doc.root.iter(etree.Element):
            tag = element.tag
            found.setdefault(
                (element.prefix, tag[1 : tag.find("}")] if tag[0] == "{" else ""), element
            )
        doc.shared["prefixes"] = found
    found = doc.shared["prefixes"]
    return found


def _namespace_rule(prefix: str, allowed: tuple[str, ...]) -> Check:
    def check(doc: FeedDoc) -> Iterator[Hit]:
        if doc.root is None:
            return
        for (bound, namespace), element in _first_by_prefix(doc).items():
            if bound == prefix and namespace not in allowed:
                yield (
                    element,
                    (
                        f"the {prefix}: prefix is bound to {etree.QName(element).namespace}; "
                        f"it must be exactly {allowed[0]}, or apps ignore these tags."
                    ),
                )
                return

    return check


rule(
    5,
    "error",
    "Apple",
    "The itunes: prefix is bound to http://www.itunes.com/dtds/podcast-1.0.dtd.",
)(_namespace_rule("itunes", (NS["itunes"],)))
rule(6, "error", "Podcast Index", "The podcast: prefix is bound to the Podcast Index namespace.")(
    _namespace_rule("podcast", (NS["podcast"], PODCAST_NS_ALIAS))
)
rule(7, "error", "Apple", "The content: prefix is bound to the RSS content module.")(
    _namespace_rule("content", (NS["content"],))
)
rule(8, "error", "PSP-1", "The atom: prefix is bound to the Atom namespace.")(
    _namespace_rule("atom", (NS["atom"],))
)
rule(9, "error", "Podlove", "The psc: prefix is bound to http://podlove.org/simple-chapters.")(
    _namespace_rule("psc", (NS["psc"],))
)

# Raw, and escaped: searched apart, each is a fast scan of the whole feed.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_ESCAPED = re.compile(rb"&#x?0*(?:[0-8]|1[124-9]|2\d|3[01]|x[0-8bcef]|x1[0-9a-f]);", re.I)


@rule(10, "error", "XML 1.0", "No control characters XML 1.0 forbids, escaped or not.")
def _control(doc: FeedDoc) -> Iterator[Hit]:
    found = [m.start() for m in (_CONTROL.search(doc.data), _CONTROL_ESCAPED.search(doc.data)) if m]
    if found:
        line = doc.data.count(b"\n", 0, min(found)) + 1
        yield None, f"line {line} holds an invisible control character; retype that text."


@rule(11, "error", "Blubrry", "Nothing but whitespace follows </rss>.")
def _trailing(doc: FeedDoc) -> Iterator[Hit]:
    end = doc.data.rfind(b"</rss>")
    if end != -1 and doc.data[end + 6 :].strip():
        yield None, "has text after the closing </rss>; apps and Apple stop reading there."


@rule(12, "warning", "Apple", "No element text has leading or trailing whitespace.")
def _spaces(doc: FeedDoc) -> Iterator[Hit]:
    if doc.root is None:
        return
    for element in doc.root.iter(etree.Element):
        text = element.text
        if len(element) == 0 and text and text != text.strip():
            yield element, f"{label(element)} starts or ends with spaces; remove them."


@rule(13, "warning", "Google", f"The feed is at most {FEED_SIZE_BUDGET:,} bytes.")
def _size(doc: FeedDoc) -> Iterator[Hit]:
    if len(doc.data) > FEED_SIZE_BUDGET:
        yield (
            None,
            (
                f"is {len(doc.data):,} bytes; apps download it again on every check, so keep it "
                f"under {FEED_SIZE_BUDGET:,} (shorten old show notes)."
            ),
        )


# --- 8.2 Channel --------------------------------------------------------------------------


def _required_text(name: str, what: str, limit: int | None = None) -> Check:
    def check(channel: Any) -> Iterator[Hit]:
        if not _text(_one(channel, name)).strip():
            yield channel, f"{what} is missing; every podcast needs one."

    return _channel_rule(check)


def _max_chars(
    parent_of: Callable[[FeedDoc], list[Any]], name: str, limit: int, what: str
) -> Check:
    def check(doc: FeedDoc) -> Iterator[Hit]:
        for parent in parent_of(doc):
            for element in _all(parent, name):
                if len(_text(element)) > limit:
                    yield (
                        element,
                        (
                            f"{what} is {len(_text(element))} characters; "
                            f"keep it to {limit} or less."
                        ),
                    )

    return check


def _channels(doc: FeedDoc) -> list[Any]:
    return [] if doc.channel is None else [doc.channel]


def _items(doc: FeedDoc) -> list[Any]:
    return doc.items


rule(14, "error", "Apple", "The channel has a non-empty <title>.")(
    _required_text("title", "The show's title")
)
rule(15, "warning", "Apple", "The channel <title> is at most 255 characters.")(
    _max_chars(_channels, "title", 255, "The show's title")
)
rule(16, "error", "Apple", "The channel has a non-empty <description>.")(
    _required_text("description", "The show's description")
)


@rule(17, "error", "Apple", "The channel <description> is at most 4000 bytes.")
@_channel_rule
def _channel_description_bytes(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "description"):
        size = _bytes(_text(element))
        if size > 4000:
            yield element, f"The show's description is {size} bytes; Apple allows 4000."


@rule(18, "error", "RSS 2.0", "The channel has a <link> with an absolute http(s) URL.")
@_channel_rule
def _channel_link(channel: Any) -> Iterator[Hit]:
    link = _one(channel, "link")
    if link is None or not _absolute(_text(link)):
        yield (
            (link if link is not None else channel),
            ("The show's website address (<link>) must be a full address starting with https://."),
        )


rule(19, "error", "Apple", "The channel has a <language>.")(
    _required_text("language", "The show's language")
)


@rule(20, "error", "Apple", "The channel <language> is an ISO 639 code, like en or en-GB.")
@_channel_rule
def _language(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "language"):
        value = _text(element).strip()
        primary = value.split("-")[0].lower()
        well_formed = re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", value, re.I)
        if value and (not well_formed or (len(primary) == 2 and primary not in ISO_639_1)):
            yield (
                element,
                f"'{value}' is not a language code Apple knows; use one like en-GB or cy.",
            )


@rule(21, "error", "Apple", "The channel has at least one <itunes:category>.")
@_channel_rule
def _has_category(channel: Any) -> Iterator[Hit]:
    if not _all(channel, "itunes:category"):
        yield channel, "The show has no Apple Podcasts category; Apple refuses feeds without one."


@rule(22, "error", "Apple", "The channel has <itunes:explicit>.")
@_channel_rule
def _has_explicit(channel: Any) -> Iterator[Hit]:
    if _one(channel, "itunes:explicit") is None:
        yield channel, "The show does not say whether it is explicit (itunes:explicit)."


_EXPLICIT = ("true", "false")
_LEGACY_EXPLICIT = ("yes", "no", "clean", "explicit")


@rule(23, "error", "Apple", "The channel <itunes:explicit> is true or false.")
@_channel_rule
def _explicit_value(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "itunes:explicit"):
        value = _text(element).strip()
        if value not in _EXPLICIT:
            yield element, f"itunes:explicit is '{value}'; Apple now takes only true or false."


@rule(24, "error", "Apple", "The channel has <itunes:image> with an href.")
@_channel_rule
def _has_image(channel: Any) -> Iterator[Hit]:
    image = _one(channel, "itunes:image")
    if image is None or not image.get("href", "").strip():
        yield (
            (image if image is not None else channel),
            ("The show has no artwork (itunes:image href); Apple refuses feeds without it."),
        )


rule(25, "warning", "Apple", "The channel has a non-empty <itunes:author>.")(
    _required_text("itunes:author", "The show's author (itunes:author)")
)


@rule(26, "warning", "Apple", "<itunes:author> is at most 255 characters and has no HTML.")
@_channel_rule
def _author(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "itunes:author"):
        value = _text(element)
        if len(value) > 255 or _HTML_TAG.search(value):
            yield element, "The author must be plain text of at most 255 characters."


@rule(27, "warning", "Spotify", "The channel has <itunes:owner><itunes:email>.")
@_channel_rule
def _owner_email(channel: Any) -> Iterator[Hit]:
    if _one(_one(channel, "itunes:owner"), "itunes:email") is None:
        yield (
            channel,
            (
                "The owner's e-mail (itunes:owner/itunes:email) is missing; Spotify and YouTube "
                "send their ownership check to it."
            ),
        )


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@rule(28, "error", "W3C", "<itunes:owner> contains a valid <itunes:email>.")
@_channel_rule
def _owner_email_valid(channel: Any) -> Iterator[Hit]:
    for owner in _all(channel, "itunes:owner"):
        value = _text(_one(owner, "itunes:email")).strip()
        if not _EMAIL.match(value):
            where = _one(owner, "itunes:email")
            yield (
                (where if where is not None else owner),
                (
                    f"'{value}' is not an e-mail address; give the owner's e-mail."
                    if value
                    else "The owner has no e-mail address; add one."
                ),
            )


@rule(29, "warning", "W3C", "<itunes:owner><itunes:name> is at most 255 characters.")
@_channel_rule
def _owner_name(channel: Any) -> Iterator[Hit]:
    for name in _all(_one(channel, "itunes:owner"), "itunes:name"):
        if len(_text(name)) > 255:
            yield name, "The owner's name is longer than 255 characters."


def _self_links(channel: Any) -> list[Any]:
    return [link for link in _all(channel, "atom:link") if link.get("rel") == "self"]


@rule(30, "warning", "PSP-1", 'The channel has <atom:link rel="self">.')
@_channel_rule
def _has_self(channel: Any) -> Iterator[Hit]:
    if not _self_links(channel):
        yield channel, 'The feed does not say its own address (atom:link rel="self").'


@rule(31, "error", "PSP-1", "The self link is an absolute https URL of type application/rss+xml.")
@_channel_rule
def _self_valid(channel: Any) -> Iterator[Hit]:
    for link in _self_links(channel):
        if not _https(link.get("href", "")) or link.get("type") != "application/rss+xml":
            yield (
                link,
                (
                    'The feed\'s own address (atom:link rel="self") must be a full https:// '
                    'address with type="application/rss+xml".'
                ),
            )


@rule(32, "warning", "W3C", "The self link is the address the feed is published at.")
def _self_matches(doc: FeedDoc) -> Iterator[Hit]:
    if doc.channel is None or not doc.feed_url:
        return
    for link in _self_links(doc.channel):
        if link.get("href") != doc.feed_url:
            yield link, f"The feed says it lives at {link.get('href')}, not {doc.feed_url}."


rule(33, "warning", "PSP-1", "The channel has <podcast:guid>.")(
    _required_text("podcast:guid", "The show's permanent id (podcast:guid)")
)


@rule(34, "warning", "PSP-1", "The channel has <podcast:locked>.")
@_channel_rule
def _has_locked(channel: Any) -> Iterator[Hit]:
    if _one(channel, "podcast:locked") is None:
        yield channel, "podcast:locked is missing; it stops others importing the show."


@rule(35, "warning", "Apple", "<copyright>, if present, is not empty.")
@_channel_rule
def _copyright(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "copyright"):
        if not _text(element).strip():
            yield element, "The copyright notice is empty; fill it in or leave it out."


@rule(36, "error", "Apple", "<itunes:type> is episodic or serial.")
@_channel_rule
def _itunes_type(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "itunes:type"):
        if _text(element).strip() not in ("episodic", "serial"):
            yield element, f"The show type '{_text(element)}' must be episodic or serial."


def _yes_only(name: str) -> Check:
    def check(doc: FeedDoc) -> Iterator[Hit]:
        for parent in [*_channels(doc), *doc.items]:
            for element in _all(parent, name):
                if _text(element).strip().lower() != "yes":
                    yield element, f"{name} is '{_text(element)}'; only Yes has any effect."

    return check


rule(37, "error", "Apple", "<itunes:block>, if present, is Yes.")(_yes_only("itunes:block"))
rule(38, "warning", "Apple", "<itunes:complete>, if present, is Yes.")(_yes_only("itunes:complete"))


@rule(39, "error", "Apple", "<itunes:new-feed-url>, if present, is an absolute http(s) URL.")
@_channel_rule
def _new_feed_url(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "itunes:new-feed-url"):
        if not _absolute(_text(element)):
            yield element, "The new feed address must be a full address starting with https://."


@rule(40, "warning", "Apple", "<itunes:new-feed-url>, if present, uses https.")
@_channel_rule
def _new_feed_https(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "itunes:new-feed-url"):
        if _absolute(_text(element)) and not _https(_text(element)):
            yield element, "The new feed address should start with https://."


CHANNEL_SINGLES = (
    "title", "link", "description", "language", "itunes:explicit", "itunes:type",
    "itunes:author", "itunes:image", "itunes:owner", "itunes:block", "itunes:complete",
    "itunes:new-feed-url", "podcast:guid", "podcast:locked", "podcast:medium",
    "podcast:podroll", "podcast:updateFrequency", "podcast:license",
)  # fmt: skip


@rule(41, "error", "W3C", "Single-per-channel elements occur at most once.")
@_channel_rule
def _channel_singles(channel: Any) -> Iterator[Hit]:
    yield from _single(channel, CHANNEL_SINGLES, "show")


rule(42, "warning", "W3C", "<itunes:summary> is at most 4000 characters.")(
    _max_chars(lambda d: [*_channels(d), *d.items], "itunes:summary", 4000, "itunes:summary")
)


@rule(43, "warning", "W3C", "<itunes:subtitle> and <itunes:keywords> are at most 255 characters.")
def _subtitle_keywords(doc: FeedDoc) -> Iterator[Hit]:
    for parent in [*_channels(doc), *doc.items]:
        for name in ("itunes:subtitle", "itunes:keywords"):
            for element in _all(parent, name):
                if len(_text(element)) > 255:
                    yield element, f"{name} is {len(_text(element))} characters; the limit is 255."


@rule(44, "warning", "Apple", "The show title is not a list of keywords.")
@_channel_rule
def _keyword_title(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "title"):
        separators = _text(element).count(",") + _text(element).count("|")
        if separators > 3:
            yield (
                element,
                (
                    "The show's title looks like a list of keywords; "
                    "Apple removes shows that do this."
                ),
            )


@rule(45, "error", "Apple", "The feed has at least one item with an enclosure.")
@_channel_rule
def _has_episode(channel: Any) -> Iterator[Hit]:
    if not any(_one(item, "enclosure") is not None for item in _all(channel, "item")):
        yield channel, "The feed has no published episode with audio; Apple refuses empty feeds."


# --- 8.3 Categories -----------------------------------------------------------------------


def _top_categories(channel: Any) -> list[Any]:
    return _all(channel, "itunes:category")


def _suggest(value: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    exact = [c for c in choices if c.lower() == value.lower()]
    match = exact or difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
    return f" Did you mean '{match[0]}'?" if match else ""


@rule(46, "error", "W3C", "Every <itunes:category> has a text attribute.")
@_channel_rule
def _category_text(channel: Any) -> Iterator[Hit]:
    for category in channel.iter(_q("itunes:category")):
        if not category.get("text", "").strip():
            yield category, "An Apple category has no name (text attribute)."


@rule(47, "error", "Apple", "Every top-level category is one of Apple's 19 categories.")
@_channel_rule
def _category_known(channel: Any) -> Iterator[Hit]:
    for category in _top_categories(channel):
        value = category.get("text", "")
        if value and value not in APPLE_CATEGORIES and value not in OBSOLETE_CATEGORIES:
            yield (
                category,
                (
                    f"'{value}' is not an Apple Podcasts category."
                    f"{_suggest(value, APPLE_CATEGORIES)} See Apple's list in docs/rules.md."
                ),
            )


@rule(48, "error", "Apple", "Every subcategory belongs to its parent category in Apple's list.")
@_channel_rule
def _subcategory_known(channel: Any) -> Iterator[Hit]:
    for category in _top_categories(channel):
        parent = category.get("text", "")
        if parent not in APPLE_CATEGORIES:
            continue
        allowed = APPLE_CATEGORIES[parent]
        for sub in _all(category, "itunes:category"):
            value = sub.get("text", "")
            if value not in allowed and value not in OBSOLETE_CATEGORIES:
                options = ", ".join(allowed) if allowed else "none"
                yield (
                    sub,
                    (
                        f"'{value}' is not a subcategory of '{parent}'.{_suggest(value, allowed)} "
                        f"Apple's subcategories of '{parent}': {options}."
                    ),
                )


@rule(49, "error", "Apple", "Categories are nested at most one level deep.")
@_channel_rule
def _category_depth(channel: Any) -> Iterator[Hit]:
    for category in _top_categories(channel):
        for sub in _all(category, "itunes:category"):
            for too_deep in _all(sub, "itunes:category"):
                yield too_deep, "Apple categories nest only one level (category, subcategory)."


@rule(50, "error", "Apple", "No category is one of Apple's obsolete pre-2019 names.")
@_channel_rule
def _category_obsolete(channel: Any) -> Iterator[Hit]:
    for category in channel.iter(_q("itunes:category")):
        value = category.get("text", "")
        if value in OBSOLETE_CATEGORIES:
            yield (
                category,
                (
                    f"'{value}' is an old Apple category that Apple no longer accepts; "
                    "pick one from the current list (docs/rules.md)."
                ),
            )


@rule(51, "warning", "Apple", "At most two top-level categories.")
@_channel_rule
def _category_count(channel: Any) -> Iterator[Hit]:
    categories = _top_categories(channel)
    if len(categories) > 2:
        yield categories[2], f"The show has {len(categories)} categories; Apple uses two at most."


@rule(52, "warning", "podfeed", "No category/subcategory pair is repeated.")
@_channel_rule
def _category_repeat(channel: Any) -> Iterator[Hit]:
    seen: set[tuple[str, str]] = set()
    for category in _top_categories(channel):
        subs = _all(category, "itunes:category") or [None]
        for sub in subs:
            pair = (category.get("text", ""), "" if sub is None else sub.get("text", ""))
            if pair in seen:
                yield category, f"The category {' / '.join(p for p in pair if p)} is given twice."
            seen.add(pair)


# --- 8.4 Artwork --------------------------------------------------------------------------


def _image_facts(doc: FeedDoc, data: bytes) -> ImageFacts | None:
    """A picture's facts, by its bytes; from an earlier run when the bytes are the same, so
    an edit need not load the imaging library."""
    key = hashlib.blake2b(data, digest_size=16).hexdigest()
    if key not in doc.image_facts:
        if key in doc.known_images:
            doc.image_facts[key] = doc.known_images[key]
        else:
            from podfeed.images import read_image_facts

            doc.image_facts[key] = read_image_facts(data)
    return doc.image_facts[key]


def _image_checks(doc: FeedDoc, image: Any, online: bool = False) -> Iterator[tuple[int, str]]:
    """(checklist number, message) for one itunes:image; shared by channel and item art."""
    href = image.get("href", "").strip()
    if not _absolute(href):
        yield 53, f"The artwork address '{href}' must be a full address starting with https://."
        return
    if not _https(href):
        yield 54, f"The artwork address '{href}' should start with https://."
    extension = _extension(href)
    if extension not in ("jpg", "jpeg", "png"):
        yield 55, f"The artwork file must end in .jpg, .jpeg or .png, not '.{extension}'."
    name = PurePosixPath(unquote(urlsplit(href).path)).name
    if not re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9]+", name):
        yield (
            56,
            (
                f"The artwork file name '{name}' should use only letters, digits, - and _ "
                "and one dot before the extension."
            ),
        )
    data = doc.read(href)
    if data is None:
        return
    facts = _image_facts(doc, data)
    if facts is None or facts.format not in ("JPEG", "PNG"):
        kind = "not a picture" if facts is None else f"a {facts.format} picture"
        yield 58, f"The artwork is {kind}; Apple needs a JPEG or PNG."
        return
    if (facts.format == "PNG") != (extension == "png"):
        yield 58, f"The artwork is a {facts.format} but its name ends in .{extension}."
    if facts.width != facts.height:
        yield 59, f"The artwork is {facts.width}×{facts.height} pixels; it must be square."
    if not all(1400 <= side <= 3000 for side in (facts.width, facts.height)):
        yield (
            60,
            (
                f"The artwork is {facts.width}×{facts.height} pixels; Apple needs 1400×1400 to "
                "3000×3000."
            ),
        )
    if facts.mode not in ("RGB", "P") or facts.has_alpha:
        what = "has transparency" if facts.has_alpha else f"is in {facts.mode} colour"
        yield 61, f"The artwork {what}; Apple needs RGB colour without transparency."
    if len(data) > MAX_ARTWORK_BYTES:
        yield (
            62,
            (
                f"The artwork file is {len(data) // 1024} KB; "
                "Spotify and others want 512 KB or less."
            ),
        )


def _channel_image_rule(number: int) -> Check:
    def check(doc: FeedDoc) -> Iterator[Hit]:
        image = _one(doc.channel, "itunes:image")
        if image is not None:
            for found, message in _image_checks(doc, image):
                if found == number:
                    yield image, message

    return check


_IMAGE_RULES = {
    53: ("error", "W3C", "<itunes:image href> is an absolute http(s) URL."),
    54: ("warning", "Apple", "<itunes:image href> uses https."),
    # A warning: only Apple's 2013 notes require the ending; hosts such as Buzzsprout omit it.
    55: ("warning", "Apple", "The artwork URL ends in .jpg, .jpeg or .png."),
    56: ("warning", "Apple", "The artwork file name uses only letters, digits, - and _."),
    58: ("error", "Apple", "The artwork is really a JPEG or PNG, matching its extension."),
    59: ("error", "Apple", "The artwork is square."),
    60: ("error", "Apple", "The artwork is 1400–3000 pixels wide and high."),
    61: ("error", "Apple", "The artwork is RGB without an alpha channel."),
    62: ("warning", "Spotify", f"The artwork file is at most {MAX_ARTWORK_BYTES // 1024} KB."),
}
for _image_rule, (_severity, _source, _summary) in _IMAGE_RULES.items():
    rule(_image_rule, _severity, _source, _summary)(_channel_image_rule(_image_rule))  # type: ignore[arg-type]


@rule(57, "error", "Apple", "The artwork answers HTTP HEAD with 2xx.", "online")
def _image_head(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.http is not None
    for image in [_one(doc.channel, "itunes:image")] + [_one(i, "itunes:image") for i in doc.items]:
        if image is not None and _absolute(image.get("href", "")):
            problem = doc.http.head_problem(image.get("href", ""))
            if problem:
                yield image, f"The artwork {problem}; Apple needs HEAD requests to work."


@rule(63, "warning", "Apple", "Episode artwork (<itunes:image> in an item) passes rules 53–62.")
def _item_images(doc: FeedDoc) -> Iterator[Hit]:
    show_art = _one(doc.channel, "itunes:image")
    checked = {show_art.get("href")} if show_art is not None else set()
    for item in doc.items:
        for image in _all(item, "itunes:image"):
            if image.get("href") in checked:
                continue  # the show's own artwork, already checked by rules 53-62
            for number, message in _image_checks(doc, image):
                yield image, f"Episode artwork (rule R{number}): {message}"


# --- 8.5 Items: core ---------------------------------------------------------------------


@rule(64, "error", "Apple", "Every item has a non-empty <title>.")
@_each_item
def _item_title(item: Any) -> Iterator[Hit]:
    if not _text(_one(item, "title")).strip():
        yield item, "The episode has no title."


rule(65, "warning", "Apple", "The item <title> is at most 255 characters.")(
    _max_chars(_items, "title", 255, "The episode title")
)

_NUMBERED_TITLE = re.compile(r"^(ep(isode)?|#|s\d+e\d+)\s*\d+", re.I)


@rule(66, "warning", "Apple", "Item titles do not start with an episode number.")
@_each_item
def _title_number(item: Any) -> Iterator[Hit]:
    title = _one(item, "title")
    if _one(item, "itunes:episode") is not None and _NUMBERED_TITLE.match(_text(title).strip()):
        yield (
            title,
            (
                f"The title '{_text(title)}' starts with an episode number; apps show the number "
                "themselves, so leave it out of the title."
            ),
        )


@rule(67, "error", "Apple", "Every item has a non-empty <guid>.")
@_each_item
def _has_guid(item: Any) -> Iterator[Hit]:
    if not _guid(item):
        yield item, "The episode has no guid; apps need one to tell episodes apart."


@rule(68, "error", "Apple", "GUIDs are unique across items.")
def _guid_unique(doc: FeedDoc) -> Iterator[Hit]:
    seen: set[str] = set()
    for item in doc.items:
        guid = _guid(item)
        if guid and guid in seen:
            yield _one(item, "guid"), f"The guid '{guid}' is used by another episode too."
        seen.add(guid)


@rule(69, "error", "W3C", "<guid isPermaLink>, if present, is true or false.")
@_each_item
def _permalink_value(item: Any) -> Iterator[Hit]:
    guid = _one(item, "guid")
    if guid is not None and guid.get("isPermaLink") not in (None, "true", "false"):
        yield guid, f"isPermaLink is '{guid.get('isPermaLink')}'; use true or false."


@rule(70, "error", "RSS 2.0", "A permalink GUID (isPermaLink absent or true) is an absolute URL.")
@_each_item
def _permalink_url(item: Any) -> Iterator[Hit]:
    guid = _one(item, "guid")
    permalink = guid is not None and guid.get("isPermaLink", "true") == "true"
    if permalink and _guid(item) and not _absolute(_guid(item)):
        yield (
            guid,
            (f"The guid '{_guid(item)}' is not a web address, so it needs isPermaLink=\"false\"."),
        )


@rule(71, "warning", "Podcast Index", "The GUID is not the enclosure URL.")
@_each_item
def _guid_not_url(item: Any) -> Iterator[Hit]:
    if _guid(item) and _guid(item) == _enclosure_url(item):
        yield (
            _one(item, "guid"),
            (
                "The guid is the audio file's address, which changes when hosting changes; use a "
                "permanent id such as a UUID."
            ),
        )


def _published(doc: FeedDoc) -> dict[str, Any]:
    return {_guid(i): i for i in doc.items if _guid(i)}


def _same_episode(old: Any, new: Any) -> bool:
    """Same audio address or same title: how a listener would recognise the episode."""
    old_url, new_url = _enclosure_url(old), _enclosure_url(new)
    return bool(old_url and old_url == new_url) or (
        _text(_one(old, "title")).strip() == _text(_one(new, "title")).strip() != ""
    )


@rule(72, "error", "Apple", "An episode keeps the GUID it was published with.", "history")
def _guid_kept(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.previous is not None
    current = _published(doc)
    for guid, old in _published(doc.previous).items():
        if guid in current:
            continue
        for item in doc.items:
            if _same_episode(old, item) and _guid(item) not in _published(doc.previous):
                yield (
                    _one(item, "guid"),
                    (
                        f"This episode was published with guid '{guid}'; changing it makes apps "
                        "show it twice. Put the old guid back."
                    ),
                )


@rule(73, "error", "PRX", "A published GUID is never given to a different episode.", "history")
def _guid_not_reused(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.previous is not None
    previous = _published(doc.previous)
    for item in doc.items:
        old = previous.get(_guid(item))
        if old is not None and not _same_episode(old, item):
            yield (
                _one(item, "guid"),
                (
                    f"The guid '{_guid(item)}' belonged to the episode "
                    f"'{_text(_one(old, 'title'))}'; a new episode needs a new guid."
                ),
            )


@rule(74, "warning", "Apple", "Every item has a <pubDate>.")
@_each_item
def _has_date(item: Any) -> Iterator[Hit]:
    if _one(item, "pubDate") is None:
        yield item, "The episode has no release date (pubDate)."


_RFC2822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" \d{4} \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|GMT|UT|Z|[ECMP][SD]T)$"
)


def _dates(doc: FeedDoc) -> Iterator[tuple[Any, datetime | None]]:
    for item in doc.items:
        for element in _all(item, "pubDate"):
            value = _text(element).strip()
            parsed = None
            if _RFC2822.match(value):
                try:
                    parsed = email.utils.parsedate_to_datetime(value)
                except (TypeError, ValueError):
                    parsed = None
            yield element, parsed


@rule(75, "error", "Apple", "<pubDate> is an RFC 2822 date like 'Thu, 19 May 2022 09:00:00 +0100'.")
def _date_format(doc: FeedDoc) -> Iterator[Hit]:
    for element, parsed in _dates(doc):
        if parsed is None:
            yield (
                element,
                (
                    f"The release date '{_text(element)}' is not in the form apps read, like "
                    "'Thu, 19 May 2022 09:00:00 +0100'."
                ),
            )


@rule(76, "error", "W3C", "The <pubDate> day of the week matches the date.")
def _date_weekday(doc: FeedDoc) -> Iterator[Hit]:
    for element, parsed in _dates(doc):
        if parsed is not None and _text(element).strip()[:3] != parsed.strftime("%a"):
            yield element, f"The release date '{_text(element)}' names the wrong day of the week."


@rule(77, "warning", "W3C", "<pubDate> is after 1990 and not more than a day in the future.")
def _date_plausible(doc: FeedDoc) -> Iterator[Hit]:
    for element, parsed in _dates(doc):
        if parsed is None or parsed.tzinfo is None:
            continue
        if parsed > doc.now + timedelta(days=1) or parsed.year < 1990:
            yield (
                element,
                f"The release date '{_text(element)}' is implausible (far future or past).",
            )


@rule(78, "warning", "gPodder", "Items are ordered newest first.")
def _newest_first(doc: FeedDoc) -> Iterator[Hit]:
    dates = [(element, parsed) for element, parsed in _dates(doc) if parsed is not None]
    for (_, earlier), (element, later) in itertools.pairwise(dates):
        if later > earlier:
            yield element, "Episodes are not listed newest first."
            return


@rule(79, "warning", "Apple", "Every item has a <description> or <content:encoded>.")
@_each_item
def _has_description(item: Any) -> Iterator[Hit]:
    if not (_text(_one(item, "description")) or _text(_one(item, "content:encoded"))):
        yield item, "The episode has no description; apps show it under the title."


@rule(80, "error", "Apple", "The item <description> is at most 4000 bytes.")
@_each_item
def _item_description_bytes(item: Any) -> Iterator[Hit]:
    for element in _all(item, "description"):
        size = _bytes(_text(element))
        if size > 4000:
            yield element, f"The episode description is {size} bytes; Apple allows 4000."


@rule(81, "warning", "Apple", "Every item has <itunes:duration>.")
@_each_item
def _has_duration(item: Any) -> Iterator[Hit]:
    if _one(item, "itunes:duration") is None:
        yield item, "The episode has no duration (itunes:duration)."


_DURATION = re.compile(r"^\d+(:[0-5]\d(:[0-5]\d)?)?$")


@rule(82, "error", "Apple", "<itunes:duration> is seconds or [H:]MM:SS.")
@_each_item
def _duration_format(item: Any) -> Iterator[Hit]:
    for element in _all(item, "itunes:duration"):
        if not _DURATION.match(_text(element).strip()):
            yield element, f"The duration '{_text(element)}' is not seconds or H:MM:SS."


@rule(83, "warning", "Apple", "<itunes:duration> is a whole number of seconds.")
@_each_item
def _duration_seconds(item: Any) -> Iterator[Hit]:
    for element in _all(item, "itunes:duration"):
        value = _text(element).strip()
        if _DURATION.match(value) and not value.isdigit():
            yield element, f"The duration '{value}' should be whole seconds, as Apple recommends."


@rule(84, "warning", "podfeed", "<itunes:duration> is more than 0.")
@_each_item
def _duration_positive(item: Any) -> Iterator[Hit]:
    for element in _all(item, "itunes:duration"):
        value = _text(element).strip()
        if _DURATION.match(value) and not any(int(p) for p in value.split(":")):
            yield element, "The duration is 0; the audio file may be empty."


@rule(85, "warning", "Apple", "Item <itunes:explicit>, if present, is true or false.")
@_each_item
def _item_explicit(item: Any) -> Iterator[Hit]:
    for element in _all(item, "itunes:explicit"):
        if _text(element).strip() not in _EXPLICIT:
            yield element, f"itunes:explicit is '{_text(element)}'; use true or false."


@rule(86, "warning", "Apple", "If an episode is explicit, the show is marked explicit too.")
def _explicit_show(doc: FeedDoc) -> Iterator[Hit]:
    channel_value = _text(_one(doc.channel, "itunes:explicit")).strip().lower()
    for item in doc.items:
        value = _text(_one(item, "itunes:explicit")).strip().lower()
        if value in ("true", "yes", "explicit") and channel_value not in (
            "true",
            "yes",
            "explicit",
        ):
            yield (
                _one(item, "itunes:explicit"),
                ("This episode is explicit, so the show must be marked explicit as well."),
            )


@rule(87, "warning", "RSS 2.0", "Item <link>, if present, is an absolute http(s) URL.")
@_each_item
def _item_link(item: Any) -> Iterator[Hit]:
    for element in _all(item, "link"):
        if not _absolute(_text(element)):
            yield element, f"The episode's web address '{_text(element)}' is not a full address."


ITEM_SINGLES = (
    "title", "guid", "pubDate", "description", "enclosure", "itunes:duration", "itunes:episode",
    "itunes:season", "itunes:episodeType", "itunes:explicit", "itunes:image", "itunes:block",
    "podcast:chapters", "podcast:season", "podcast:episode", "podcast:license", "psc:chapters",
)  # fmt: skip


@rule(88, "error", "W3C", "Single-per-item elements occur at most once per item.")
@_each_item
def _item_singles(item: Any) -> Iterator[Hit]:
    yield from _single(item, ITEM_SINGLES, "episode")


# --- 8.6 Numbering --------------------------------------------------------------------------


def _positive_int(name: str, what: str) -> Check:
    def check(item: Any) -> Iterator[Hit]:
        for element in _all(item, name):
            if not re.fullmatch(r"[1-9]\d*", _text(element).strip()):
                yield element, f"The {what} '{_text(element)}' must be a whole number, 1 or more."

    return _each_item(check)


rule(89, "error", "Apple", "<itunes:episode> is a positive integer.")(
    _positive_int("itunes:episode", "episode number")
)
rule(90, "error", "Apple", "<itunes:season> is a positive integer.")(
    _positive_int("itunes:season", "season number")
)


@rule(91, "error", "Apple", "<itunes:episodeType> is full, trailer or bonus.")
@_each_item
def _episode_type(item: Any) -> Iterator[Hit]:
    for element in _all(item, "itunes:episodeType"):
        if _text(element).strip() not in ("full", "trailer", "bonus"):
            yield element, f"The episode type '{_text(element)}' must be full, trailer or bonus."


@rule(92, "error", "Apple", "In a serial show every item has <itunes:episode>.")
def _serial_numbers(doc: FeedDoc) -> Iterator[Hit]:
    if _text(_one(doc.channel, "itunes:type")).strip() != "serial":
        return
    for item in doc.items:
        if _one(item, "itunes:episode") is None:
            yield item, "The show is serial, so every episode needs an episode number."


def _numbering(item: Any) -> tuple[str, str, str]:
    return (
        _text(_one(item, "itunes:episodeType")).strip() or "full",
        _text(_one(item, "itunes:season")).strip(),
        _text(_one(item, "itunes:episode")).strip(),
    )


@rule(93, "warning", "Apple", "No two full episodes share a season and episode number.")
def _numbers_unique(doc: FeedDoc) -> Iterator[Hit]:
    seen: set[tuple[str, str]] = set()
    for item in doc.items:
        kind, season, number = _numbering(item)
        if kind == "full" and number:
            if (season, number) in seen:
                yield (
                    _one(item, "itunes:episode"),
                    (
                        f"Another full episode also has number {number}"
                        + (f" in season {season}" if season else "")
                        + "."
                    ),
                )
            seen.add((season, number))


@rule(94, "warning", "Apple", "An episode trailer has a different GUID from its full episode.")
def _trailer_guid(doc: FeedDoc) -> Iterator[Hit]:
    full = {_numbering(i)[1:]: _guid(i) for i in doc.items if _numbering(i)[0] == "full"}
    for item in doc.items:
        kind, season, number = _numbering(item)
        if kind == "trailer" and number and full.get((season, number)) == _guid(item):
            yield _one(item, "guid"), "The trailer has the same guid as its full episode."


@rule(95, "error", "Podcast Index", "<podcast:season> is an integer.")
@_each_item
def _podcast_season(item: Any) -> Iterator[Hit]:
    for element in _all(item, "podcast:season"):
        if not re.fullmatch(r"\d+", _text(element).strip()):
            yield element, f"podcast:season '{_text(element)}' must be a whole number."


@rule(96, "warning", "Podcast Index", "<podcast:season name> is at most 128 characters.")
@_each_item
def _season_name(item: Any) -> Iterator[Hit]:
    for element in _all(item, "podcast:season"):
        if len(element.get("name", "")) > 128:
            yield element, "The season name is longer than 128 characters."


@rule(97, "error", "Podcast Index", "<podcast:episode> is a decimal number.")
@_each_item
def _podcast_episode(item: Any) -> Iterator[Hit]:
    for element in _all(item, "podcast:episode"):
        if not re.fullmatch(r"\d+(\.\d+)?", _text(element).strip()):
            yield element, f"podcast:episode '{_text(element)}' must be a number."


@rule(98, "warning", "Podcast Index", "<podcast:episode display> is at most 32 characters.")
@_each_item
def _episode_display(item: Any) -> Iterator[Hit]:
    for element in _all(item, "podcast:episode"):
        if len(element.get("display", "")) > 32:
            yield element, "The episode's display name is longer than 32 characters."


@rule(99, "warning", "podfeed", "<itunes:episode> and <podcast:episode> agree.")
@_each_item
def _episode_agree(item: Any) -> Iterator[Hit]:
    apple, index = _one(item, "itunes:episode"), _one(item, "podcast:episode")
    try:
        differ = float(_text(apple)) != float(_text(index))
    except ValueError:
        return
    if apple is not None and index is not None and differ:
        yield index, f"podcast:episode {_text(index)} differs from itunes:episode {_text(apple)}."


# --- 8.7 Enclosure ---------------------------------------------------------------------------


def _enclosures(doc: FeedDoc) -> Iterator[tuple[Any, Any]]:
    for item in doc.items:
        for enclosure in _all(item, "enclosure"):
            yield item, enclosure


@rule(100, "error", "Apple", "Every item has exactly one <enclosure>.")
@_each_item
def _one_enclosure(item: Any) -> Iterator[Hit]:
    count = len(_all(item, "enclosure"))
    if count != 1:
        yield item, f"The episode has {count} audio files (enclosures); it needs exactly one."


@rule(101, "error", "Spotify", "<enclosure> has url, length and type.")
def _enclosure_attributes(doc: FeedDoc) -> Iterator[Hit]:
    for _, enclosure in _enclosures(doc):
        missing = [a for a in ("url", "length", "type") if enclosure.get(a) is None]
        if missing:
            yield enclosure, f"The audio (enclosure) is missing {', '.join(missing)}."


@rule(102, "error", "RSS 2.0", "<enclosure url> is an absolute http(s) URL.")
def _enclosure_absolute(doc: FeedDoc) -> Iterator[Hit]:
    for _, enclosure in _enclosures(doc):
        url = enclosure.get("url", "")
        if url and not _absolute(url):
            yield enclosure, f"The audio address '{url}' is not a full http(s) address."


@rule(103, "warning", "Apple", "<enclosure url> uses https.")
def _enclosure_https(doc: FeedDoc) -> Iterator[Hit]:
    for _, enclosure in _enclosures(doc):
        url = enclosure.get("url", "")
        if _absolute(url) and not _https(url):
            yield enclosure, f"The audio address '{url}' should start with https://."


@rule(104, "warning", "Google", "Enclosure URLs use the same scheme as the feed's self link.")
def _enclosure_scheme(doc: FeedDoc) -> Iterator[Hit]:
    selves = _self_links(doc.channel) if doc.channel is not None else []
    if not selves:
        return
    scheme = urlsplit(selves[0].get("href", "")).scheme
    for _, enclosure in _enclosures(doc):
        if urlsplit(enclosure.get("url", "")).scheme != scheme:
            yield enclosure, f"The audio is not served over {scheme} like the feed; don't mix them."
            return


@rule(105, "error", "Apple", "Enclosure URLs are unique across items.")
def _enclosure_unique(doc: FeedDoc) -> Iterator[Hit]:
    seen: set[str] = set()
    for _, enclosure in _enclosures(doc):
        url = enclosure.get("url", "")
        if url in seen:
            yield enclosure, f"Another episode uses the same audio file {url}; Apple ignores it."
        seen.add(url)


@rule(106, "warning", "Apple", "The enclosure URL is ASCII only (no raw spaces or accents).")
def _enclosure_ascii(doc: FeedDoc) -> Iterator[Hit]:
    for _, enclosure in _enclosures(doc):
        url = enclosure.get("url", "")
        if not url.isascii() or " " in url:
            yield enclosure, f"The audio address '{url}' has spaces or non-ASCII characters."


@rule(107, "error", "RSS 2.0", "<enclosure length> is a whole number of bytes.")
def _length_integer(doc: FeedDoc) -> Iterator[Hit]:
    for _, enclosure in _enclosures(doc):
        if enclosure.get("length") is not None and not enclosure.get("length", "").isdigit():
            yield (
                enclosure,
                f"The audio size '{enclosure.get('length')}' must be bytes, like 1234567.",
            )


@rule(108, "warning", "RSS 2.0", "<enclosure length> is more than 0.")
def _length_positive(doc: FeedDoc) -> Iterator[Hit]:
    for _, enclosure in _enclosures(doc):
        if enclosure.get("length", "").isdigit() and int(enclosure.get("length", "")) == 0:
            yield enclosure, "The audio size is 0; give the file's real size in bytes."


@rule(109, "warning", "podfeed", "<enclosure length> is at least 10,000 bytes.")
def _length_plausible(doc: FeedDoc) -> Iterator[Hit]:
    for _, enclosure in _enclosures(doc):
        length = enclosure.get("length", "")
        if length.isdigit() and 0 < int(length) < 10_000:
            yield enclosure, f"The audio size {length} bytes is suspiciously small for an episode."


@rule(110, "error", "W3C", "<enclosure type> is a MIME type.")
def _type_syntax(doc: FeedDoc) -> Iterator[Hit]:
    for _, enclosure in _enclosures(doc):
        value = enclosure.get("type")
        if value is not None and not re.fullmatch(r"[a-z]+/[a-z0-9.+-]+", value):
            yield enclosure, f"The audio type '{value}' is not a MIME type like audio/mpeg."


# A warning, not an error: Apple skips such episodes, but AntennaPod, Pocket Casts and the
# Podcast Index apps play Ogg, Opus and FLAC, and podfeed publishes them on purpose.
@rule(111, "warning", "Apple", "The enclosure is an MP3, M4A, MP4, M4V, MOV or PDF file.")
def _apple_formats(doc: FeedDoc) -> Iterator[Hit]:
    for _, enclosure in _enclosures(doc):
        extension = _extension(enclosure.get("url", ""))
        if extension not in APPLE_MEDIA_TYPES:
            yield (
                enclosure,
                (
                    f"Apple Podcasts does not play .{extension} files; publish the episode as MP3 "
                    "or M4A."
                ),
            )


@rule(112, "error", "Apple", "<enclosure type> agrees with the file extension.")
def _type_matches(doc: FeedDoc) -> Iterator[Hit]:
    for _, enclosure in _enclosures(doc):
        allowed = APPLE_MEDIA_TYPES.get(_extension(enclosure.get("url", "")))
        if allowed and enclosure.get("type") not in allowed:
            yield (
                enclosure,
                (
                    f"The audio type '{enclosure.get('type')}' does not match the file's "
                    f".{_extension(enclosure.get('url', ''))} extension; use {allowed[0]}."
                ),
            )


@rule(113, "error", "Apple", "The enclosure URL answers HEAD with 2xx.", "online")
def _enclosure_head(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.http is not None
    for _, enclosure in _enclosures(doc):
        problem = doc.http.head_problem(enclosure.get("url", ""))
        if problem:
            yield enclosure, f"The audio {problem}."


@rule(114, "error", "Apple", "A byte-range GET on the enclosure returns 206 with Content-Range.",
      "online")  # fmt: skip
def _enclosure_range(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.http is not None
    for _, enclosure in _enclosures(doc):
        problem = doc.http.range_problem(enclosure.get("url", ""))
        if problem:
            yield enclosure, f"The audio server {problem}; Apple refuses such hosts."


@rule(115, "warning", "RSS 2.0", "The served size equals <enclosure length>.", "online")
def _enclosure_size(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.http is not None
    for _, enclosure in _enclosures(doc):
        served = doc.http.size(enclosure.get("url", ""))
        if served is not None and str(served) != enclosure.get("length"):
            yield (
                enclosure,
                (
                    f"The server sends {served} bytes but the feed says {enclosure.get('length')}; "
                    "publish the same file you built."
                ),
            )


@rule(116, "warning", "Google", "The served Content-Type agrees with <enclosure type>.", "online")
def _enclosure_content_type(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.http is not None
    for _, enclosure in _enclosures(doc):
        served = doc.http.content_type(enclosure.get("url", ""))
        if served is not None and served != enclosure.get("type"):
            yield (
                enclosure,
                (f"The server says the audio is {served}, the feed says {enclosure.get('type')}."),
            )


@rule(117, "error", "Apple", "The enclosure needs no login (no 401/403).", "online")
def _enclosure_public(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.http is not None
    for _, enclosure in _enclosures(doc):
        status = doc.http.status(enclosure.get("url", ""))
        if status in (401, 403):
            yield enclosure, f"The audio needs a login (HTTP {status}); apps cannot fetch it."


# --- 8.8 Descriptions and HTML -------------------------------------------------------------


@rule(118, "warning", "Apple", "HTML in descriptions is in CDATA or escaped, not raw XML.")
def _html_escaped(doc: FeedDoc) -> Iterator[Hit]:
    for element in _html_bodies(doc):
        if len(element):
            yield (
                element,
                f"{label(element)} holds raw tags; wrap the HTML in <![CDATA[ ]]>.",
            )


@rule(119, "warning", "Apple", "Description HTML uses only p, br, a, ul, ol, li, b, strong, i, em.")
def _html_tags_allowed(doc: FeedDoc) -> Iterator[Hit]:
    for element in _html_bodies(doc):
        tags = sorted({tag for tag, _ in doc.html_tags(_text(element))} - FEED_HTML_TAGS)
        if tags:
            yield (
                element,
                (f"{label(element)} uses <{'>, <'.join(tags)}>, which podcast apps do not show."),
            )


@rule(120, "error", "W3C", "Description HTML has no script, iframe, object, embed, style or on*.")
def _html_safe(doc: FeedDoc) -> Iterator[Hit]:
    for element in _html_bodies(doc):
        for tag, attrs in doc.html_tags(_text(element)):
            handlers = [name for name, _ in attrs if name.startswith("on")]
            if tag in UNSAFE_HTML_TAGS or handlers:
                what = f"<{tag}>" if tag in UNSAFE_HTML_TAGS else f"{handlers[0]}="
                yield (
                    element,
                    f"{label(element)} contains {what}, which apps treat as unsafe.",
                )
                break


@rule(121, "warning", "W3C", "Links in description HTML are absolute (http, https, mailto).")
def _html_links(doc: FeedDoc) -> Iterator[Hit]:
    for element in _html_bodies(doc):
        for tag, attrs in doc.html_tags(_text(element)):
            href = dict(attrs).get("href")
            if tag == "a" and href is not None and not _absolute(href, ("http", "https", "mailto")):
                yield (
                    element,
                    f"The link '{href}' in {label(element)} is not a full address.",
                )
                break


@rule(122, "error", "W3C", "Titles, authors, summaries and person names contain no HTML.")
def _no_html(doc: FeedDoc) -> Iterator[Hit]:
    names = ("title", "itunes:title", "itunes:author", "itunes:subtitle", "itunes:summary",
             "podcast:person")  # fmt: skip
    for parent in [*_channels(doc), *doc.items]:
        for name in names:
            for element in _all(parent, name):
                if _HTML_TAG.search(_text(element)):
                    yield element, f"{name} contains HTML tags; it must be plain text."


@rule(123, "error", "XML 1.0", "No CDATA section contains ]]>.")
def _cdata(doc: FeedDoc) -> Iterator[Hit]:
    outside = re.sub(rb"<!\[CDATA\[.*?\]\]>", b"", doc.data, flags=re.S)
    if b"]]>" in outside:
        yield None, "has ']]>' inside a CDATA section, which cuts the text short."


@rule(124, "warning", "Apple", "content:encoded or description is at most 4000 bytes.")
@_each_item
def _notes_length(item: Any) -> Iterator[Hit]:
    for encoded in _all(item, "content:encoded"):
        if _bytes(_text(encoded)) > 4000 and _bytes(_text(_one(item, "description"))) > 4000:
            yield encoded, "Both the show notes and the description are over 4000 bytes."


# --- 8.9 Podcasting 2.0 --------------------------------------------------------------------

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@rule(125, "error", "Podcast Index", "<podcast:guid> is a UUID.")
@_channel_rule
def _podcast_guid_syntax(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "podcast:guid"):
        if not _UUID.match(_text(element).strip()):
            yield element, f"podcast:guid '{_text(element)}' is not a UUID."


@rule(126, "error", "Podcast Index", "<podcast:guid> is a version 5 UUID.")
@_channel_rule
def _podcast_guid_v5(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "podcast:guid"):
        value = _text(element).strip()
        if _UUID.match(value) and value[14] != "5":
            yield element, f"podcast:guid '{value}' is not a version 5 UUID."


@rule(127, "warning", "Podcast Index", "<podcast:guid> is the UUIDv5 of the feed URL (new shows).")
def _podcast_guid_seed(doc: FeedDoc) -> Iterator[Hit]:
    from podfeed.feed_podcast import podcast_guid

    selves = _self_links(doc.channel) if doc.channel is not None else []
    for element in _all(doc.channel, "podcast:guid"):
        if selves and _text(element).strip().lower() != podcast_guid(selves[0].get("href", "")):
            yield (
                element,
                (
                    "podcast:guid is not derived from this feed's address; fine if the show moved "
                    "here, otherwise use "
                    f"{podcast_guid(selves[0].get('href', ''))}."
                ),
            )


@rule(128, "error", "Podcast Index", "<podcast:guid> never changes once published.", "history")
def _podcast_guid_kept(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.previous is not None
    old = _text(_one(doc.previous.channel, "podcast:guid")).strip()
    new = _one(doc.channel, "podcast:guid")
    if old and new is not None and _text(new).strip() != old:
        yield (
            new,
            (
                f"The show was published with podcast:guid {old}; set podcast_guid: {old} in "
                "podcast.yaml so it never changes."
            ),
        )


@rule(129, "error", "Podcast Index", "<podcast:locked> is yes or no.")
@_channel_rule
def _locked_value(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "podcast:locked"):
        if _text(element).strip() not in ("yes", "no"):
            yield element, f"podcast:locked '{_text(element)}' must be yes or no."


@rule(130, "warning", "Podcast Index", "<podcast:locked owner> is an e-mail address.")
@_channel_rule
def _locked_owner(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "podcast:locked"):
        owner = element.get("owner")
        if owner is not None and not _EMAIL.match(owner):
            yield element, f"The lock owner '{owner}' is not an e-mail address."


def _podcast_items(name: str) -> Callable[[FeedDoc], Iterator[Any]]:
    def elements(doc: FeedDoc) -> Iterator[Any]:
        for item in doc.items:
            yield from _all(item, name)

    return elements


@rule(131, "error", "Podcast Index", "<podcast:transcript> has an https url and a type.")
def _transcript_attributes(doc: FeedDoc) -> Iterator[Hit]:
    for element in _podcast_items("podcast:transcript")(doc):
        if not _https(element.get("url", "")) or not element.get("type"):
            yield element, "A transcript link needs a full https:// url and a type."


@rule(132, "error", "Podcast Index", "<podcast:transcript type> is a transcript format.")
def _transcript_type(doc: FeedDoc) -> Iterator[Hit]:
    for element in _podcast_items("podcast:transcript")(doc):
        if element.get("type") and element.get("type") not in TRANSCRIPT_TYPES:
            yield (
                element,
                (
                    f"The transcript type '{element.get('type')}' is not one apps read "
                    f"({', '.join(TRANSCRIPT_TYPES)})."
                ),
            )


@rule(133, "warning", "Podcast Index", "<podcast:transcript rel>, if present, is captions.")
def _transcript_rel(doc: FeedDoc) -> Iterator[Hit]:
    for element in _podcast_items("podcast:transcript")(doc):
        if element.get("rel") not in (None, "captions"):
            yield element, f"The transcript rel '{element.get('rel')}' should be captions."


_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@rule(134, "warning", "Podcast Index", "<podcast:transcript language> is a BCP 47 tag.")
def _transcript_language(doc: FeedDoc) -> Iterator[Hit]:
    for element in _podcast_items("podcast:transcript")(doc):
        language = element.get("language")
        if language is not None and not _BCP47.match(language):
            yield element, f"The transcript language '{language}' is not a code like en-GB."


@rule(135, "error", "Podcast Index", "<podcast:chapters> has an https url and a type.")
def _chapters_attributes(doc: FeedDoc) -> Iterator[Hit]:
    for element in _podcast_items("podcast:chapters")(doc):
        if not _https(element.get("url", "")) or not element.get("type"):
            yield element, "The chapters link needs a full https:// url and a type."


@rule(136, "warning", "Podcast Index", "<podcast:chapters type> is application/json+chapters.")
def _chapters_type(doc: FeedDoc) -> Iterator[Hit]:
    for element in _podcast_items("podcast:chapters")(doc):
        if element.get("type") not in ("application/json+chapters", "application/json"):
            yield (
                element,
                f"The chapters type '{element.get('type')}' should be application/json+chapters.",
            )


class _NotJson(str):
    """Why a linked file is not JSON (apart from a JSON text, which may be a str too)."""


_UNREADABLE = object()


def _chapter_documents(doc: FeedDoc) -> Iterator[tuple[Any, Any]]:
    """(podcast:chapters element, parsed JSON or _NotJson saying why not) for readable
    files."""
    for element in _podcast_items("podcast:chapters")(doc):
        url = element.get("url", "")
        if url not in doc.json_files:  # seven rules read each file
            data = doc.read(url)
            try:
                doc.json_files[url] = _UNREADABLE if data is None else json.loads(data)
            except (ValueError, UnicodeDecodeError) as error:
                doc.json_files[url] = _NotJson(f"is not valid JSON ({error})")
        if doc.json_files[url] is not _UNREADABLE:
            yield element, doc.json_files[url]


def _chapter_entries(doc: FeedDoc) -> Iterator[tuple[Any, int, dict[str, Any]]]:
    for element, document in _chapter_documents(doc):
        if isinstance(document, dict) and isinstance(document.get("chapters"), list):
            for index, chapter in enumerate(document["chapters"]):
                if isinstance(chapter, dict):
                    yield element, index, chapter


@rule(137, "error", "Podcast Index", "The chapters JSON has a string version and a chapters array.")
def _chapters_shape(doc: FeedDoc) -> Iterator[Hit]:
    for element, document in _chapter_documents(doc):
        if isinstance(document, _NotJson):
            yield element, f"The chapters file {document}."
        elif not (
            isinstance(document, dict)
            and isinstance(document.get("version"), str)
            and isinstance(document.get("chapters"), list)
            and all(isinstance(c, dict) for c in document["chapters"])
        ):
            yield element, 'The chapters file needs a "version" text and a "chapters" list.'


def _number(value: Any) -> float | None:
    """A JSON number as a float; None for anything else (true/false are not numbers)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


@rule(138, "error", "Podcast Index", "Every chapter has a numeric startTime of 0 or more.")
def _chapter_start(doc: FeedDoc) -> Iterator[Hit]:
    for element, index, chapter in _chapter_entries(doc):
        start = _number(chapter.get("startTime"))
        if start is None or start < 0:
            yield element, f"Chapter {index + 1} needs a startTime in seconds (0 or more)."


@rule(139, "warning", "Podcast Index", "Chapter startTimes never go backwards.")
def _chapter_order(doc: FeedDoc) -> Iterator[Hit]:
    for element, document in _chapter_documents(doc):
        chapters = document.get("chapters") if isinstance(document, dict) else None
        starts = [_number(c.get("startTime")) for c in chapters or [] if isinstance(c, dict)]
        known = [s for s in starts if s is not None]
        if known != sorted(known):
            yield element, "The chapters are not in time order; sort them by startTime."


@rule(140, "warning", "Podcast Index", "A chapter's endTime is not before its startTime.")
def _chapter_end(doc: FeedDoc) -> Iterator[Hit]:
    for element, index, chapter in _chapter_entries(doc):
        start, end = _number(chapter.get("startTime")), _number(chapter.get("endTime"))
        if start is not None and end is not None and end < start:
            yield element, f"Chapter {index + 1} ends before it starts."


@rule(141, "error", "Podcast Index", "Chapter toc/waypoints are booleans; img and url are strings.")
def _chapter_types(doc: FeedDoc) -> Iterator[Hit]:
    for element, document in _chapter_documents(doc):
        waypoints = document.get("waypoints", False) if isinstance(document, dict) else False
        if not isinstance(waypoints, bool):
            yield element, "The chapters file's waypoints must be true or false."
    for element, index, chapter in _chapter_entries(doc):
        if "toc" in chapter and not isinstance(chapter["toc"], bool):
            yield element, f"Chapter {index + 1}: toc must be true or false."
        for name in ("img", "url"):
            if name in chapter and not isinstance(chapter[name], str):
                yield element, f"Chapter {index + 1}: {name} must be an address in quotes."


@rule(142, "error", "Podcast Index", "A chapter location has a name and a geo: URI.")
def _chapter_location(doc: FeedDoc) -> Iterator[Hit]:
    for element, index, chapter in _chapter_entries(doc):
        location = chapter.get("location")
        if location is None:
            continue
        if not (
            isinstance(location, dict)
            and isinstance(location.get("name"), str)
            and str(location.get("geo", "")).startswith("geo:")
        ):
            yield element, f"Chapter {index + 1}: location needs a name and a geo: position."


@rule(143, "warning", "Apple", "Chapters start at 0 and there are at least 3 of them.")
def _chapter_display(doc: FeedDoc) -> Iterator[Hit]:
    for element, document in _chapter_documents(doc):
        chapters = document.get("chapters") if isinstance(document, dict) else None
        if not isinstance(chapters, list):
            continue
        starts = [c.get("startTime") for c in chapters if isinstance(c, dict)]
        if len(starts) < 3 or starts[0] != 0:
            yield (
                element,
                (
                    "Apple and Spotify show chapters only when there are at least 3 and the first "
                    "starts at 0:00."
                ),
            )


def _persons(doc: FeedDoc) -> Iterator[Any]:
    for parent in [*_channels(doc), *doc.items]:
        yield from _all(parent, "podcast:person")


@rule(144, "error", "Podcast Index", "<podcast:person> has a name of at most 128 characters.")
def _person_name(doc: FeedDoc) -> Iterator[Hit]:
    for element in _persons(doc):
        name = _text(element).strip()
        if not name or len(name) > 128:
            yield element, "A person's name must be given and be at most 128 characters."


@rule(145, "warning", "Podcast Index", "Person role and group come from the taxonomy.")
def _person_taxonomy(doc: FeedDoc) -> Iterator[Hit]:
    for element in _persons(doc):
        role = element.get("role", "host").lower()
        group = element.get("group", "cast").lower()
        if group not in PERSON_TAXONOMY:
            yield element, f"The group '{group}' is not in the Podcast Index taxonomy."
        elif role not in PERSON_TAXONOMY[group]:
            yield element, f"The role '{role}' is not a role of the group '{group}'."


@rule(146, "warning", "Podcast Index", "Person img and href are absolute https URLs.")
def _person_links(doc: FeedDoc) -> Iterator[Hit]:
    for element in _persons(doc):
        for name in ("img", "href"):
            value = element.get(name)
            if value is not None and not _https(value):
                yield element, f"{_text(element)}'s {name} '{value}' must start with https://."


@rule(147, "warning", "Podcast Index", "Episodes that list people repeat the show's hosts.")
def _person_hosts(doc: FeedDoc) -> Iterator[Hit]:
    hosts = [p for p in _all(doc.channel, "podcast:person") if p.get("role", "host") == "host"]
    if not hosts:
        return
    for item in doc.items:
        people = _all(item, "podcast:person")
        if people and not any(p.get("role", "host").lower() == "host" for p in people):
            yield (
                people[0],
                ("This episode lists people but no host; apps then forget the show's hosts."),
            )


@rule(148, "error", "Podcast Index", "<podcast:funding> has an https url and text up to 128.")
def _funding(doc: FeedDoc) -> Iterator[Hit]:
    for parent in [*_channels(doc), *doc.items]:
        for element in _all(parent, "podcast:funding"):
            text = _text(element).strip()
            if not _https(element.get("url", "")) or not text or len(text) > 128:
                yield (
                    element,
                    (
                        "A funding link needs a full https:// url and a text of at most "
                        "128 characters."
                    ),
                )


@rule(149, "error", "Podcast Index", "<podcast:medium> is one of the namespace's media.")
@_channel_rule
def _medium(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "podcast:medium"):
        value = _text(element).strip()
        if value != "mixed" and value.removesuffix("L") not in MEDIUMS:
            yield element, f"The medium '{value}' is not one of {', '.join(MEDIUMS)}."


@rule(150, "warning", "Podcast Index", "A list medium (…L, mixed) feed has no items.")
@_channel_rule
def _list_medium(channel: Any) -> Iterator[Hit]:
    value = _text(_one(channel, "podcast:medium")).strip()
    if (value.endswith("L") or value == "mixed") and _all(channel, "item"):
        yield _one(channel, "podcast:medium"), f"A '{value}' feed lists other feeds, not episodes."


def _locations(doc: FeedDoc) -> Iterator[Any]:
    for parent in [*_channels(doc), *doc.items]:
        yield from _all(parent, "podcast:location")


def _location_rule(test: Callable[[Any], bool], message: Callable[[Any], str]) -> Check:
    def check(doc: FeedDoc) -> Iterator[Hit]:
        for element in _locations(doc):
            if not test(element):
                yield element, message(element)

    return check


rule(151, "error", "Podcast Index", "<podcast:location> text is 1–128 characters.")(
    _location_rule(
        lambda e: 0 < len(_text(e).strip()) <= 128,
        lambda e: "A location needs a name of at most 128 characters.",
    )
)
rule(152, "error", "Podcast Index", "<podcast:location rel> is subject or creator.")(
    _location_rule(
        lambda e: e.get("rel") in (None, "subject", "creator"),
        lambda e: f"The location rel '{e.get('rel')}' must be subject or creator.",
    )
)
_GEO = re.compile(r"^geo:-?\d+(\.\d+)?,-?\d+(\.\d+)?(,-?\d+(\.\d+)?)?(;.*)?$")
rule(153, "error", "Podcast Index", "<podcast:location geo> is a geo: URI.")(
    _location_rule(
        lambda e: e.get("geo") is None or bool(_GEO.match(e.get("geo"))),
        lambda e: f"The location geo '{e.get('geo')}' is not like geo:51.5,-0.12.",
    )
)
rule(154, "error", "Podcast Index", "<podcast:location osm> is like R113314.")(
    _location_rule(
        lambda e: e.get("osm") is None or bool(re.fullmatch(r"[NWR]\d+(#\d+)?", e.get("osm"))),
        lambda e: f"The location osm '{e.get('osm')}' is not an OpenStreetMap id like R113314.",
    )
)
rule(155, "error", "Podcast Index", "<podcast:location country> is a two-letter country code.")(
    _location_rule(
        lambda e: e.get("country") is None or bool(re.fullmatch(r"[A-Z]{2}", e.get("country"))),
        lambda e: f"The location country '{e.get('country')}' must be two capitals like GB.",
    )
)


def _licenses(doc: FeedDoc) -> Iterator[Any]:
    for parent in [*_channels(doc), *doc.items]:
        yield from _all(parent, "podcast:license")


@rule(156, "error", "Podcast Index", "<podcast:license> text is 1–128 characters.")
def _license_text(doc: FeedDoc) -> Iterator[Hit]:
    for element in _licenses(doc):
        if not 0 < len(_text(element).strip()) <= 128:
            yield element, "The licence needs a name of at most 128 characters."


@rule(157, "error", "Podcast Index", "A licence not in the namespace's list has an https url.")
def _license_url(doc: FeedDoc) -> Iterator[Hit]:
    for element in _licenses(doc):
        if _text(element).strip().lower() not in LICENSES and not _https(element.get("url", "")):
            yield (
                element,
                (
                    f"'{_text(element)}' is not a licence the Podcast Index knows; give its "
                    "address (license_url) too."
                ),
            )


def _alternates(doc: FeedDoc) -> Iterator[Any]:
    for item in doc.items:
        yield from _all(item, "podcast:alternateEnclosure")


@rule(158, "error", "Podcast Index", "<podcast:alternateEnclosure> has a type and a source uri.")
def _alternate_source(doc: FeedDoc) -> Iterator[Hit]:
    for element in _alternates(doc):
        sources = [s for s in _all(element, "podcast:source") if s.get("uri", "").strip()]
        if not element.get("type") or not sources:
            yield element, "An alternate enclosure needs a type and a podcast:source with a uri."


@rule(
    159, "warning", "Podcast Index", "Alternate enclosure length, bitrate and height are numbers."
)
def _alternate_numbers(doc: FeedDoc) -> Iterator[Hit]:
    for element in _alternates(doc):
        length, bitrate, height = (element.get(a) for a in ("length", "bitrate", "height"))
        if (
            length is None
            or not length.isdigit()
            or (bitrate is not None and not re.fullmatch(r"\d+(\.\d+)?", bitrate))
            or (height is not None and not height.isdigit())
        ):
            yield (
                element,
                "An alternate enclosure needs a length in bytes; bitrate and height are numbers.",
            )


@rule(160, "error", "Podcast Index", "At most one alternate enclosure per item is default=true.")
def _alternate_default(doc: FeedDoc) -> Iterator[Hit]:
    for item in doc.items:
        defaults = 0
        for element in _all(item, "podcast:alternateEnclosure"):
            value = element.get("default")
            if value not in (None, "true", "false"):
                yield element, f"default='{value}' must be true or false."
            defaults += value == "true"
        if defaults > 1:
            yield item, "More than one alternate enclosure is marked default."


@rule(
    161, "error", "Podcast Index", "At most one valid <podcast:integrity> per alternate enclosure."
)
def _integrity(doc: FeedDoc) -> Iterator[Hit]:
    for element in _alternates(doc):
        checks = _all(element, "podcast:integrity")
        if len(checks) > 1:
            yield element, "An alternate enclosure has more than one podcast:integrity."
        for check in checks:
            if check.get("type") not in ("sri", "pgp-signature") or not check.get("value"):
                yield check, "podcast:integrity needs type sri or pgp-signature and a value."


@rule(
    162, "warning", "Podcast Index", "Alternate enclosure title and rel are at most 32 characters."
)
def _alternate_labels(doc: FeedDoc) -> Iterator[Hit]:
    for element in _alternates(doc):
        if any(len(element.get(a, "")) > 32 for a in ("title", "rel")):
            yield element, "An alternate enclosure's title or rel is longer than 32 characters."


def _txts(doc: FeedDoc) -> Iterator[Any]:
    for parent in [*_channels(doc), *doc.items]:
        yield from _all(parent, "podcast:txt")


@rule(163, "error", "Podcast Index", "<podcast:txt> is at most 4000 characters, purpose 128.")
def _txt_length(doc: FeedDoc) -> Iterator[Hit]:
    for element in _txts(doc):
        if len(_text(element)) > 4000 or len(element.get("purpose", "")) > 128:
            yield element, "podcast:txt is too long (4000 characters, purpose 128)."


@rule(164, "error", "Podcast Index", '<podcast:txt purpose="ai-content"> is true or false.')
def _txt_ai(doc: FeedDoc) -> Iterator[Hit]:
    for element in _txts(doc):
        if element.get("purpose") == "ai-content" and _text(element).strip() not in _EXPLICIT:
            yield element, "The ai-content flag must be true or false."


@rule(165, "error", "Podcast Index", "<podcast:podroll> lists remote items with a feedGuid UUID.")
@_channel_rule
def _podroll(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "podcast:podroll"):
        remote = _all(element, "podcast:remoteItem")
        if not remote or not all(_UUID.match(r.get("feedGuid", "")) for r in remote):
            yield element, "The podroll needs remote items, each with a feedGuid UUID."


@rule(166, "warning", "Podcast Index", "<podcast:remoteItem feedUrl> is an https URL.")
def _remote_url(doc: FeedDoc) -> Iterator[Hit]:
    if doc.root is None:
        return
    for element in doc.root.iter(_q("podcast:remoteItem")):
        if element.get("feedUrl") is not None and not _https(element.get("feedUrl")):
            yield element, f"The remote feed address '{element.get('feedUrl')}' must be https."


def _frequencies(doc: FeedDoc) -> list[Any]:
    return _all(doc.channel, "podcast:updateFrequency")


@rule(
    167, "error", "Podcast Index", "<podcast:updateFrequency> text is 1–128; complete is boolean."
)
def _frequency_text(doc: FeedDoc) -> Iterator[Hit]:
    for element in _frequencies(doc):
        if not 0 < len(_text(element).strip()) <= 128 or element.get("complete") not in (
            None, "true", "false",
        ):  # fmt: skip
            yield element, "podcast:updateFrequency needs a short text; complete is true or false."


@rule(168, "error", "Podcast Index", "An rrule with COUNT has an ISO 8601 dtstart.")
def _frequency_count(doc: FeedDoc) -> Iterator[Hit]:
    for element in _frequencies(doc):
        if "COUNT=" in element.get("rrule", ""):
            try:
                datetime.fromisoformat(element.get("dtstart", ""))
            except ValueError:
                yield element, "An update rule with COUNT needs a dtstart date."


_RRULE_PARTS = {"FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY",
                "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST"}  # fmt: skip


@rule(169, "warning", "Podcast Index", "An rrule starts with FREQ= and uses RFC 5545 parts.")
def _frequency_rrule(doc: FeedDoc) -> Iterator[Hit]:
    for element in _frequencies(doc):
        rrule = element.get("rrule")
        if rrule is not None:
            parts = {p.split("=")[0] for p in rrule.split(";") if p}
            if not rrule.startswith("FREQ=") or not parts <= _RRULE_PARTS:
                yield element, f"The rrule '{rrule}' is not an RFC 5545 rule like FREQ=WEEKLY."


def _soundbites(doc: FeedDoc) -> Iterator[tuple[Any, float | None, float | None]]:
    for item in doc.items:
        for element in _all(item, "podcast:soundbite"):
            try:
                start: float | None = float(element.get("startTime", ""))
            except ValueError:
                start = None
            try:
                duration: float | None = float(element.get("duration", ""))
            except ValueError:
                duration = None
            yield element, start, duration


@rule(170, "error", "Podcast Index", "<podcast:soundbite> has startTime ≥ 0 and duration > 0.")
def _soundbite(doc: FeedDoc) -> Iterator[Hit]:
    for element, start, duration in _soundbites(doc):
        if start is None or start < 0 or duration is None or duration <= 0:
            yield element, "A soundbite needs a startTime (0 or more) and a duration in seconds."


@rule(171, "warning", "Podcast Index", "A soundbite lasts 15 to 120 seconds.")
def _soundbite_length(doc: FeedDoc) -> Iterator[Hit]:
    for element, _, duration in _soundbites(doc):
        if duration is not None and duration > 0 and not 15 <= duration <= 120:
            yield element, f"The soundbite lasts {duration:g} seconds; apps want 15 to 120."


@rule(
    172, "error", "Podcast Index", "<podcast:trailer> has a url, an RFC 2822 pubdate and a title."
)
@_channel_rule
def _trailer(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "podcast:trailer"):
        if (
            not element.get("url")
            or not _RFC2822.match(element.get("pubdate", ""))
            or not 0 < len(_text(element).strip()) <= 128
        ):
            yield (
                element,
                "A trailer needs a url, a pubdate like 'Thu, 19 May 2022 09:00:00 +0100' "
                "and a title.",
            )


@rule(173, "error", "Podcast Index", "<podcast:block> is yes or no with a known service id.")
@_channel_rule
def _block(channel: Any) -> Iterator[Hit]:
    for element in _all(channel, "podcast:block"):
        service = element.get("id")
        if _text(element).strip() not in ("yes", "no") or (
            service is not None and service not in SERVICE_SLUGS
        ):
            yield element, "podcast:block must be yes or no, with an id from the service list."


_URL_ATTRIBUTES = ("url", "href", "img", "feedUrl", "uri")


@rule(174, "error", "Podcast Index", "Every URL in a podcast: tag uses https.")
def _podcast_https(doc: FeedDoc) -> Iterator[Hit]:
    if doc.root is None:
        return
    for element in doc.root.iter(etree.Element):
        if etree.QName(element).namespace not in (NS["podcast"], PODCAST_NS_ALIAS):
            continue
        for name in _URL_ATTRIBUTES:
            value = element.get(name, "")
            if value.lower().startswith("http:") and not _https(value):
                yield element, f"{label(element)} links to '{value}'; use https://."


# --- 8.10 Podlove Simple Chapters --------------------------------------------------------------


rule(175, "error", "Podlove", "At most one <psc:chapters> per item.")(
    _each_item(lambda item: _single(item, ("psc:chapters",), "episode"))
)


@rule(176, "error", "Podlove", "<psc:chapters> has at least one <psc:chapter>.")
@_each_item
def _psc_nonempty(item: Any) -> Iterator[Hit]:
    for chapters in _all(item, "psc:chapters"):
        if not _all(chapters, "psc:chapter"):
            yield chapters, "The Podlove chapter list is empty."


def _psc_chapters(doc: FeedDoc) -> Iterator[tuple[Any, list[Any]]]:
    for item in doc.items:
        for chapters in _all(item, "psc:chapters"):
            yield chapters, _all(chapters, "psc:chapter")


@rule(177, "error", "Podlove", "Every <psc:chapter> has a start and a title.")
def _psc_required(doc: FeedDoc) -> Iterator[Hit]:
    for _, chapters in _psc_chapters(doc):
        for chapter in chapters:
            if not chapter.get("start", "").strip() or not chapter.get("title", "").strip():
                yield chapter, "A Podlove chapter needs a start time and a title."


_NPT = re.compile(r"^(\d+(\.\d+)?|(\d+:)?\d{1,2}:\d{1,2}(\.\d+)?)$")


def _npt_seconds(value: str) -> float | None:
    if not _NPT.match(value):
        return None
    seconds = 0.0
    for part in value.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


@rule(178, "error", "Podlove", "<psc:chapter start> is Normal Play Time, like 01:02:03.500.")
def _psc_start(doc: FeedDoc) -> Iterator[Hit]:
    for _, chapters in _psc_chapters(doc):
        for chapter in chapters:
            start = chapter.get("start", "")
            if start and _npt_seconds(start) is None:
                yield chapter, f"The chapter start '{start}' is not a time like 01:02:03.500."


@rule(179, "warning", "Podlove", "Podlove chapters are in time order.")
def _psc_order(doc: FeedDoc) -> Iterator[Hit]:
    for parent, chapters in _psc_chapters(doc):
        starts = [_npt_seconds(c.get("start", "")) for c in chapters]
        known = [s for s in starts if s is not None]
        if known != sorted(known):
            yield parent, "The Podlove chapters are not in time order."


@rule(180, "warning", "Podlove", "<psc:chapter href> and image are absolute URLs.")
def _psc_links(doc: FeedDoc) -> Iterator[Hit]:
    for _, chapters in _psc_chapters(doc):
        for chapter in chapters:
            for name in ("href", "image"):
                value = chapter.get(name)
                if value is not None and not _absolute(value):
                    yield chapter, f"The chapter {name} '{value}' is not a full address."


@rule(181, "warning", "Spotify", "Podlove chapters start at 0 and there are at least 3.")
def _psc_display(doc: FeedDoc) -> Iterator[Hit]:
    for parent, chapters in _psc_chapters(doc):
        first = _npt_seconds(chapters[0].get("start", "")) if chapters else None
        if len(chapters) < 3 or first != 0:
            yield (
                parent,
                "Spotify shows chapters only when there are at least 3 and the first is at 0:00.",
            )


# --- 8.11 Cross-feed and publishing -----------------------------------------------------------


@rule(182, "warning", "Google", "The feed, site, artwork and media all use https.")
def _one_scheme(doc: FeedDoc) -> Iterator[Hit]:
    channel = doc.channel
    if channel is None:
        return
    urls = [(link, link.get("href", "")) for link in _self_links(channel)]
    urls += [(link, _text(link)) for link in _all(channel, "link")]
    urls += [(image, image.get("href", "")) for image in channel.iter(_q("itunes:image"))]
    urls += [(enclosure, enclosure.get("url", "")) for _, enclosure in _enclosures(doc)]
    for element, url in urls:
        if _absolute(url) and not _https(url):
            yield (
                element,
                f"'{url}' is not https; serve the feed, site, artwork and audio over https.",
            )
            return


@rule(183, "warning", "RSS 2.0", "No URL in the feed is relative.")
def _no_relative(doc: FeedDoc) -> Iterator[Hit]:
    if doc.root is None:
        return
    for element in doc.root.iter(etree.Element):
        values = [element.get(a) for a in ("href", "url", "uri") if element.get(a) is not None]
        if etree.QName(element).localname == "link" and element.text:
            values.append(element.text)
        for value in values:
            if not urlsplit(value.strip()).scheme:
                yield element, f"'{value}' in {label(element)} is not a full address."


@rule(184, "warning", "Apple", "A moved feed's old address redirects with one 301.", "online")
def _moved(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.http is not None
    channel = doc.channel
    new = _text(_one(channel, "itunes:new-feed-url")).strip()
    selves = _self_links(channel) if channel is not None else []
    if new and selves and new != selves[0].get("href"):
        old = selves[0].get("href", "")
        problem = doc.http.redirect_problem(old, new)
        if problem:
            yield _one(channel, "itunes:new-feed-url"), f"The old feed address {old} {problem}."


@rule(185, "warning", "Podcast Index", f"A feed with over {ITEM_BUDGET} items is paged (RFC 5005).")
@_channel_rule
def _paging(channel: Any) -> Iterator[Hit]:
    items = _all(channel, "item")
    paged = any(link.get("rel") == "next" for link in _all(channel, "atom:link"))
    if len(items) > ITEM_BUDGET and not paged:
        yield channel, f"The feed has {len(items)} episodes; some apps stop at {ITEM_BUDGET}."


@rule(186, "warning", "podfeed", "The feed has ETag or Last-Modified and answers 304.", "online")
def _conditional(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.http is not None
    if doc.feed_url:
        problem = doc.http.conditional_problem(doc.feed_url)
        if problem:
            yield None, f"The published feed {problem}; apps then download it in full each time."


@rule(187, "warning", "W3C", "The feed is served as RSS or XML with charset=utf-8.", "online")
def _feed_type(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.http is not None
    if doc.feed_url:
        served = doc.http.header(doc.feed_url, "Content-Type") or ""
        kind, _, params = served.partition(";")
        xml = kind.strip() in ("application/rss+xml", "application/xml", "text/xml")
        if not xml or (kind.strip() != "application/rss+xml" and "utf-8" not in params.lower()):
            yield None, f"The published feed is served as '{served}'; use application/rss+xml."


@rule(188, "error", "Apple", "The feed answers HEAD and GET with 2xx and no login.", "online")
def _feed_reachable(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.http is not None
    if doc.feed_url:
        problem = doc.http.head_problem(doc.feed_url) or doc.http.get_problem(doc.feed_url)
        if problem:
            yield None, f"The published feed {problem}."


@rule(189, "warning", "podfeed", "Every itunes:explicit uses true/false, not yes/no/clean.")
def _explicit_vocabulary(doc: FeedDoc) -> Iterator[Hit]:
    if doc.root is None:
        return
    for element in doc.root.iter(_q("itunes:explicit")):
        if _text(element).strip().lower() in _LEGACY_EXPLICIT:
            yield element, f"itunes:explicit '{_text(element)}' is an old value; use true or false."
            return


@rule(190, "warning", "Apple", "New artwork gets a new address.", "history")
def _artwork_renamed(doc: FeedDoc) -> Iterator[Hit]:
    assert doc.previous is not None
    old = (
        {i.get("href"): i for i in doc.previous.root.iter(_q("itunes:image"))}
        if doc.previous.root is not None
        else {}
    )
    for image in doc.root.iter(_q("itunes:image")) if doc.root is not None else []:
        href = image.get("href", "")
        if href in old:
            before, now = doc.previous.read(href), doc.read(href)
            if before is not None and now is not None and before != now:
                yield (
                    image,
                    (
                        "The artwork changed but kept its address, so apps keep the old picture; "
                        "give the new file a new name."
                    ),
                )


RULES.sort(key=lambda r: int(r.id[1:]))


# --- the docs page -------------------------------------------------------------------------


def rules_markdown() -> str:
    """docs/rules.md: the rule table, generated so it never disagrees with the code."""
    lines = [
        "# podfeed's feed rules",
        "",
        "Generated by `python -m podfeed.rules > docs/rules.md`; do not edit by hand.",
        "",
        "`podfeed build` stops on any **error**; `podfeed check` reports every rule. Rule ids",
        "are the numbers of section 8 of the feed-standards checklist. *online* rules run",
        "only with `podfeed check --online`; *history* rules compare with the feed published",
        "before (`--previous FILE`, or the live feed with `--online`).",
        "",
        "| Rule | Severity | Source | Checked | What it requires |",
        "|---|---|---|---|---|",
    ]
    for each in RULES:
        summary = each.summary.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
        lines.append(f"| {each.id} | {each.severity} | {each.source} | {each.kind} | {summary} |")
    lines += ["", "## Apple Podcasts categories", "",
              "`category` and `subcategory` in podcast.yaml take these values, spelled exactly.",
              "", "| Category | Subcategories |", "|---|---|"]  # fmt: skip
    for parent, subs in APPLE_CATEGORIES.items():
        lines.append(f"| {parent} | {', '.join(subs) or '—'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(rules_markdown())
