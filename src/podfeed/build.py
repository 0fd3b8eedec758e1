"""The build pipeline, top to bottom: load → read audio → validate → render → write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from podfeed.audio import read_audio_info
from podfeed.chapters import chapters_json
from podfeed.check import feed_issues
from podfeed.content import collect_content
from podfeed.errors import AudioError, BuildError, ContentError, PodfeedError, Problem
from podfeed.feed import render_feed
from podfeed.model import Content, Episode
from podfeed.pages import render_pages
from podfeed.remote import remote_audio_info
from podfeed.scaffold import placeholder_problems
from podfeed.schedule import published_episodes
from podfeed.site import FEED_PATH, Site
from podfeed.transcripts import read_chapters_file, with_ends
from podfeed.validate import validate
from podfeed.writer import Output, write_site

DEFAULT_OUT = "public"

# Told (done, total, what) as a long operation goes; the CLI draws it on a terminal.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class BuildResult:
    out: Path
    episodes: int
    files: int
    warnings: tuple[Problem, ...] = ()  # rule-table warnings; errors stop the build
    held_back: int = 0  # drafts and scheduled episodes left out


def build(
    root: Path,
    out: Path | None = None,
    site_url: str | None = None,
    *,
    now: datetime | None = None,
    preview: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the show in `root` into `out` (default `root/public`); all or nothing.

    Only episodes released by `now` (default: the clock) and not drafts are published,
    unless `preview` is set, which publishes every episode for a look before release.
    """
    root = root.absolute()
    out = (out or root / DEFAULT_OUT).absolute()
    if root.is_relative_to(out):
        raise BuildError.single(out, "would replace the show's own folder; choose another output.")
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
) -> Content:
    """Load, validate and read the audio of what is published, reporting every problem at once.

    Drafts and scheduled episodes are validated with the rest but their audio is not read,
    so an episode still being made does not stop this week's build.
    """
    partial, problems = collect_content(root, site_url)
    cross_file = validate(partial)  # reported after the audio, in pipeline order
    loaded = len(partial.episodes)
    if not preview:
        moment = now or datetime.now(UTC)
        partial = replace(partial, episodes=published_episodes(partial.episodes, moment))
        # `podfeed new`'s template text must never reach listeners.
        problems += [p for e in partial.episodes for p in placeholder_problems(e)]
    partial = replace(partial, episodes=read_audio(partial.episodes, problems, progress))
    problems += cross_file
    content = partial.complete()
    if problems or content is None:
        raise ContentError(problems)
    return replace(content, held_back=loaded - len(content.episodes))


def read_audio(
    episodes: tuple[Episode, ...], problems: list[Problem], progress: Progress | None = None
) -> tuple[Episode, ...]:
    """Each episode with its audio facts and chapters; unreadable files go to `problems`."""
    result: list[Episode] = []
    for done, episode in enumerate(episodes):
        if progress:
            progress(done, len(episodes), "reading audio")
        try:
            audio = (
                remote_audio_info(episode)
                if episode.audio_url
                else read_audio_info(episode.audio_path)
            )
            chapters = (
                with_ends(read_chapters_file(episode.chapters_file), audio.duration)
                if episode.chapters_file
                else audio.chapters
            )
        except (AudioError, ContentError) as error:
            # The audio file's path names the episode folder as well as the file.
            problems += error.problems
            result.append(episode)  # kept without audio, so later checks still see it
            continue
        result.append(replace(episode, audio=audio, chapters=chapters))
    return tuple(result)


def media_outputs(site: Site) -> list[Output]:
    show = site.content.show
    outputs: list[Output] = [(site.artwork_path, show.artwork)] if show.artwork else []
    outputs += [(site.media_path(e), e.audio_path) for e in site.episodes if not e.audio_url]
    outputs += [(site.transcript_path(e, t), t.path) for e in site.episodes for t in e.transcripts]
    outputs += [
        (site.chapters_path(e), chapters_json(show, e)) for e in site.episodes if e.chapters
    ]
    return outputs


__all__ = ["BuildResult", "PodfeedError", "Progress", "build"]
