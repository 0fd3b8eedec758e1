"""What each output is made from, as a key: same key, same bytes.

A page's key digests everything its template can show: the templates, the show's
settings, the episode (by the stat of its files and its audio's), its neighbours for the
previous/next links, the people and organisations it links to. Person and organisation
pages and each page of the home page's list digest the episodes they list, their page
number and the page count. Where the
page's template is podfeed's own, other episodes count only by what their card shows
(title, summary, date, number, length), so editing one episode's notes redoes its page.

The built-in templates read only those. A show's own template that reaches across the
whole site (`site.episodes`, `people.values()`…) from any page but the home page makes
every page depend on everything: always right, only slower.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from podfeed.cache import OutputState, code_digest, digest
from podfeed.errors import Problem
from podfeed.model import Episode, Show
from podfeed.publish import Unchanged
from podfeed.site import FEED_PATH, NOT_FOUND_PATH, SITEMAP_PATH, Site
from podfeed.writer import Linked, Source, Stat, stat_of

if TYPE_CHECKING:
    from podfeed.check import Issue
    from podfeed.images import ImageFacts
    from podfeed.rules import HtmlTags, ItemFindings

# Template text that reads beyond the page's own episode, person or organisation.
_SITE_WIDE = re.compile(
    r"site\s*\.\s*(content|episodes|feed_episodes|featured|_?members|episodes_with|page_paths"
    r"|listings|person_pages|organisation_pages|_appearances|_featuring)"
    r"|(?<![.\w])(people|organisations)\s*(\.\s*(values|items|keys)\b|\||\)|%}|}})"
)
# Pages that list every episode anyway, so depend on everything.
_PER_SITE_TEMPLATES = ("index.html", "404.html")


def output_keys(
    site: Site,
    templates: dict[str, str],
    episode_key: Callable[[Episode], str],
    builtin: dict[str, str],
) -> dict[str, str]:
    """Output path → key, for every page, chapters file, the sitemap and the feed.

    `templates` are the sources the site uses, `builtin` podfeed's own: where a page's
    template is podfeed's, its key holds only what that template shows of other episodes.
    """
    show = site.content.show
    people, organisations = site.content.people, site.content.organisations
    base = digest(code_digest(), sorted(templates.items()), repr(show), site.artwork_path)
    ordered = site.episodes
    episode_keys = {e.folder: episode_key(e) for e in ordered}
    person_reprs = {key: repr(p) for key, p in people.items()}
    organisation_keys = {key: repr(o) for key, o in organisations.items()}
    everything = digest(
        base,
        [episode_keys[e.folder] for e in ordered],
        sorted(person_reprs.values()),
        sorted(organisation_keys.values()),
    )
    wide = any(
        _SITE_WIDE.search(source)
        for name, source in templates.items()
        if name not in _PER_SITE_TEMPLATES
    )

    stock = {name for name, source in templates.items() if builtin.get(name) == source}
    # Pages that list episodes show each as a card (_macros.html): when only an episode's
    # notes, transcript or chapters change, its card and so these pages stay the same.
    cards = not wide and "_macros.html" in stock

    card_keys = {
        e.folder: digest(e.slug, e.title, e.number, e.season, e.episode_type, e.released,
                         e.summary, e.audio.duration if e.audio else None)
        for e in ordered
    }  # fmt: skip

    listed = card_keys if cards else episode_keys  # what pages listing an episode show
    neighbour = card_keys if "episode.html" in stock else episode_keys

    person_keys = {
        key: digest(person_reprs[key], organisation_keys.get(p.organisation or "", "None"))
        for key, p in people.items()
    }

    keys: dict[str, str] = {}
    for position, episode in enumerate(ordered):
        newer = ordered[position - 1] if position > 0 else None
        older = ordered[position + 1] if position + 1 < len(ordered) else None
        keys[site.episode_path(episode) + "index.html"] = (
            everything
            if wide
            else digest(
                base,
                episode_keys[episode.folder],
                neighbour[newer.folder] if newer else None,
                neighbour[older.folder] if older else None,
                [person_keys[a.person] for a in episode.people if a.person in people],
                [organisation_keys[o] for o in episode.organisations],
            )
        )
        if episode.chapters:
            keys[site.chapters_path(episode)] = chapters_key(show, episode)

    # A list in pages: each page's key holds its number, the page count and what it lists.
    def paged(folder: str, pages: Sequence[Any], same: bool, *parts: Any) -> None:
        for number, shown in enumerate(pages, start=1):
            keys[site.page_path(folder, number) + "index.html"] = (
                digest(base, *parts, number, len(pages), shown) if same else everything
            )

    for person in site.featured_people:
        appearances = [
            [(listed[e.folder], role) for e, role in page] for page in site.person_pages(person.id)
        ]
        paged(site.person_path(person), appearances, not wide, person_keys[person.id])
    for organisation in site.featured_organisations:
        members = [person_keys[p.id] for p in site.members(organisation.id)]
        featuring = [  # its people are on its first page only
            ([listed[e.folder] for e in page], members if number == 0 else None)
            for number, page in enumerate(site.organisation_pages(organisation.id))
        ]
        folder = site.organisation_path(organisation)
        paged(folder, featuring, not wide, organisation_keys[organisation.id])
    listing = cards and "index.html" in stock
    cards_shown = [[card_keys[e.folder] for e in page] for page in site.listings]
    paged("", cards_shown, listing)
    latest = cards and NOT_FOUND_PATH in stock  # the newest five, as cards
    newest = [card_keys[e.folder] for e in ordered[:5]]
    keys[NOT_FOUND_PATH] = digest(base, newest) if latest else everything
    keys[SITEMAP_PATH] = digest(base, site.page_paths(), [e.released.isoformat() for e in ordered])
    in_feed = site.feed_episodes
    credited = {i for e in in_feed for i in (*(a.person for a in e.people),)} | set(show.hosts)
    keys[FEED_PATH] = digest(
        base,
        [episode_keys[e.folder] for e in in_feed],
        sorted(person_reprs[i] for i in credited if i in people),
        sorted(i for i in credited if i in site.featured_person_ids),
    )
    return keys


def chapters_key(show: Show, episode: Episode) -> str:
    """The key of an episode's chapters file: what chapters.chapters_json writes."""
    marks = [(c.start, c.end, c.title, c.url) for c in episode.chapters]
    return digest(code_digest(), (show.title, show.author, episode.title, marks))


def content_key(data: Source | Unchanged) -> str:
    """The key of an output made without a page key: its bytes, or its source file's stat
    (and whether it is linked, so turning `link_audio` on or off redoes the file)."""
    if isinstance(data, Linked):
        return digest("linked", str(data.path), stat_of(data.path))
    if isinstance(data, Path):
        return digest(str(data), stat_of(data))
    if isinstance(data, bytes):
        return hashlib.blake2b(data, digest_size=16).hexdigest()
    raise TypeError("an unchanged output keeps the key it had")


@dataclass
class RulesMemo:
    """What the rule table found on the last feed built, kept for the next build."""

    feed_key: str
    fetched: dict[str, str | None]  # the files the rules read: {name: content key}
    issues: tuple[Issue, ...]
    scans: dict[str, HtmlTags]  # FeedDoc.html_scans
    items: dict[str, ItemFindings]  # FeedDoc.item_findings
    images: dict[str, ImageFacts | None]  # FeedDoc.image_facts
    files: dict[Path, Stat]  # the files the issues point into, as they were then


def checked_feed(
    site: Site,
    feed: bytes,
    files: Sequence[tuple[str, Source]],
    unchanged: Collection[str],
    out: Path,
    feed_key: str,
    content_keys: dict[str, str],
    state: OutputState,
) -> list[Issue]:
    """The rule table on the feed, as `check.feed_issues`, reading the site's new `files`
    and, from `out`, its `unchanged` ones; skipped when neither the feed nor any file the
    rules read changed since the last build, and redone only in part when little did."""
    last: RulesMemo | None = pickle.loads(state.rules) if state.rules is not None else None
    same = set() if last is None else {f for f, stat in last.files.items() if stat_of(f) == stat}
    if last is not None and last.feed_key == feed_key and _unchanged(last, content_keys, same):
        return list(last.issues)
    from podfeed.check import Locator, issues_from, output_reader  # the rule table: only here
    from podfeed.rules import FeedDoc, run_rules

    read = output_reader(site, files, out, unchanged)
    prefix = site.base + "/"
    read_names: dict[str, str | None] = {}

    def recording(url: str) -> bytes | None:
        if url.startswith(prefix):
            name = unquote(url[len(prefix) :])
            read_names[name] = content_keys.get(name)
        return read(url)

    doc = FeedDoc(feed, fetch=recording, feed_url=site.feed_url)
    located: dict[Problem, Problem] = {}
    if last is not None:
        doc.known_scans, doc.known_items, doc.known_images = last.scans, last.items, last.images
        for issue in last.issues:
            if issue.problem.file in same and issue.problem.line is not None:
                located[replace(issue.problem, line=None)] = issue.problem
    found = run_rules(doc, ("feed",))
    issues = issues_from(found, Locator(out / FEED_PATH, site), located)
    pointed = {i.problem.file: stat_of(i.problem.file) for i in issues}
    memo = RulesMemo(
        feed_key,
        read_names,
        tuple(issues),
        doc.html_scans,
        doc.item_findings,
        doc.image_facts,
        pointed,
    )
    state.rules = pickle.dumps(memo)
    return issues


def _unchanged(memo: RulesMemo, content_keys: dict[str, str], same: set[Path]) -> bool:
    """Whether every file the rules read last time, and every file their issues point
    into (`same` are those unchanged: a line they name may have moved), is as it was."""
    fetched = all(content_keys.get(name) == key for name, key in memo.fetched.items())
    return fetched and len(same) == len(memo.files)
