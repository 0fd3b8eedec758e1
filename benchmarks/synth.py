"""A synthetic show of N episodes for the benchmark: realistic notes, real audio files.

Everything is derived from the episode number with a seeded generator, so the same N
always gives the same show. Audio is hard-linked (or copied, across file systems) from
the real encoded files in tests/data/ and the bundled episodes.
"""

from __future__ import annotations

import os
import random
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AUDIO_SOURCES = [
    REPO / "tests" / "data" / "speech.mp3",
    REPO / "tests" / "data" / "speech.m4a",
    REPO / "tests" / "data" / "speech.ogg",
    REPO / "tests" / "data" / "speech.opus",
    REPO / "tests" / "data" / "speech.flac",
    *sorted((REPO / "episodes").glob("*/episode.mp3")),
]
WORDS = (
    "backlog care patients trust hospital community ambulance mental health services waiting "
    "list recovery elective surgery clinicians nurses teams pathway discharge virtual ward "
    "diagnostics capacity demand winter pressure workforce training digital outpatient referral "
    "primary secondary integrated system partnership inequalities prevention early intervention "
    "children families carers volunteers funding investment outcomes quality safety experience"
).split()
KINDS = ("nhs-trust", "national-body", "membership-body", "charity", "company", "partnership")
START = datetime(1990, 1, 1, 9, 0, tzinfo=UTC)
FEED_EPISODES = 300  # the feed carries the newest 300, as big shows' hosts do

SHOW_YAML = """\
title: "Synthetic Show"
description: "A generated show for podfeed's benchmark."
author: Benchmark Team
owner:
  name: Benchmark Team
  email: bench@example.org
language: en-GB
category: Health & Fitness
subcategory: Medicine
explicit: false
type: episodic
site_url: https://bench.example.org
artwork: artwork.png
copyright: "© Benchmark"
podcast_guid: 5c2a9f10-7d1e-5b0a-9c52-1e0f4a6b2d33
feed_episodes: {feed_episodes}
"""


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def notes(rng: random.Random, number: int) -> str:
    """About 2 KB of Markdown: headings, paragraphs with links, a bullet and a numbered list."""
    parts = [
        " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(4)),
        "## In this episode",
        "\n".join(
            f"- **{sentence(rng, 2)[:-1]}** on [{rng.choice(WORDS)}]"
            f"(https://example.org/{number}/{i}) and {rng.choice(WORDS)}"
            for i in range(4)
        ),
        " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(4))
        + f" Read [the report](https://example.org/reports/{number}) for *more* detail.",
        "## Key points",
        "\n".join(f"{i}. {sentence(rng, rng.randint(6, 12))}" for i in range(1, 5)),
        " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(3)),
    ]
    return "\n\n".join(parts) + "\n"


def sizes(n: int) -> tuple[int, int]:
    """How many people and organisations a show of n episodes has."""
    return max(40, n // 5), max(15, n // 50)


def episode_folder(root: Path, number: int) -> Path:
    return root / "episodes" / f"{number:05d}-episode-{number}"


def write_episode(root: Path, number: int, title_suffix: str = "") -> Path:
    rng = random.Random(number)
    people_count, org_count = _registry_sizes(root)
    folder = episode_folder(root, number)
    folder.mkdir(parents=True, exist_ok=True)
    source = AUDIO_SOURCES[number % len(AUDIO_SOURCES)]
    audio = folder / f"episode{source.suffix}"
    if not audio.exists():
        _link_or_copy(source, audio)
    people = rng.sample(range(people_count), rng.randint(2, 4))
    roles = ["host"] + ["guest"] * 3
    organisations = rng.sample(range(org_count), rng.randint(1, 3))
    released = START + timedelta(days=number, hours=rng.randint(0, 8))
    title = f"Episode {number}: {sentence(rng, 5)[:-1]}{title_suffix}"
    front = [
        "---",
        f'title: "{title}"',
        f"number: {number}",
        f"released: {released.isoformat()}",
        f"guid: {uuid.uuid5(uuid.NAMESPACE_URL, f'bench/{number}')}",
        f"summary: {sentence(rng, 24)}",
        "people:",
        *(f"  - id: person-{p}\n    role: {roles[i]}" for i, p in enumerate(people)),
        f"organisations: [{', '.join(f'org-{o}' for o in organisations)}]",
        f"audio: {audio.name}",
        "---",
        "",
    ]
    (folder / "episode.md").write_text("\n".join(front) + notes(rng, number), encoding="utf-8")
    return folder


def _registry_sizes(root: Path) -> tuple[int, int]:
    counts = (root / ".sizes").read_text().split()
    return int(counts[0]), int(counts[1])


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def make_show(root: Path, n: int, feed_episodes: int = FEED_EPISODES) -> Path:
    """Write a show of n episodes into root (which must not exist yet); returns root."""
    root.mkdir(parents=True)
    people_count, org_count = sizes(n)
    (root / ".sizes").write_text(f"{people_count} {org_count}")
    (root / "podcast.yaml").write_text(SHOW_YAML.format(feed_episodes=feed_episodes))
    shutil.copyfile(REPO / "artwork.png", root / "artwork.png")
    (root / "episodes").mkdir()
    rng = random.Random(0)
    with (root / "episodes" / "organisations.yaml").open("w") as file:
        for o in range(org_count):
            file.write(
                f"org-{o}:\n  name: {sentence(rng, 3)[:-1].title()} {o}\n"
                f"  kind: {KINDS[o % len(KINDS)]}\n  website: https://org{o}.example.org/\n"
            )
    with (root / "episodes" / "people.yaml").open("w") as file:
        for p in range(people_count):
            file.write(
                f"person-{p}:\n  name: {rng.choice(WORDS).title()} Person{p}\n"
                f"  job_title: {sentence(rng, 2)[:-1].title()}\n"
                f"  organisation: org-{rng.randrange(org_count)}\n"
            )
    for number in range(1, n + 1):
        write_episode(root, number)
    return root
