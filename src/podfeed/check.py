"""`podfeed check`: the rule table run on a show (or a built feed), every problem at once.

A finding in the feed is traced back to the file a comms officer edits: the show's
category to podcast.yaml, an episode's release date to its episode.md, a transcript to
its .vtt file. Findings in a feed podfeed did not build name the feed file and its line.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from podfeed.content import SHOW_FILE, locate
from podfeed.errors import ContentError, PodfeedError, Problem
from podfeed.model import EPISODE_FILE, Episode
from podfeed.rules import NS, FeedDoc, Finding, Kind, label, run_rules
from podfeed.site import FEED_PATH, Site
from podfeed.writer import Linked, Source

if TYPE_CHECKING:
    from podfeed.online import Http

# Where a channel element comes from in podcast.yaml.
CHANNEL_FIELDS = {
    "title": "title",
    "description": "description",
    "link": "site_url",
    "atom:link": "site_url",
    "language": "language",
    "copyright": "copyright",
    "itunes:author": "author",
    "itunes:subtitle": "subtitle",
    "itunes:summary": "description",
    "itunes:type": "type",
    "itunes:owner": "owner",
    "itunes:owner/itunes:name": "owner.name",
    "itunes:owner/itunes:email": "owner.email",
    "itunes:image": "artwork",
    "image": "artwork",
    "itunes:category": "category",
    "itunes:category/itunes:category": "subcategory",
    "itunes:explicit": "explicit",
    "podcast:guid": "podcast_guid",
    "podcast:locked": "locked",
    "podcast:medium": "medium",
    "podcast:funding": "funding",
    "podcast:license": "license",
    "podcast:person": "hosts",
}
# Where an item element comes from in episode.md.
ITEM_FIELDS = {
    "title": "title",
    "itunes:title": "title",
    "link": "slug",
    "guid": "guid",
    "pubDate": "released",
    "description": "summary",
    "itunes:summary": "summary",
    "content:encoded": "show notes",
    "enclosure": "audio",
    "itunes:duration": "audio",
    "itunes:episode": "number",
    "podcast:episode": "number",
    "itunes:season": "season",
    "podcast:season": "season",
    "itunes:episodeType": "type",
    "itunes:explicit": "explicit",
    "podcast:person": "people",
}


@dataclass(frozen=True)
class Issue:
    """One problem found by `check` or `build`, with the rule that found it."""

    problem: Problem
    severity: str  # error | warning
    rule: str | None = None  # e.g. R47; None for problems found while loading the files
    source: str | None = None  # Apple, Spotify, Podcast Index, …

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "source": self.source,
            "file": str(self.problem.file),
            "line": self.problem.line,
            "field": self.problem.field,
            "message": self.problem.message,
        }


def _path(element: Any) -> tuple[Any, list[str]]:
    """(the item holding `element` or None, labels from channel/item down to it)."""
    labels: list[str] = []
    item = None
    while element is not None and element.tag not in ("channel", "rss"):
        if element.tag == "item":
            item = element
            break
        labels.insert(0, label(element))
        element = element.getparent()
    return item, labels


class Locator:
    """Turns a rule's finding into a Problem naming the file a person would edit."""

    def __init__(self, feed_file: Path, site: Site | None = None) -> None:
        self.feed_file = feed_file
        self.site = site
        self.episodes: dict[str, Episode] = (
            {e.guid: e for e in site.episodes} if site is not None else {}
        )

    def problem(self, finding: Finding) -> Problem:
        message = f"{finding.message} [{finding.rule.id}, {finding.rule.source}]"
        element = finding.element
        if element is None:
            return Problem(self.feed_file, message)
        item, labels = _path(element)
        located = self._source(item, labels, element) if self.site is not None else None
        if located is not None:
            file, field = located
            return Problem(file, message, field)
        where = "/".join(labels)
        if item is not None:
            guid = item.findtext("guid") or "?"
            where = f"item[guid={guid.strip()}]" + (f"/{where}" if where else "")
        else:
            where = "channel" + (f"/{where}" if where else "")
        line = element.sourceline if isinstance(element.sourceline, int) else None
        return Problem(self.feed_file, message, where, line)

    def _source(self, item: Any, labels: list[str], element: Any) -> tuple[Path, str] | None:
        assert self.site is not None
        show = self.site.content.show
        show_file = show.root / SHOW_FILE
        key = "/".join(labels[:2])
        if item is None:
            field = CHANNEL_FIELDS.get(key) or CHANNEL_FIELDS.get(labels[0] if labels else "")
            return (show_file, field) if field else None
        episode = self.episodes.get((item.findtext("guid") or "").strip())
        if episode is None:
            return None
        if not labels:
            return episode.source, ""
        first = labels[0]
        if first == "itunes:image":
            return show_file, "artwork"
        if first == "podcast:transcript":
            name = PurePosixPath(urlsplit(element.get("url", "")).path).name
            for transcript in episode.transcripts:
                if transcript.path.name.lower() == unquote(name):
                    return transcript.path, ""
            return episode.source, "transcripts"
        if first in ("podcast:chapters", "psc:chapters"):
            return (episode.chapters_file or episode.audio_path), "chapters"
        field = ITEM_FIELDS.get(first)
        return (episode.source, field) if field else None


def issues_from(
    findings: Iterable[Finding], locator: Locator, located: Mapping[Problem, Problem] | None = None
) -> list[Issue]:
    """Issues naming the file (and line) to edit; `located` gives the line of problems
    found before (without their line) in files that did not change since."""
    located = located or {}
    issues = [
        Issue(locator.problem(f), f.rule.severity, f.rule.id, f.rule.source) for f in findings
    ]
    # Line numbers for problems in the show's YAML and front matter.
    yaml_like = [
        i.problem
        for i in issues
        if i.problem.file.name in (SHOW_FILE, EPISODE_FILE)
        and i.problem.field
        and i.problem not in located
    ]
    lines = dict(zip(map(id, yaml_like), locate(yaml_like), strict=True))
    return [
        replace(i, problem=located.get(i.problem) or lines.get(id(i.problem), i.problem))
        for i in issues
    ]


def output_reader(
    site: Site,
    outputs: Iterable[tuple[str, Source]],
    live: Path | None = None,
    unchanged: Collection[str] = (),
) -> Callable[[str], bytes | None]:
    """Read a URL of the site from the build's outputs, before anything is written;
    outputs named in `unchanged` are read from the `live` site."""
    prefix = site.base + "/"
    files = dict(outputs)

    def read(url: str) -> bytes | None:
        if not url.startswith(prefix):
            return None
        name = unquote(url[len(prefix) :])
        data = files.get(name)
        if data is None and live is not None and name in unchanged:
            data = live / name
        if isinstance(data, Linked):
            return data.path.read_bytes()
        if isinstance(data, Path):
            return data.read_bytes()
        return data

    return read


def folder_reader(feed_file: Path, feed_url: str | None) -> Callable[[str], bytes | None]:
    """Read a URL of a published site from the folder the feed sits in."""
    base = feed_url.rsplit("/", 1)[0] + "/" if feed_url else None
    folder = feed_file.parent.resolve()

    def read(url: str) -> bytes | None:
        if base is None or not url.startswith(base):
            return None
        path = (folder / unquote(urlsplit(url).path[len(urlsplit(base).path) :])).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            return None
        return path.read_bytes()

    return read


def _self_url(doc: FeedDoc) -> str | None:
    channel = doc.channel
    if channel is None:
        return None
    for link in channel.findall(f"{{{NS['atom']}}}link"):
        if link.get("rel") == "self":
            return str(link.get("href"))
    return None


def feed_issues(
    site: Site,
    feed: bytes,
    outputs: Iterable[tuple[str, Source]],
    feed_file: Path,
    kinds: Iterable[Kind] = ("feed",),
    previous: FeedDoc | None = None,
    http: Http | None = None,
) -> list[Issue]:
    """The rule table on a feed podfeed just rendered, traced back to the show's files."""
    doc = FeedDoc(
        feed,
        fetch=output_reader(site, outputs),
        feed_url=site.feed_url,
        previous=previous,
        http=http,
    )
    return issues_from(run_rules(doc, kinds), Locator(feed_file, site))


def _previous(path: Path | None, http: Http | None, feed_url: str | None) -> FeedDoc | None:
    if path is not None:
        data = path.read_bytes()
        doc = FeedDoc(data, fetch=folder_reader(path, None))
        doc.fetch = folder_reader(path, _self_url(doc))
        return doc
    if http is not None and feed_url:
        published = http.fetch(feed_url)
        if published is not None:
            doc = FeedDoc(published, fetch=http.fetch)
            return doc if doc.root is not None else None
    return None


def check_show(
    root: Path,
    site_url: str | None = None,
    online: bool = False,
    previous: Path | None = None,
    preview: bool = False,
) -> list[Issue]:
    """Every problem with the show's files and the feed they make, errors and warnings.

    With `preview`, drafts and scheduled episodes are checked as if published.
    """
    from podfeed.pipeline import render_site  # the pipeline up to (not including) writing

    try:
        site, feed, outputs = render_site(root.absolute(), site_url, preview=preview)
    except PodfeedError as error:
        return [Issue(p, "error") for p in error.problems]
    http = _http() if online else None
    kinds: list[Kind] = ["feed"]
    if online:
        kinds.append("online")
    before = _previous(previous, http, site.feed_url)
    if before is not None:
        kinds.append("history")
    return feed_issues(
        site, feed, outputs, site.content.show.root / "public" / FEED_PATH, kinds, before, http
    )


def check_feed_file(path: Path, online: bool = False, previous: Path | None = None) -> list[Issue]:
    """The rule table on a feed file, with the files beside it standing in for the site."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ContentError.single(path, f"cannot be read ({error.strerror}).") from None
    doc = FeedDoc(data)
    feed_url = _self_url(doc)
    http = _http() if online else None
    doc.fetch = folder_reader(path, feed_url)
    doc.feed_url = feed_url
    doc.http = http
    kinds: list[Kind] = ["feed"]
    if online:
        kinds.append("online")
    doc.previous = _previous(previous, http if previous is None else None, feed_url)
    if doc.previous is not None:
        kinds.append("history")
    return issues_from(run_rules(doc, kinds), Locator(path))


def _http() -> Http:
    """The web, for --online checks only: a build never loads it."""
    from podfeed.online import Http

    return Http()
