"""An edit inside episode folders, redone in time proportional to the edit.

After each build the cache keeps the site's outline (`Outline`): the order of episodes,
each episode's *shape* (everything of it that another page, the sitemap or a cross-file
check reads: title, date, number, people, length, the names of its files…) and the
feed's episodes as the feed shows them. When the only files changed since are inside
existing episode folders, the site uses podfeed's own templates and every changed
episode keeps its shape, only that episode's page, media and chapters files and, if
it is in the feed, the feed can differ from the last build: they alone are made, and
the back buffer is patched and swapped in (publish.patch).

Anything else (a new or removed episode, a changed title or date, a setting, a show's
own template, a problem to report) returns None and the whole pipeline runs
(pipeline.cached_build), which reports problems as usual. Both give the same bytes
(test_incremental.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path

from podfeed.audio import read_audio, read_audio_info
from podfeed.build import BuildResult
from podfeed.cache import (
    TEMPLATES_CACHE,
    BuildCache,
    QuickState,
    changed_since,
    episode_inputs,
)
from podfeed.chapters import chapters_json
from podfeed.content import EPISODES_DIR, load_episode
from podfeed.errors import ContentError, Problem
from podfeed.model import Content, Episode, Organisation, Person, Show
from podfeed.publish import patch, settled
from podfeed.site import FEED_PATH, Site
from podfeed.writer import Source, stat_of

# Episode fields only its own page, files and feed item show: the rest is its shape.
_PAGE_ONLY = ("notes_markdown", "transcripts", "chapters_file", "chapters", "audio")
_shape_fields = attrgetter(
    *(f.name for f in dataclasses.fields(Episode) if f.name not in _PAGE_ONLY)
)


@dataclass
class Outline:
    """What the last build published, as far as an edit inside an episode can tell."""

    show: Show
    people: dict[str, Person]
    organisations: dict[str, Organisation]
    order: tuple[str, ...]  # folders of the published episodes, newest first
    shapes: dict[str, str]  # folder → shape, for every episode loaded (drafts too)
    feed: tuple[Episode, ...]  # the feed's episodes, audio read
    people_with_pages: frozenset[str]
    # The show's artwork, which every page shows: an edit to it is not an edit inside an
    # episode even if it sits in an episode's folder.
    artwork: str | None


def shape(episode: Episode) -> str:
    """A digest of what other outputs show of an episode, and of its output names."""
    audio = episode.audio
    parts = (
        _shape_fields(episode),
        audio.duration if audio else None,
        bool(episode.chapters),
        tuple(t.path.name for t in episode.transcripts),
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def outline(site: Site, held_back: list[Episode]) -> Outline:
    """The outline of a site just built with podfeed's own templates."""
    content = site.content
    shapes = {str(e.folder): shape(e) for e in (*site.episodes, *held_back)}
    artwork = content.show.artwork
    return Outline(
        content.show,
        content.people,
        content.organisations,
        tuple(str(e.folder) for e in site.episodes),
        shapes,
        site.feed_episodes,
        site.featured_person_ids,
        str(artwork) if artwork else None,
    )


class _NotAnEdit(Exception):
    """The change is more than an edit inside episodes: the whole pipeline must run."""


def edit_build(
    root: Path,
    out: Path,
    preview: bool,
    cache: BuildCache,
    changed: list[str],
) -> BuildResult | None:
    """Redo what `changed` (inputs and outputs of the last build) touched, or None, with
    nothing written, if it is not an edit inside episodes this module can redo alone."""
    try:
        return _edit(root, out, preview, cache, changed)
    except _NotAnEdit:
        return None


def _edit(
    root: Path, out: Path, preview: bool, cache: BuildCache, changed: list[str]
) -> BuildResult:
    cache.load_state()
    known: Outline | None = cache.delta
    state = cache.state
    if known is None or state.back_names is None or state.written is None:
        raise _NotAnEdit
    folders = _edited_folders(root, out, changed, known)
    position = {folder: i for i, folder in enumerate(known.order)}
    edited: dict[str, Episode] = {}
    for folder in folders:
        episode = _load(root, folder, known.show, published=folder in position)
        if shape(episode) != known.shapes[folder]:
            raise _NotAnEdit
        edited[folder] = episode
    published = {f: e for f, e in edited.items() if f in position}
    if not preview and any(_placeholders(e) for e in published.values()):
        raise _NotAnEdit

    in_feed = {str(e.folder) for e in known.feed}
    feed_episodes = tuple(edited.get(str(e.folder), e) for e in known.feed)
    content = Content(known.show, known.people, known.organisations, feed_episodes)
    site = Site(content, people_with_pages=known.people_with_pages)

    changes: dict[str, Source] = {}
    keys: dict[str, str] = {}

    def offer(name: str, data: Source, key: str) -> None:
        """Make `name` from `data` unless the site has the same already."""
        old = state.outputs.get(name)
        if old is None:  # the shape says the last build made it
            raise _NotAnEdit
        if old[0] == key or (isinstance(data, bytes) and _live_bytes(out, name) == data):
            return
        changes[name], keys[name] = data, key

    if published:
        from podfeed.incremental import chapters_key, content_key
        from podfeed.pages import environment, episode_context, render_page

        env = environment(known.show.root, cache.folder / TEMPLATES_CACHE)
        for folder, episode in published.items():
            newer, older = _neighbours(root, known, position[folder], edited)
            path = site.episode_path(episode) + "index.html"
            context = episode_context(site, episode, newer, older)
            page = render_page(env, site, path, "episode.html", context)
            offer(path, page, content_key(page))
            if episode.audio_url is None:
                audio = site.audio_source(episode)
                offer(site.media_path(episode), audio, content_key(audio))
            for transcript in episode.transcripts:
                offer(site.transcript_path(episode, transcript), transcript.path,
                      content_key(transcript.path))  # fmt: skip
            if episode.chapters:
                offer(site.chapters_path(episode), chapters_json(known.show, episode),
                      chapters_key(known.show, episode))  # fmt: skip
    warnings = cache.quick.result.warnings
    feed_touched = bool(in_feed & published.keys())  # drafts are never in the feed
    if feed_touched:
        from podfeed.feed import render_feed, rerender_items
        from podfeed.incremental import checked_feed, content_key

        changed_items = tuple(e for e in feed_episodes if str(e.folder) in published)
        previous = _live_bytes(out, FEED_PATH)
        feed = (previous and rerender_items(previous, site, changed_items)) or render_feed(site)
        feed_key = content_key(feed)
        offer(FEED_PATH, feed, feed_key)
        # The rules read the feed and the chapters files and artwork it links to; they
        # run again unless none of those changed (incremental.checked_feed).
        content_keys = {name: key for name, (key, _) in state.outputs.items()} | keys
        unchanged = state.outputs.keys() - changes.keys()
        new = list(changes.items())
        issues = checked_feed(site, feed, new, unchanged, out, feed_key, content_keys, state)
        errors = [i.problem for i in issues if i.is_error]
        if errors:
            raise ContentError(errors)
        warnings = tuple(i.problem for i in issues if not i.is_error)

    if cache.changed_outputs() != []:  # a page changed by hand: all of it again
        raise _NotAnEdit
    live = {name: stat for name, (_, stat) in state.outputs.items()}
    patched = patch(out, live, state.back_names, state.written, changes)
    if patched is None:
        raise _NotAnEdit
    stats, state.back_names = patched
    state.written = frozenset(changes)
    for name in changes:
        state.outputs[name] = (keys[name], stats[name])
    last = cache.quick.result
    result = BuildResult(out, last.episodes, len(stats), warnings, last.held_back)
    if feed_touched:
        known.feed = feed_episodes
        cache.delta_changed = True
    _remember(cache, result, edited)
    cache.save()
    settled(out)
    return result


def _edited_folders(root: Path, out: Path, changed: list[str], known: Outline) -> set[str]:
    """The episode folders holding every changed path."""
    episodes = f"{root / EPISODES_DIR}/"
    outputs = f"{out}/"
    folders = set()
    for path in changed:
        if not path.startswith(episodes) or path.startswith(outputs) or path == known.artwork:
            raise _NotAnEdit
        folder = episodes + path[len(episodes) :].split("/", 1)[0]
        if folder not in known.shapes:
            raise _NotAnEdit
        folders.add(folder)
    return folders


def _load(root: Path, folder: str, show: Show, published: bool) -> Episode:
    """The episode as a full build would see it; at any problem the full build runs
    and reports it."""
    try:
        episode = load_episode(Path(folder), root, show.explicit, show.language)
    except ContentError:
        raise _NotAnEdit from None
    if not published:
        return episode  # held back: its audio is not read
    problems: list[Problem] = []
    (episode,) = read_audio((episode,), problems, reader=read_audio_info)
    if problems:
        raise _NotAnEdit
    return episode


def _placeholders(episode: Episode) -> bool:
    from podfeed.scaffold import placeholder_problems

    return bool(placeholder_problems(episode))


def _neighbours(
    root: Path, known: Outline, position: int, edited: dict[str, Episode]
) -> tuple[Episode | None, Episode | None]:
    """The newer and older episode beside the one at `position`, as a full build has them."""

    def at(index: int) -> Episode | None:
        if not 0 <= index < len(known.order):
            return None
        folder = known.order[index]
        return edited.get(folder) or _load(root, folder, known.show, published=True)

    return at(position - 1), at(position + 1)


def _live_bytes(out: Path, name: str) -> bytes | None:
    try:
        return (out / name).read_bytes()
    except OSError:
        return None


def _remember(cache: BuildCache, result: BuildResult, edited: dict[str, Episode]) -> None:
    """The no-op check's inputs and their stats, with the edited episodes' files as they
    are now (the outputs' stats are in `cache.state`)."""
    quick = cache.quick
    fresh = {path: stat_of(path) for e in edited.values() for path in map(str, episode_inputs(e))}
    if any(changed_since(s, cache.started) for s in fresh.values()):
        cache.quick = QuickState()  # read mid-change: the next build does it all
        return
    prefixes = tuple(f"{folder}/" for folder in edited)
    known = dict(zip(quick.paths, quick.stats, strict=True))
    for path in list(known):
        if path in edited or path.startswith(prefixes):
            del known[path]
    known |= fresh
    cache.quick = replace(quick, result=result, paths=tuple(known), stats=tuple(known.values()))
