"""The build pipeline, top to bottom: load → read audio → validate → render → write."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from podfeed.audio import read_audio_info
from podfeed.chapters import chapters_json
from podfeed.check import feed_issues
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
    warnings: tuple[Problem, ...] = ()  # rule-table warnings; errors stop the build


def build(root: Path, out: Path | None = None, site_url: str | None = None) -> BuildResult:
    """Build the show in `root` into `out` (default `root/public`); all or nothing."""
    root = root.absolute()
    out = (out or root / DEFAULT_OUT).absolute()
    if root.is_relative_to(out):
        raise BuildError.single(out, "would replace the show's own folder; choose another output.")
    site, feed, outputs = render_site(root, site_url)
    issues = feed_issues(site, feed, outputs, out / FEED_PATH)
    errors = [i.problem for i in issues if i.is_error]
    if errors:
        raise ContentError(errors)
    files = write_site(outputs, out)
    warnings = tuple(i.problem for i in issues if not i.is_error)
    return BuildResult(out=out, episodes=len(site.episodes), files=files, warnings=warnings)


def render_site(root: Path, site_url: str | None = None) -> tuple[Site, bytes, list[Output]]:
    """Everything up to writing: the site, its feed and every output, checked by the rules."""
    site = Site(gather(root, site_url))
    feed = render_feed(site)
    outputs: list[Output] = [(FEED_PATH, feed)]
    outputs += render_pages(site)
    outputs += media_outputs(site)
    return site, feed, outputs


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
    outputs += [(site.transcript_path(e, t), t.path) for e in site.episodes for t in e.transcripts]
    outputs += [
        (site.chapters_path(e), chapters_json(show, e)) for e in site.episodes if e.chapters
    ]
    return outputs


__all__ = ["BuildResult", "PodfeedError", "build"]
