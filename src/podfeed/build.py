"""The build pipeline, top to bottom: load → read audio → validate → render → write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from podfeed.audio import read_audio_info
from podfeed.content import load_content
from podfeed.errors import AudioError, BuildError, ContentError, PodfeedError, Problem
from podfeed.feed import render_feed
from podfeed.model import Content, Episode
from podfeed.pages import render_pages
from podfeed.remote import remote_audio_info
from podfeed.schedule import published_content
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
    everything = load_content(root, site_url)
    content = everything if preview else published_content(everything, now or datetime.now(UTC))
    content = read_audio(content, progress)
    validate(content)
    site = Site(content)
    outputs: list[Output] = [(FEED_PATH, render_feed(site))]
    outputs += render_pages(site)
    outputs += media_outputs(site)
    if progress:
        progress(len(content.episodes), len(content.episodes), "writing the site")
    files = write_site(outputs, out)
    held_back = len(everything.episodes) - len(content.episodes)
    return BuildResult(out=out, episodes=len(site.episodes), files=files, held_back=held_back)


def read_audio(content: Content, progress: Progress | None = None) -> Content:
    """Fill in every episode's audio facts, reporting all unreadable files at once."""
    problems: list[Problem] = []
    episodes: list[Episode] = []
    for done, episode in enumerate(content.episodes):
        if progress:
            progress(done, len(content.episodes), "reading audio")
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
            continue
        episodes.append(replace(episode, audio=audio, chapters=chapters))
    if problems:
        raise ContentError(problems)
    return replace(content, episodes=tuple(episodes))


def media_outputs(site: Site) -> list[Output]:
    show = site.content.show
    outputs: list[Output] = [(site.artwork_path, show.artwork)] if show.artwork else []
    outputs += [(site.media_path(e), e.audio_path) for e in site.episodes if not e.audio_url]
    return outputs


__all__ = ["BuildResult", "PodfeedError", "Progress", "build"]
