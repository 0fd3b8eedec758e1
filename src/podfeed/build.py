"""The build pipeline, top to bottom: load → read audio → validate → render → write."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from podfeed.audio import read_audio_info
from podfeed.content import collect_content
from podfeed.errors import AudioError, BuildError, ContentError, PodfeedError, Problem
from podfeed.feed import render_feed
from podfeed.model import Content, Episode
from podfeed.pages import render_pages
from podfeed.site import FEED_PATH, Site
from podfeed.transcripts import read_chapters_file, with_ends
from podfeed.validate import validate
from podfeed.writer import Output, write_site

DEFAULT_OUT = "public"


@dataclass(frozen=True)
class BuildResult:
    out: Path
    episodes: int
    files: int


def build(root: Path, out: Path | None = None, site_url: str | None = None) -> BuildResult:
    """Build the show in `root` into `out` (default `root/public`); all or nothing."""
    root = root.absolute()
    out = (out or root / DEFAULT_OUT).absolute()
    if root.is_relative_to(out):
        raise BuildError.single(out, "would replace the show's own folder; choose another output.")
    site = Site(gather(root, site_url))
    outputs: list[Output] = [(FEED_PATH, render_feed(site))]
    outputs += render_pages(site)
    outputs += media_outputs(site)
    files = write_site(outputs, out)
    return BuildResult(out=out, episodes=len(site.episodes), files=files)


def gather(root: Path, site_url: str | None = None) -> Content:
    """Load, read audio and validate, then report every problem of every stage at once."""
    partial, problems = collect_content(root, site_url)
    partial = replace(partial, episodes=read_audio(partial.episodes, problems))
    problems += validate(partial)
    content = partial.complete()
    if problems or content is None:
        raise ContentError(problems)
    return content


def read_audio(episodes: tuple[Episode, ...], problems: list[Problem]) -> tuple[Episode, ...]:
    """Each episode with its audio facts and chapters; unreadable files go to `problems`."""
    result: list[Episode] = []
    for episode in episodes:
        try:
            audio = read_audio_info(episode.audio_path)
            chapters = (
                with_ends(read_chapters_file(episode.chapters_file), audio.duration)
                if episode.chapters_file
                else audio.chapters
            )
        except (AudioError, ContentError) as error:
            # The audio file's path names the episode folder as well as the file.
            problems += error.problems
            result.append(episode)  # kept without audio, so validation still sees it
            continue
        result.append(replace(episode, audio=audio, chapters=chapters))
    return tuple(result)


def media_outputs(site: Site) -> list[Output]:
    show = site.content.show
    outputs: list[Output] = [(site.artwork_path, show.artwork)]
    outputs += [(site.media_path(e), e.audio_path) for e in site.episodes]
    return outputs


__all__ = ["BuildResult", "PodfeedError", "build"]
