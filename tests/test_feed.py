"""The generated feed, read the way podcast apps read it: lxml, feedparser, podcastparser."""

from __future__ import annotations

import calendar
import dataclasses
import email.utils
import hashlib
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from podfeed.audio import read_audio_info
from podfeed.build import build
from podfeed.content import load_content
from podfeed.feed import render_feed, rerender_items
from podfeed.pipeline import render_site

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "atom": "http://www.w3.org/2005/Atom",
}


@pytest.fixture
def bundled_feed(bundled_show: Path, tmp_path: Path) -> Path:
    build(bundled_show, tmp_path / "public")
    return tmp_path / "public" / "feed.xml"


@pytest.fixture
def sample_feed(sample_show: Path, tmp_path: Path) -> Path:
    build(sample_show, tmp_path / "public")
    return tmp_path / "public" / "feed.xml"


def test_feed_is_rss2_with_the_podcast_namespaces(bundled_feed: Path) -> None:
    data = bundled_feed.read_bytes()
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(data)
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    for prefix, uri in NS.items():
        assert root.nsmap[prefix] == uri
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Providers Deliver: Tackling the care backlog"
    assert channel.findtext("link") == "https://podcast.nhsproviders.org/"
    assert channel.findtext("language") == "en-GB"
    assert channel.findtext("itunes:author", namespaces=NS) == "NHS Providers"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:type", namespaces=NS) == "episodic"
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "NHS Providers"
    assert "@" in channel.findtext("itunes:owner/itunes:email", namespaces=NS)
    category = channel.find("itunes:category", NS)
    assert category.get("text") == "Health & Fitness"
    assert category.find("itunes:category", NS).get("text") == "Medicine"
    self_link = channel.xpath("atom:link[@rel='self']", namespaces=NS)
    assert [link.get("href") for link in self_link] == ["https://podcast.nhsproviders.org/feed.xml"]
    assert self_link[0].get("type") == "application/rss+xml"
    image = channel.find("itunes:image", NS).get("href")
    assert image.startswith("https://podcast.nhsproviders.org/artwork-")
    assert (bundled_feed.parent / image.rsplit("/", 1)[1]).is_file()


def test_items_carry_what_apps_need(bundled_show: Path, bundled_feed: Path) -> None:
    content = load_content(bundled_show)
    by_guid = {e.guid: e for e in content.episodes}
    root = etree.parse(str(bundled_feed)).getroot()
    items = root.findall("channel/item")
    assert len(items) == 4
    numbers = [item.findtext("itunes:episode", namespaces=NS) for item in items]
    assert numbers == ["4", "3", "2", "1"], "newest first"
    for item in items:
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false"
        episode = by_guid[guid.text]
        assert item.findtext("title") == episode.title
        assert item.findtext("link") == f"https://podcast.nhsproviders.org/episodes/{episode.slug}/"
        enclosure = item.find("enclosure")
        assert enclosure.get("url") == (
            f"https://podcast.nhsproviders.org/episodes/{episode.slug}/{episode.slug}.mp3"
        )
        assert enclosure.get("length") == str(episode.audio_path.stat().st_size)
        assert enclosure.get("type") == "audio/mpeg"
        duration = read_audio_info(episode.audio_path).duration
        assert item.findtext("itunes:duration", namespaces=NS) == str(round(duration))
        published = email.utils.parsedate_to_datetime(item.findtext("pubDate"))
        assert published == episode.released
        assert item.findtext("description") == episode.summary
        notes = item.findtext("content:encoded", namespaces=NS)
        assert notes.startswith("<p>")
        assert "<h2>" not in notes, "apps drop headings, so they become bold paragraphs"
        assert item.findtext("itunes:explicit", namespaces=NS) == "false"
        assert item.findtext("itunes:episodeType", namespaces=NS) == "full"


def test_media_and_artwork_are_copied_byte_for_byte(bundled_show: Path, bundled_feed: Path) -> None:
    public = bundled_feed.parent
    for episode in load_content(bundled_show).episodes:
        published = public / "episodes" / episode.slug / f"{episode.slug}.mp3"
        assert _sha(published) == _sha(episode.audio_path)
    artwork = next(public.glob("artwork-*.png"))
    assert _sha(artwork) == _sha(bundled_show / "artwork.png")


def test_feedparser_reads_every_episode(bundled_show: Path, bundled_feed: Path) -> None:
    parsed = feedparser.parse(bundled_feed.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Providers Deliver: Tackling the care backlog"
    # feedparser maps only 'yes' to True; Apple's current 'false' reads as not explicit
    assert not parsed.feed.itunes_explicit
    episodes = {e.guid: e for e in load_content(bundled_show).episodes}
    assert len(parsed.entries) == 4
    for entry in parsed.entries:
        episode = episodes[entry.id]
        assert entry.title == episode.title
        (enclosure,) = entry.enclosures
        assert int(enclosure.length) == episode.audio_path.stat().st_size
        assert enclosure.type == "audio/mpeg"
        assert enclosure.href.endswith(f"/{episode.slug}.mp3")
        assert calendar.timegm(entry.published_parsed) == int(episode.released.timestamp())
        assert entry.itunes_duration == str(round(read_audio_info(episode.audio_path).duration))
        assert "<strong>" in entry.content[0].value


def test_podcastparser_reads_every_episode(bundled_show: Path, bundled_feed: Path) -> None:
    with bundled_feed.open("rb") as stream:
        parsed = podcastparser.parse("https://podcast.nhsproviders.org/feed.xml", stream)
    assert parsed["title"] == "Providers Deliver: Tackling the care backlog"
    assert parsed["cover_url"].startswith("https://podcast.nhsproviders.org/artwork-")
    episodes = {e.guid: e for e in load_content(bundled_show).episodes}
    assert len(parsed["episodes"]) == 4
    for item in parsed["episodes"]:
        episode = episodes[item["guid"]]
        assert item["title"] == episode.title
        assert item["published"] == int(episode.released.timestamp())
        assert item["total_time"] == round(read_audio_info(episode.audio_path).duration)
        (enclosure,) = item["enclosures"]
        assert enclosure["file_size"] == episode.audio_path.stat().st_size
        assert enclosure["mime_type"] == "audio/mpeg"
        assert item["link"] == f"https://podcast.nhsproviders.org/episodes/{episode.slug}/"


def test_sample_show_mixes_formats_and_welsh(sample_show: Path, sample_feed: Path) -> None:
    root = etree.parse(str(sample_feed)).getroot()
    channel = root.find("channel")
    assert channel.findtext("language") == "cy"
    assert channel.find("itunes:category", NS).get("text") == "Technology"
    assert channel.find("itunes:category/itunes:category", NS) is None
    items = {item.findtext("guid"): item for item in channel.findall("item")}
    second = items["urn:sample:episode-2"]
    assert second.findtext("title") == "Second wind — ail wynt"
    enclosure = second.find("enclosure")
    assert enclosure.get("type") == "audio/x-m4a"
    assert enclosure.get("url") == (
        "https://sample.example.org/podcast/episodes/second-wind/second-wind.m4a"
    )
    assert enclosure.get("length") == str(
        (sample_show / "episodes/02-second-wind/episode.m4a").stat().st_size
    )
    notes = second.findtext("content:encoded", namespaces=NS)
    assert "<script" not in notes and "alert" not in notes.split("bad link")[0]
    assert 'href="javascript' not in notes
    first_notes = items["5b0f3bb4-0b6c-4a51-9d0e-2f3a8f6d1a01"].findtext(
        "content:encoded", namespaces=NS
    )
    # Relative links in notes become absolute, so they work inside a podcast app.
    assert 'href="https://sample.example.org/podcast/episodes/second-wind/"' in first_notes


def test_guids_survive_renaming_title_slug_and_site(sample_show: Path, tmp_path: Path) -> None:
    def guids_by_number(feed: Path) -> dict[str, str]:
        root = etree.parse(str(feed)).getroot()
        return {
            item.findtext("itunes:episode", namespaces=NS): item.findtext("guid")
            for item in root.iter("item")
        }

    build(sample_show, tmp_path / "before")
    before = guids_by_number(tmp_path / "before" / "feed.xml")

    episode = sample_show / "episodes" / "01-first-light" / "episode.md"
    episode.write_text(episode.read_text().replace("title: First light", "title: Dawn"))
    (sample_show / "episodes" / "01-first-light").rename(sample_show / "episodes" / "01-dawn")
    build(sample_show, tmp_path / "after", site_url="https://elsewhere.example.net")
    after_feed = tmp_path / "after" / "feed.xml"
    assert guids_by_number(after_feed) == before
    parsed = feedparser.parse(after_feed.read_bytes())
    titles = {e.id: e.title for e in parsed.entries}
    assert titles["5b0f3bb4-0b6c-4a51-9d0e-2f3a8f6d1a01"] == "Dawn"
    assert parsed.entries[1].link == "https://elsewhere.example.net/episodes/dawn/"


def test_builds_are_byte_identical(sample_show: Path, tmp_path: Path) -> None:
    build(sample_show, tmp_path / "one")
    build(sample_show, tmp_path / "two")
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert one == two
    assert "feed.xml" in one


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): _sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _guids(feed: Path) -> dict[str, str]:
    """episode number → GUID, plus the show's podcast:guid."""
    root = etree.parse(str(feed)).getroot()
    channel = root.find("channel")
    found = {
        item.findtext("itunes:episode", namespaces=NS): item.findtext("guid")
        for item in channel.iter("item")
    }
    found["show"] = channel.findtext("{https://podcastindex.org/namespace/1.0}guid")
    return found


def _rename_folder(show: Path) -> None:
    (show / "episodes/03-tackling-hospital-backlogs").rename(show / "episodes/03-hospitals")


def _retitle(show: Path) -> None:
    episode = show / "episodes/03-tackling-hospital-backlogs/episode.md"
    source = episode.read_text()
    assert 'title: "Tackling hospital backlogs"' in source
    episode.write_text(source.replace("Tackling hospital backlogs", "Hospital backlogs, renamed"))


@pytest.mark.parametrize(
    ("change", "site_url"),
    [
        (_rename_folder, None),
        (_retitle, None),
        (lambda show: None, "https://podcasts.example.net/providers-deliver"),
    ],
    ids=["folder renamed", "title changed", "site moved"],
)
def test_every_guid_survives(
    bundled_show: Path, tmp_path: Path, change: object, site_url: str | None
) -> None:
    build(bundled_show, tmp_path / "before")
    before = _guids(tmp_path / "before" / "feed.xml")
    change(bundled_show)  # type: ignore[operator]
    build(bundled_show, tmp_path / "after", site_url=site_url)
    assert _guids(tmp_path / "after" / "feed.xml") == before
    assert before["show"] == "25261a55-638a-5e72-9902-7ae8f3759a7e"


def test_podcast_guid_comes_from_the_feed_url_until_it_is_fixed(
    sample_show: Path, tmp_path: Path
) -> None:
    from podfeed.feed_podcast import podcast_guid

    build(sample_show, tmp_path / "one")
    derived = _guids(tmp_path / "one" / "feed.xml")["show"]
    assert derived == podcast_guid("https://sample.example.org/podcast/feed.xml")
    yaml_file = sample_show / "podcast.yaml"
    yaml_file.write_text(yaml_file.read_text() + f"podcast_guid: {derived}\n")
    build(sample_show, tmp_path / "two", site_url="https://moved.example.org")
    assert _guids(tmp_path / "two" / "feed.xml")["show"] == derived


TRICKY_NOTES = (
    "Notes that look like feed markup:\n\n    <item>\n\n</item> <guid>x</guid> ]]> &amp; "
    '`</item>`\n\n<item><guid isPermaLink="false">urn:other</guid></item>\n'
)


@pytest.mark.parametrize("notes", ["A short new paragraph.\n", TRICKY_NOTES])
def test_rerendering_changed_items_gives_the_whole_feed(bundled_show: Path, notes: str) -> None:
    """feed.rerender_items (an edit's quick path, delta.py) writes what render_feed does."""
    site, before, _ = render_site(bundled_show)
    episodes = site.feed_episodes
    edited = dataclasses.replace(episodes[1], notes_markdown=episodes[1].notes_markdown + notes)
    changed = dataclasses.replace(
        site,
        content=dataclasses.replace(
            site.content, episodes=tuple(edited if e is episodes[1] else e for e in episodes)
        ),
    )
    spliced = rerender_items(before, changed, (edited,))
    assert spliced == render_feed(changed)
    assert spliced != before


def test_rerendering_gives_way_when_the_feed_is_not_as_expected(bundled_show: Path) -> None:
    site, feed, _ = render_site(bundled_show)
    newest = site.feed_episodes[0]
    without = dataclasses.replace(
        site, content=dataclasses.replace(site.content, episodes=site.feed_episodes[1:])
    )
    assert rerender_items(render_feed(without), site, (newest,)) is None  # not in it
    assert rerender_items(feed.replace(b"</item>", b"", 1), site, (newest,)) is None
    doubled = feed.replace(b"</channel>", feed[feed.index(b"\n    <item>") :], 1)
    assert rerender_items(doubled, site, (newest,)) is None  # its GUID twice
