"""`podfeed new`: the next episode's folder, with every field filled in or explained.

The new episode takes the next number, a slug made from its title, a fresh UUID for its
GUID and the next weekly release slot (the last episode's release time plus a week, in the
same zone). The folder is made under a hidden temporary name and renamed into place only
once its file is safely on disk, and nothing that exists is ever overwritten.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from podfeed.content import EPISODE_FIELDS, EPISODES_DIR, load_content
from podfeed.errors import ContentError, Problem
from podfeed.model import EPISODE_FILE, Episode
from podfeed.writer import fsync_dir

RELEASE_INTERVAL = timedelta(weeks=1)
FIRST_RELEASE_HOUR = 9  # a show's first episode goes out at 09:00 a week from now
AUDIO_NAME = "episode.mp3"
SUMMARY_PLACEHOLDER = "Write one or two plain sentences about this episode."
NOTES_PLACEHOLDER = "Write the show notes here, in Markdown."
SLUG_LENGTH = 60

# Fields only an imported show uses, for media hosted elsewhere (see remote.py).
IMPORTED_FIELDS = frozenset({"feed_guid", "remote_audio", "chapters_url", "transcripts"})
# One comment per other field of EPISODE_FIELDS, written above it in the template.
FIELD_COMMENTS = {
    "title": "The episode's title, as podcast apps and the website show it.",
    "number": "Episode number, 1 or more; unique within a season.",
    "season": "Season number; leave it out for a show without seasons.",
    "released": "When the episode goes out, with its time zone (+01:00 is British Summer "
    "Time, +00:00 GMT).\n"
    "Until then `podfeed build` leaves it out; `podfeed build --preview` shows it.",
    "draft": "true keeps the episode out of the feed and the website, even after its release time.",
    "guid": "A permanent unique id made for this episode. Never change it once published.",
    "summary": "One or two plain sentences: the description podcast apps show.",
    "people": "Who takes part: ids from episodes/people.yaml, each with a role (host, "
    "co-host or guest),\nlike:  - id: miriam-deakin\n         role: guest",
    "organisations": "Organisations featured: ids from episodes/organisations.yaml, like "
    "[nhs-providers, ipsos].",
    "audio": "The audio file in this folder (MP3, M4A, Ogg or FLAC); its size, type and "
    "duration are read from it.",
    "explicit": "true if the episode has explicit content; leave it out to use the show's setting.",
    "type": "full for a normal episode, trailer or bonus.",
    "slug": "The page's web address; leave it out to use the folder name without its number.",
}


@dataclass(frozen=True)
class NewEpisode:
    folder: Path
    number: int
    season: int | None
    released: datetime
    guid: str
    slug: str
    audio: Path  # where to put the audio


def slugify(title: str) -> str:
    """'Tackling A&E backlogs — part 2' → 'tackling-a-e-backlogs-part-2'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_LENGTH:
            break
        slug = candidate
    return slug


def next_release(episodes: tuple[Episode, ...], now: datetime) -> datetime:
    """A week after the latest episode at the same time of day. When the show goes out in
    this computer's zone, that is the same clock time there, with the offset that date has
    (09:30+01:00 in late October is followed by 09:30+00:00); otherwise its offset is kept.
    (`astimezone()` of a time without a zone gives it this computer's offset at that time.)"""
    if episodes:
        latest = max(e.released for e in episodes)
        here = latest.astimezone()
        if here.utcoffset() != latest.utcoffset():
            return latest + RELEASE_INTERVAL
        return (here.replace(tzinfo=None) + RELEASE_INTERVAL).astimezone()
    first = now.astimezone().replace(tzinfo=None) + RELEASE_INTERVAL
    return first.replace(hour=FIRST_RELEASE_HOUR, minute=0, second=0, microsecond=0).astimezone()


def new_episode(
    root: Path,
    title: str,
    now: datetime,
    *,
    released: datetime | None = None,
    number: int | None = None,
    slug: str | None = None,
    make_guid: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> NewEpisode:
    """Create the next episode's folder and episode.md under root/episodes; never overwrite."""
    root = root.absolute()
    content = load_content(root)
    episodes = content.episodes
    latest = max(episodes, key=lambda e: e.released, default=None)
    season = latest.season if latest else None
    if number is None:
        number = max((e.number for e in episodes if e.season == season), default=0) + 1
    released = released or next_release(episodes, now)
    slug = slug or slugify(title) or f"episode-{number}"
    base = root / EPISODES_DIR
    folder = base / f"{number:02d}-{slug}"
    _refuse_clashes(episodes, folder, number, season, slug)
    episode = NewEpisode(
        folder=folder,
        number=number,
        season=season,
        released=released,
        guid=make_guid(),
        slug=slug,
        audio=folder / AUDIO_NAME,
    )
    text = episode_template(title, episode, content.show.explicit)
    _create_folder(folder, {EPISODE_FILE: text})
    return episode


def _refuse_clashes(
    episodes: tuple[Episode, ...], folder: Path, number: int, season: int | None, slug: str
) -> None:
    if folder.exists():
        raise ContentError.single(folder, "already exists; podfeed new never overwrites a folder.")
    for existing in episodes:
        if (existing.season, existing.number) == (season, number):
            raise ContentError.single(
                existing.source, f"already is episode {number}; choose another --number."
            )
        if existing.slug == slug:
            raise ContentError.single(
                existing.source,
                f"already uses the web address '{slug}'; choose another title or --slug.",
            )


def episode_template(title: str, episode: NewEpisode, show_explicit: bool) -> str:
    """episode.md with every field of EPISODE_FIELDS, each under a comment explaining it."""
    values: dict[str, str | None] = {
        "title": _quoted(title),
        "number": str(episode.number),
        "season": str(episode.season) if episode.season else None,
        "released": episode.released.isoformat(),
        "draft": "false",
        "guid": episode.guid,
        "summary": _quoted(SUMMARY_PLACEHOLDER),
        "people": "[]",
        "organisations": "[]",
        "audio": episode.audio.name,
        "explicit": None,
        "type": "full",
        "slug": None,  # the folder name gives it
    }
    examples = {"season": "1", "explicit": str(show_explicit).lower(), "slug": episode.slug}
    lines = ["---"]
    for field in EPISODE_FIELDS:
        if field.name in IMPORTED_FIELDS:
            continue
        comment = FIELD_COMMENTS[field.name]
        lines += [f"# {part}" for part in comment.split("\n")]
        value = values[field.name]
        if value is None:
            lines.append(f"# {field.name}: {examples[field.name]}")
        else:
            lines.append(f"{field.name}: {value}")
    lines += [
        "---",
        "",
        NOTES_PLACEHOLDER,
        "",
        "## In this episode",
        "",
        "- **Name**, job title, organisation",
        "",
    ]
    return "\n".join(lines)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def placeholder_problems(episode: Episode) -> list[Problem]:
    """Template text that was never replaced: `status` reports it, `build` refuses it."""
    problems = []
    if episode.summary == SUMMARY_PLACEHOLDER:
        problems.append(
            Problem(episode.source, "still has the template's text; write the summary.", "summary")
        )
    if NOTES_PLACEHOLDER in episode.notes_markdown:
        problems.append(
            Problem(
                episode.source,
                "The show notes still start with the template's text; write them before release.",
            )
        )
    return problems


def _create_folder(folder: Path, files: dict[str, str]) -> None:
    """Write into a hidden folder, flush it to disk, then rename it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = folder.parent / f".podfeed-new-{uuid.uuid4().hex}"
    temp.mkdir()  # not mkdtemp, whose folders only their owner may read
    try:
        for name, text in files.items():
            with (temp / name).open("x", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
        fsync_dir(temp)
        if folder.exists():
            raise ContentError.single(
                folder, "already exists; podfeed new never overwrites a folder."
            )
        os.rename(temp, folder)
        fsync_dir(folder.parent)
    except BaseException:
        for leftover in temp.glob("*"):
            leftover.unlink()
        if temp.exists():
            temp.rmdir()
        raise
