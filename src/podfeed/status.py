"""`podfeed status`: every episode, its release state and what stands in its way.

Unlike a build, which stops at the first broken file, status reads each episode on its
own, so one broken draft does not hide the state of the others. An episode is blocked by
anything that would stop a build publishing it: unreadable metadata, missing or broken
audio, ids that do not exist, clashing numbers or GUIDs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from podfeed.audio import read_audio
from podfeed.check import check_show
from podfeed.content import (
    EPISODES_DIR,
    ORGANISATIONS_FILE,
    PEOPLE_FILE,
    episode_folders,
    load_episode,
    load_organisations,
    load_people,
    load_show,
    locate,
)
from podfeed.errors import ContentError, Problem
from podfeed.model import Content, Episode, PartialContent
from podfeed.schedule import State, release_state
from podfeed.validate import validate

# Further checks an episode must pass, each giving the problems it finds.
EpisodeCheck = Callable[[Episode], Iterable[Problem]]


@dataclass(frozen=True)
class EpisodeStatus:
    folder: Path
    episode: Episode | None  # None when its episode.md cannot be read
    state: State | None
    blockers: tuple[Problem, ...]

    @property
    def blocks_listeners(self) -> bool:
        """Blocked and due out (or of unknown state): the feed cannot be built right now."""
        return bool(self.blockers) and self.state in (None, State.PUBLISHED)


@dataclass(frozen=True)
class ShowStatus:
    now: datetime
    episodes: tuple[EpisodeStatus, ...]
    show_problems: tuple[Problem, ...]  # registries and rules not tied to one episode

    @property
    def blocked(self) -> bool:
        return bool(self.show_problems) or any(e.blocks_listeners for e in self.episodes)


def show_status(root: Path, now: datetime, extra_checks: Iterable[EpisodeCheck] = ()) -> ShowStatus:
    """The state of every episode at `now`; raises ContentError only if podcast.yaml is bad."""
    root = root.absolute()
    show = load_show(root)
    show_problems: list[Problem] = []
    people, organisations = {}, {}
    try:
        people = load_people(root / EPISODES_DIR / PEOPLE_FILE)
    except ContentError as error:
        show_problems += error.problems
    try:
        organisations = load_organisations(root / EPISODES_DIR / ORGANISATIONS_FILE)
    except ContentError as error:
        show_problems += error.problems
    folder_problems: list[Problem] = []
    folders = episode_folders(root, folder_problems)
    loaded: dict[Path, Episode] = {}
    blockers: dict[Path, list[Problem]] = {folder: [] for folder in folders}
    for problem in folder_problems:
        blockers[problem.file] = [problem]
    for folder in folders:
        try:
            loaded[folder] = load_episode(folder, root, show.explicit, show.language)
        except ContentError as error:
            blockers[folder] += error.problems
    content = Content(show, people, organisations, tuple(loaded.values()))
    checks = list(extra_checks)
    for folder, episode in loaded.items():
        read_audio((episode,), blockers[folder])
        for check in checks:
            blockers[folder] += locate(list(check(episode)))
    for problem in validate(PartialContent(root, show, people, organisations, content.episodes)):
        owner = next((f for f in loaded if problem.file.is_relative_to(f)), None)
        if owner is None:
            show_problems.append(problem)
        else:
            blockers[owner].append(problem)
    if not show_problems and not any(blockers.values()):
        # The files are sound; now the feed rules, with every episode as if published.
        for issue in check_show(root, preview=True):
            if not issue.is_error:
                continue
            owner = next((f for f in loaded if issue.problem.file.is_relative_to(f)), None)
            (blockers[owner] if owner else show_problems).append(issue.problem)
    rows = []
    for folder in sorted(blockers):
        found = loaded.get(folder)
        state = release_state(found, now) if found is not None else None
        rows.append(EpisodeStatus(folder, found, state, tuple(blockers[folder])))
    return ShowStatus(now, tuple(rows), tuple(show_problems))


def status_table(status: ShowStatus) -> list[str]:
    """One line per episode: number, title, state, release time and a count of blockers."""
    header = ("#", "Episode", "State", "Release", "Blockers")
    rows = [header]
    for row in status.episodes:
        shown = row.episode
        rows.append(
            (
                _number(shown) if shown else "?",
                _shorten(shown.title if shown else row.folder.name, 40),
                str(row.state) if row.state else "unreadable",
                shown.released.isoformat(" ", "minutes") if shown else "?",
                str(len(row.blockers)) if row.blockers else "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]


def _number(episode: Episode) -> str:
    return f"{episode.season}.{episode.number}" if episode.season else str(episode.number)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
