"""The build pipeline, top to bottom: load → read audio → validate → render → write.

`build.build` calls it when there is something to do; `full_build` does everything,
`cached_build` only what changed since the last build (see cache.py and incremental.py).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path

from podfeed.audio import read_audio, read_audio_info
from podfeed.build import BuildResult, Progress
from podfeed.cache import TEMPLATES_CACHE, BuildCache, episode_inputs
from podfeed.chapters import chapters_json
from podfeed.check import feed_issues
from podfeed.content import (
    EPISODES_DIR,
    ORGANISATIONS_FILE,
    PEOPLE_FILE,
    SHOW_FILE,
    collect_content,
)
from podfeed.delta import outline
from podfeed.errors import ContentError
from podfeed.feed import render_feed
from podfeed.incremental import checked_feed, content_key, output_keys
from podfeed.markup import notes_html
from podfeed.model import AudioInfo, Content
from podfeed.notesahead import MIN_PAGES, NotesAhead
from podfeed.pages import (
    builtin_sources,
    environment,
    episode_notes,
    render_pages,
    template_sources,
)
from podfeed.publish import UNCHANGED, Publication, Unchanged, settled
from podfeed.publish import Output as PublishedOutput
from podfeed.scaffold import placeholder_problems
from podfeed.schedule import published_episodes
from podfeed.site import FEED_PATH, Site
from podfeed.spool import MIN_EPISODES, MIN_FILES, Spool
from podfeed.validate import validate
from podfeed.writer import Output, stat_of, write_site


def full_build(
    root: Path,
    out: Path,
    site_url: str | None,
    now: datetime,
    preview: bool,
    progress: Progress | None,
) -> BuildResult:
    """Everything from scratch, into a new folder swapped in for `out`."""
    site, feed, outputs = render_site(root, site_url, now=now, preview=preview, progress=progress)
    issues = feed_issues(site, feed, outputs, out / FEED_PATH)
    errors = [i.problem for i in issues if i.is_error]
    if errors:
        raise ContentError(errors)
    if progress:
        progress(len(site.episodes), len(site.episodes), "writing the site")
    files = write_site(outputs, out)
    warnings = tuple(i.problem for i in issues if not i.is_error)
    return BuildResult(
        out=out,
        episodes=len(site.episodes),
        files=files,
        warnings=warnings,
        held_back=site.content.held_back,
    )


def render_site(
    root: Path,
    site_url: str | None = None,
    *,
    now: datetime | None = None,
    preview: bool = False,
    progress: Progress | None = None,
) -> tuple[Site, bytes, list[Output]]:
    """Everything up to writing: the site, its feed and every output."""
    site = Site(gather(root, site_url, now=now, preview=preview, progress=progress))
    feed = render_feed(site)
    outputs: list[Output] = [(FEED_PATH, feed)]
    outputs += render_pages(site)
    outputs += media_outputs(site)
    return site, feed, outputs


def gather(
    root: Path,
    site_url: str | None = None,
    *,
    now: datetime | None = None,
    preview: bool = True,
    progress: Progress | None = None,
    cache: BuildCache | None = None,
) -> Content:
    """Load, validate and read the audio of what is published, reporting every problem at once.

    Drafts and scheduled episodes are validated with the rest but their audio is not read,
    so an episode still being made does not stop this week's build.
    """
    if cache is not None:
        cache.read_ahead(root / EPISODES_DIR)
    try:
        partial, problems = collect_content(root, site_url, cache)
        cross_file = validate(partial)  # reported after the audio, in pipeline order
        loaded = len(partial.episodes)
        if not preview:
            moment = now or datetime.now(UTC)
            partial = replace(partial, episodes=published_episodes(partial.episodes, moment))
            # `podfeed new`'s template text must never reach listeners.
            problems += [p for e in partial.episodes for p in placeholder_problems(e)]
        if cache is not None:
            local = [e.audio_path for e in partial.episodes if not e.audio_url]
            cache.read_from_the_end(local)
        reader = partial_reader(cache.read_audio_info) if cache is not None else read_audio_info
        episodes = read_audio(partial.episodes, problems, progress, reader)
    finally:
        if cache is not None:
            cache.stop_reading_ahead()
    partial = replace(partial, episodes=episodes)
    problems += cross_file
    content = partial.complete()
    if problems or content is None:
        raise ContentError(problems)
    return replace(content, held_back=loaded - len(content.episodes))


def partial_reader(cached: Callable[..., AudioInfo]) -> Callable[[Path], AudioInfo]:
    def read(path: Path) -> AudioInfo:
        return cached(read_audio_info, path)

    return read


def cached_build(
    root: Path,
    out: Path,
    site_url: str | None,
    moment: datetime,
    preview: bool,
    progress: Progress | None,
    cache: BuildCache,
    settings: str,
) -> BuildResult:
    """`build`, redoing only what changed since the last build into `out`."""
    # A big show's helpers start now, while this process is small: for the moment a
    # process takes to start, it shares the memory of the one that started it, and counts
    # as being as big.
    big = sys.platform == "linux" and _entries(root / EPISODES_DIR) >= MIN_EPISODES
    # The notes' helper only for a first build: a rebuild also holds the last build's
    # state (every output's key and stat), and with the helper too took 205 MB at 10,000
    # episodes, more than a quarter of Hugo's memory (188 MB without it).
    with _spool(out, big) as spool, _notes_ahead(big and not out.exists()) as ahead:
        cache.load_records()
        state = cache.state
        content = gather(
            root, site_url, now=moment, preview=preview, progress=progress, cache=cache
        )
        # The show lives to the end of the build: collections need not walk it again and again.
        gc.freeze()
        site = Site(content)
        env = environment(content.show.root, cache.folder / TEMPLATES_CACHE)
        templates, builtin = template_sources(env), builtin_sources()
        keys = output_keys(site, templates, cache.episode_key, builtin)
        live = {name: stat for name, (_, stat) in state.outputs.items()}

        def kept(name: str, key: str) -> bool:
            """The last build made this output from the same inputs, and it is still there."""
            known = state.outputs.get(name)
            return known is not None and known[0] == key and stat_of(f"{out}/{name}") == known[1]

        unchanged = {name for name, key in keys.items() if kept(name, key)}
        if FEED_PATH in unchanged:
            feed = (out / FEED_PATH).read_bytes()
            made: list[PublishedOutput] = [(FEED_PATH, UNCHANGED)]
        else:
            feed = render_feed(site)
            made = [(FEED_PATH, feed)]
        made += [(name, UNCHANGED) for name in keys if name in unchanged and name != FEED_PATH]
        made += media_outputs(site, skip=unchanged)
        # The rules read the feed and the files it links to (artwork, chapters), not the pages:
        # they run before anything is written.
        new = [(name, data) for name, data in made if not isinstance(data, Unchanged)]
        content_keys = {name: keys.get(name) or content_key(data) for name, data in made}
        issues = checked_feed(site, feed, new, unchanged, out, keys[FEED_PATH], content_keys, state)
        errors = [i.problem for i in issues if i.is_error]
        if errors:
            raise ContentError(errors)
        if progress:
            progress(len(site.episodes), len(site.episodes), "writing the site")
        if spool is not None and len(keys.keys() - unchanged) < MIN_FILES:
            spool.abort()  # too little to write for a helper to pay: its memory back now
            spool = None
        # Pages are written as soon as they are rendered, into a folder beside the site.
        publication = Publication(out, live, state.back_names, spool)
        kept_files = [(name, data) for name, data in made if isinstance(data, Unchanged)]
        if ahead is not None:
            notes = episode_notes(site, skip=unchanged)
            if len(notes) >= MIN_PAGES:
                ahead.give(notes)
            else:
                ahead.stop()  # too few pages for it to pay: its memory back now
        pages = render_pages(
            site, skip=unchanged, env=env, notes=ahead.html if ahead else notes_html
        )
        try:
            for name, data in chain(kept_files, _alternate(pages, new)):
                if name not in content_keys:  # a page, made just now
                    content_keys[name] = keys.get(name) or content_key(data)
                unchanged_file = not isinstance(data, Unchanged) and kept(name, content_keys[name])
                publication.add(name, UNCHANGED if unchanged_file else data)
            stats, state.back_names = publication.commit()
        except BaseException:
            publication.abort()
            raise
        finally:
            if ahead is not None:
                ahead.stop()
        state.written = frozenset(publication.written) if state.back_names is not None else None
        # With podfeed's own templates, the next edit inside an episode can be redone alone.
        stock = all(builtin.get(name) == source for name, source in templates.items())
        published = {e.folder for e in site.episodes}
        held = [r.episode for r in cache.loaded_episodes() if r.episode.folder not in published]
        cache.delta = outline(site, held) if stock else None
        cache.delta_changed = True
        result = BuildResult(
            out=out,
            episodes=len(site.episodes),
            files=len(stats),
            warnings=tuple(i.problem for i in issues if not i.is_error),
            held_back=content.held_back,
        )
        del site, keys, unchanged, live, made  # the site is written: make room for the cache
        state.outputs = {name: (content_keys.pop(name), stat) for name, stat in stats.items()}
        # The back buffer's names (the old site's) as the new state's own strings, so that
        # the cache saves and loads each name once.
        if state.back_names is not None:
            same = {name: name for name in state.outputs}
            state.back_names = frozenset([same.get(name, name) for name in state.back_names])
        release = None if preview else next_release(cache, moment)
        cache.remember(settings, result, release, build_inputs(root, content, cache))
        cache.forget_unused_episodes()
        cache.save()
        settled(out)
        return result


@contextlib.contextmanager
def _spool(out: Path, big: bool) -> Iterator[Spool | None]:
    """For a `big` show, a helper process to write the files (spool.py); stopped at the
    end, if the build has not done so."""
    spool = None
    if big:
        with contextlib.suppress(OSError):  # no helper: this process writes, as ever
            spool = Spool(out)
    try:
        yield spool
    finally:
        if spool is not None:
            spool.abort()  # gone already, unless the build failed


@contextlib.contextmanager
def _notes_ahead(big: bool) -> Iterator[NotesAhead | None]:
    """For a `big` show, a helper making the pages' notes HTML (notesahead.py); stopped
    at the end at the latest."""
    ahead = None
    if big:
        with contextlib.suppress(OSError):  # no helper: this process makes them, as ever
            ahead = NotesAhead()
    try:
        yield ahead
    finally:
        if ahead is not None:
            ahead.stop()


def _entries(folder: Path) -> int:
    try:
        return len(os.listdir(folder))
    except OSError:
        return 0


def _alternate(
    pages: Iterable[PublishedOutput], files: Iterable[PublishedOutput]
) -> Iterator[PublishedOutput]:
    """Each page as it is rendered, then one of `files`, in turn: copying an audio file
    takes the spool's helper about as long as rendering a page takes the build, so
    neither waits for the other (all the copies first made the build wait 3 s at 10k)."""
    rest = iter(files)
    for page in pages:
        yield page
        yield from islice(rest, 1)
    yield from rest


def build_inputs(root: Path, content: Content, cache: BuildCache) -> list[Path]:
    """Every file and folder a build reads: when none changed, neither does the site."""
    show = content.show
    templates = root / "templates"
    paths = [root / SHOW_FILE, root / EPISODES_DIR, templates]
    paths += [root / EPISODES_DIR / PEOPLE_FILE, root / EPISODES_DIR / ORGANISATIONS_FILE]
    if show.artwork is not None:
        paths.append(show.artwork)
    if templates.is_dir():
        paths += sorted(templates.iterdir())
    for record in cache.loaded_episodes():
        paths += episode_inputs(record.episode)
    return paths


def next_release(cache: BuildCache, moment: datetime) -> float | None:
    """When the earliest episode still scheduled comes out: the site changes then."""
    upcoming = [
        r.episode.released.timestamp()
        for r in cache.loaded_episodes()
        if not r.episode.draft and r.episode.released > moment
    ]
    return min(upcoming, default=None)


def media_outputs(site: Site, skip: Collection[str] = ()) -> list[Output]:
    """Artwork, audio and transcripts (copied from the show) and chapters files; chapters
    named in `skip` (unchanged since the last build) are not made again."""
    show = site.content.show
    outputs: list[Output] = [(site.artwork_path, show.artwork)] if show.artwork else []
    local = [e for e in site.episodes if not e.audio_url]
    outputs += [(site.media_path(e), site.audio_source(e)) for e in local]
    outputs += [(site.transcript_path(e, t), t.path) for e in site.episodes for t in e.transcripts]
    outputs += [
        (site.chapters_path(e), chapters_json(show, e))
        for e in site.episodes
        if e.chapters and site.chapters_path(e) not in skip
    ]
    return outputs
