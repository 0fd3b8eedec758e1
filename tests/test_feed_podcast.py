"""The Podcasting 2.0 namespace and Podlove chapters, read by lxml and by real podcast parsers.

podcast-partytime is the Podcast Index's own parser (npm); its test skips when Node is
missing on a laptop, but fails under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
from lxml import etree

from podfeed.build import build
from podfeed.content import load_content
from podfeed.feed_podcast import podcast_guid

REPO = Path(__file__).resolve().parents[1]
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
}
SITE = "https://podcast.nhsproviders.org"


@pytest.fixture
def bundled_public(bundled_show: Path, tmp_path: Path) -> Path:
    build(bundled_show, tmp_path / "public")
    return tmp_path / "public"


def _channel(public: Path) -> Any:
    return etree.parse(str(public / "feed.xml")).getroot().find("channel")


@pytest.mark.parametrize(
    ("feed_url", "expected"),
    [
        # Test vectors from the namespace's guid.md and Podnews.
        ("https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("http://mp3s.nashownotes.com/pc20rss.xml/", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
        ("mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
    ],
)
def test_podcast_guid_follows_the_namespace_spec(feed_url: str, expected: str) -> None:
    assert podcast_guid(feed_url) == expected
    assert uuid.UUID(podcast_guid(feed_url)).version == 5


def test_channel_tags(bundled_public: Path) -> None:
    channel = _channel(bundled_public)
    root = channel.getparent()
    assert root.nsmap["podcast"] == NS["podcast"] and root.nsmap["psc"] == NS["psc"]
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(
        "https://podcast.nhsproviders.org/feed.xml"
    )
    locked = channel.find("podcast:locked", NS)
    assert (locked.text, locked.get("owner")) == ("yes", "enquiries@nhsproviders.org")
    assert channel.findtext("podcast:medium", namespaces=NS) == "podcast"
    assert channel.find("podcast:funding", NS) is None, "the bundled show sets no funding"


def test_items_carry_people_transcripts_and_chapters(
    bundled_show: Path, bundled_public: Path
) -> None:
    content = load_content(bundled_show)
    episodes = {e.guid: e for e in content.episodes}
    for item in _channel(bundled_public).findall("item"):
        episode = episodes[item.findtext("guid")]
        base = f"{SITE}/episodes/{episode.slug}/"
        people = [
            (p.text, p.get("role"), p.get("group"), p.get("href"))
            for p in item.findall("podcast:person", NS)
        ]
        assert people == [
            (content.people[a.person].name, a.role, "cast", f"{SITE}/people/{a.person}/")
            for a in episode.people
        ]
        assert item.findtext("podcast:episode", namespaces=NS) == str(episode.number)
        assert item.find("podcast:season", NS) is None
        (transcript,) = item.findall("podcast:transcript", NS)
        assert transcript.attrib == {
            "url": base + "transcript.vtt",
            "type": "text/vtt",
            "language": "en-GB",
            "rel": "captions",
        }
        published = bundled_public / "episodes" / episode.slug / "transcript.vtt"
        assert published.read_bytes() == (episode.folder / "transcript.vtt").read_bytes()
        chapters = item.find("podcast:chapters", NS)
        assert chapters.attrib == {
            "url": base + "chapters.json",
            "type": "application/json+chapters",
        }
        psc = item.find("psc:chapters", NS)
        assert psc.get("version") == "1.2"
        titles = [c.get("title") for c in psc.findall("psc:chapter", NS)]
        assert titles == ["Welcome", "About this episode", "About this recording"]
        assert psc.find("psc:chapter", NS).get("start") == "00:00:00"


def test_chapters_json_follows_the_json_chapters_spec(
    bundled_show: Path, bundled_public: Path
) -> None:
    from podfeed.audio import read_audio_info

    for episode in load_content(bundled_show).episodes:
        document = json.loads(
            (bundled_public / "episodes" / episode.slug / "chapters.json").read_text("utf-8")
        )
        assert document["version"] == "1.2.0"
        allowed_top = {"version", "chapters", "author", "title", "podcastName", "description",
                       "fileName", "waypoints"}  # fmt: skip
        assert set(document) <= allowed_top
        assert all(isinstance(document[k], str) for k in set(document) - {"chapters", "waypoints"})
        audio = read_audio_info(episode.audio_path)
        starts = []
        for chapter in document["chapters"]:
            assert set(chapter) <= {
                "startTime",
                "endTime",
                "title",
                "img",
                "url",
                "toc",
                "location",
            }
            assert isinstance(chapter["startTime"], int | float) and chapter["startTime"] >= 0
            assert isinstance(chapter["title"], str) and chapter["title"]
            assert chapter["endTime"] >= chapter["startTime"]
            starts.append(chapter["startTime"])
        assert starts == sorted(starts) and starts[0] == 0 and len(starts) == 3
        assert [round(s, 3) for s in starts] == [round(c.start, 3) for c in audio.chapters]
        ends = [round(c.end, 3) for c in audio.chapters if c.end is not None]
        assert [c["endTime"] for c in document["chapters"]] == ends


def test_show_hosts_funding_and_license(sample_show: Path, tmp_path: Path) -> None:
    yaml_file = sample_show / "podcast.yaml"
    yaml_file.write_text(
        yaml_file.read_text()
        + "hosts: [hal-host, sam-solo]\nlocked: false\nlicense: CC-BY-4.0\n"
        + "funding:\n  - url: https://example.org/give\n    text: Support the show\n"
    )
    people = sample_show / "episodes/people.yaml"
    people.write_text(
        people.read_text()
        + "hal-host:\n  name: Hal Host\n  link: https://example.org/hal\n"
        + "  image: https://example.org/hal.jpg\n"
    )
    (sample_show / "episodes/02-second-wind/transcript.srt").write_text(
        "1\n00:00:00,000 --> 00:00:02,000\nHello.\n", "utf-8"
    )
    (sample_show / "episodes/02-second-wind/transcript.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHelo.\n", "utf-8"
    )
    (sample_show / "episodes/02-second-wind/transcript.en.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello.\n", "utf-8"
    )
    build(sample_show, tmp_path / "public")
    channel = _channel(tmp_path / "public")
    assert channel.findtext("podcast:locked", namespaces=NS) == "no"
    assert channel.findtext("podcast:license", namespaces=NS) == "CC-BY-4.0"
    funding = channel.find("podcast:funding", NS)
    assert (funding.text, funding.get("url")) == ("Support the show", "https://example.org/give")
    base = "https://sample.example.org/podcast"
    hosts = [
        (p.text, p.get("role"), p.get("href"), p.get("img"))
        for p in channel.findall("podcast:person", NS)
    ]
    assert hosts == [
        # Hal has no page on the site (he is in no episode), so his own link is used.
        ("Hal Host", "host", "https://example.org/hal", "https://example.org/hal.jpg"),
        ("Sam Solo", "host", f"{base}/people/sam-solo/", None),
    ]
    items = {i.findtext("guid"): i for i in channel.findall("item")}
    first = items["5b0f3bb4-0b6c-4a51-9d0e-2f3a8f6d1a01"]
    people = [(p.text, p.get("role"), p.get("href")) for p in first.findall("podcast:person", NS)]
    assert people == [
        # the show's hosts, repeated: item-level people replace the channel's list in apps
        ("Hal Host", "host", "https://example.org/hal"),
        ("Sam Solo", "host", f"{base}/people/sam-solo/"),
        ("Ada Host", "host", f"{base}/people/ada-host/"),
        ("Gwen ap Rhys 🎙️", "guest", f"{base}/people/gwen-guest/"),
    ]
    second = items["urn:sample:episode-2"]
    transcripts = [
        (t.get("language"), t.get("type")) for t in second.findall("podcast:transcript", NS)
    ]
    # The show's language (cy) last, and WebVTT last within it: apps keeping one keep the last.
    assert transcripts == [("en", "text/vtt"), ("cy", "application/x-subrip"), ("cy", "text/vtt")]
    for name in ("transcript.srt", "transcript.vtt", "transcript.en.vtt"):
        assert (tmp_path / "public/episodes/second-wind" / name).is_file()


def test_unknown_host_is_reported(sample_show: Path) -> None:
    from podfeed.errors import ContentError

    yaml_file = sample_show / "podcast.yaml"
    yaml_file.write_text(yaml_file.read_text() + "hosts: [ada-hots]\n")
    with pytest.raises(ContentError) as caught:
        build(sample_show)
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"{yaml_file}:18: hosts[0]: 'ada-hots' is not in episodes/people.yaml. "
        "Did you mean 'ada-host'?"
    )


def test_feedparser_reads_the_namespaces(bundled_public: Path) -> None:
    parsed = feedparser.parse((bundled_public / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert parsed.feed.podcast_guid == podcast_guid(f"{SITE}/feed.xml")
    # feedparser keeps the attributes of an element that has both, not its text
    assert parsed.feed.podcast_locked == {"owner": "enquiries@nhsproviders.org"}
    for entry in parsed.entries:
        # feedparser keeps only the last transcript, which is why the preferred one goes last
        assert entry.podcast_transcript["type"] == "text/vtt"
        assert entry.podcast_chapters["type"] == "application/json+chapters"
        titles = [c["title"] for c in entry.psc_chapters["chapters"]]
        assert titles == ["Welcome", "About this episode", "About this recording"]


def test_podcastparser_reads_podlove_chapters(bundled_show: Path, bundled_public: Path) -> None:
    from podfeed.audio import read_audio_info

    with (bundled_public / "feed.xml").open("rb") as stream:
        parsed = podcastparser.parse(f"{SITE}/feed.xml", stream)
    episodes = {e.guid: e for e in load_content(bundled_show).episodes}
    for item in parsed["episodes"]:
        audio = read_audio_info(episodes[item["guid"]].audio_path)
        assert item["chapters"] == [
            {"start": int(c.start), "title": c.title} for c in audio.chapters
        ]


def test_podcast_partytime_understands_the_feed(bundled_show: Path, bundled_public: Path) -> None:
    node = shutil.which("node")
    module = REPO / "node_modules" / "podcast-partytime"
    if node is None or not module.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("node and podcast-partytime (npm ci) are needed under CI")
        pytest.skip("node or node_modules/podcast-partytime missing; run npm ci")
    result = subprocess.run(
        [node, str(REPO / "tests/node/partytime.js"), str(bundled_public / "feed.xml")],
        capture_output=True,
        check=True,
        cwd=REPO,
        text=True,
    )
    feed = json.loads(result.stdout)
    assert feed["guid"] == podcast_guid(f"{SITE}/feed.xml")
    assert feed["locked"] is True
    assert feed["podcastOwner"] == "enquiries@nhsproviders.org"
    content = load_content(bundled_show)
    episodes = {e.guid: e for e in content.episodes}
    assert {i["guid"] for i in feed["items"]} == set(episodes)
    for item in feed["items"]:
        episode = episodes[item["guid"]]
        base = f"{SITE}/episodes/{episode.slug}/"
        assert item["podcastTranscripts"] == [
            {
                "url": base + "transcript.vtt",
                "type": "text/vtt",
                "language": "en-GB",
                "rel": "captions",
            }
        ]
        assert item["podcastChapters"] == {
            "url": base + "chapters.json",
            "type": "application/json+chapters",
        }
        assert item["podcastEpisode"] == {"number": episode.number}
        # partytime capitalises roles and groups
        assert item.get("podcastPeople", []) == [
            {
                "name": content.people[a.person].name,
                "role": a.role.capitalize(),
                "group": "Cast",
                "href": f"{SITE}/people/{a.person}/",
            }
            for a in episode.people
        ]
