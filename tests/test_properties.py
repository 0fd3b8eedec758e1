"""Property: any show that passes validation gives a feed three parsers agree on, and pages
that parse as HTML with the episode's title."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
import podcastparser
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree, html

from podfeed.build import build
from podfeed.errors import PodfeedError

REPO = Path(__file__).resolve().parents[1]
# Any character a person can type: letters of every script, emoji, punctuation, symbols;
# not control characters (refused with a message) or lone surrogates (not text at all).
TYPED = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
LINE = st.text(TYPED, min_size=1, max_size=60).map(str.strip).filter(bool)
NOTES = st.text(st.characters(blacklist_categories=("Cs", "Co", "Cn")), max_size=400)


@st.composite
def episodes(draw: st.DrawFn) -> list[dict[str, object]]:
    count = draw(st.integers(min_value=1, max_value=3))
    numbers = draw(st.lists(st.integers(1, 999), min_size=count, max_size=count, unique=True))
    result = []
    for index, number in enumerate(numbers):
        offset = draw(st.integers(min_value=-12 * 60, max_value=14 * 60))
        moment = datetime(2020, 1, 1, tzinfo=timezone(timedelta(minutes=offset))) + timedelta(
            minutes=draw(st.integers(0, 2_000_000))
        )
        result.append(
            {
                "title": draw(LINE),
                "number": number,
                "released": moment.replace(second=0, microsecond=0).isoformat(),
                "guid": f"urn:prop:{index}:{draw(st.uuids())}",
                "summary": draw(LINE),
                "notes": draw(NOTES),
                "person": draw(LINE),
            }
        )
    return result


def write_show(root: Path, generated: list[dict[str, object]]) -> None:
    (root / "episodes").mkdir(parents=True)
    shutil.copyfile(REPO / "artwork.png", root / "artwork.png")
    (root / "podcast.yaml").write_text(
        "title: Property show\ndescription: Made by hypothesis.\nauthor: Tests\n"
        "owner:\n  name: Tests\n  email: tests@example.org\nlanguage: en\n"
        "category: Technology\nsite_url: https://prop.example.org\nartwork: artwork.png\n",
        encoding="utf-8",
    )
    people = "".join(
        f"p{index}:\n  name: {json.dumps(e['person'], ensure_ascii=False)}\n"
        for index, e in enumerate(generated)
    )
    (root / "episodes" / "people.yaml").write_text(people, encoding="utf-8")
    for index, episode in enumerate(generated):
        folder = root / "episodes" / f"{index:02d}-episode-{index}"
        folder.mkdir()
        shutil.copyfile(
            REPO / "episodes" / "01-how-is-the-nhs-tackling-the-care-backlog" / "episode.mp3",
            folder / "episode.mp3",
        )
        front = {k: episode[k] for k in ("title", "number", "released", "guid", "summary")}
        lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
        lines += [f"people: [p{index}]", "audio: episode.mp3"]
        (folder / "episode.md").write_text(
            "---\n" + "\n".join(lines) + "\n---\n" + str(episode["notes"]), encoding="utf-8"
        )


def feedparser_repaired(text: str) -> str:
    """feedparser "repairs" text that reads as UTF-8 taken for Latin-1 ('Â¡' becomes '¡',
    feedparser/mixin.py): a quirk of that parser, not a fault in the feed."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


@settings(
    max_examples=60,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),  # the same examples every CI run: no flaky landing
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(episodes())
def test_valid_shows_give_feeds_every_parser_reads_alike(
    generated: list[dict[str, object]],
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "show"
        write_show(root, generated)
        try:
            build(root, root / "public")
        except PodfeedError:
            assume(False)  # refused with a message: not a show that passes validation
        public = root / "public"
        data = (public / "feed.xml").read_bytes()
        expected = {str(e["guid"]): e for e in generated}

        items = etree.fromstring(data).findall("channel/item")
        assert {item.findtext("guid"): item.findtext("title") for item in items} == {
            guid: e["title"] for guid, e in expected.items()
        }

        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert {entry.id for entry in parsed.entries} == set(expected)
        for entry in parsed.entries:
            title = feedparser_repaired(str(expected[entry.id]["title"]))
            assert entry.title.split() == title.split()

        with (public / "feed.xml").open("rb") as stream:
            gpodder = podcastparser.parse("https://prop.example.org/feed.xml", stream)
        assert {e["guid"] for e in gpodder["episodes"]} == set(expected)
        for episode in gpodder["episodes"]:
            # podcastparser collapses whitespace and turns NBSP into spaces
            assert episode["title"].split() == str(expected[episode["guid"]]["title"]).split()

        for guid, episode in expected.items():
            (item,) = [i for i in items if i.findtext("guid") == guid]
            page = (
                public
                / item.findtext("link").removeprefix("https://prop.example.org/")
                / "index.html"
            )
            doc = html.fromstring(page.read_bytes())
            assert doc.findtext(".//h1") == episode["title"]
