"""`podfeed import`: fixture feeds with hosts' quirks, and the 30 real feeds in ../shared/feeds.

The real feeds are read where they are (never copied into the repository); those tests
skip when the folder is absent. Import → build must give a feed whose episodes, GUIDs,
enclosures and dates match the original, compared by GUID with feedparser.
"""

from __future__ import annotations

import html
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from podfeed.build import build
from podfeed.cli import cli
from podfeed.content import load_content
from podfeed.importer import MIME_ALIASES, FeedImportError, html_to_markdown, import_feed

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "feeds"
SHARED_FEEDS = Path(os.environ.get("PODFEED_SHARED_FEEDS", REPO.parent / "shared" / "feeds"))
REAL_FEEDS = sorted(SHARED_FEEDS.glob("*.xml")) if SHARED_FEEDS.is_dir() else []
MALFORMED = "freedomcontroller-no-agenda-MALFORMED-entity.xml"
LEADING_NEWLINE = "acast-sentimental-garbage-leading-newline.xml"
FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
needs_real_feeds = pytest.mark.skipif(
    not REAL_FEEDS, reason=f"the shared feeds folder {SHARED_FEEDS} is absent"
)


def import_and_build(feed: Path, tmp_path: Path) -> tuple[Path, Any]:
    show = tmp_path / "show"
    result = import_feed(
        str(feed), show, site_url="https://new.example.org", owner_email="owner@example.org"
    )
    build(show, tmp_path / "public", now=FUTURE)
    return show, result


def front_matter(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text().split("---\n")[1])


def by_guid(parsed: Any) -> dict[str, Any]:
    return {entry.id: entry for entry in parsed.entries if enclosure(entry) is not None}


def enclosure(entry: Any) -> Any:
    return next((link for link in entry.get("links", []) if link.get("rel") == "enclosure"), None)


def plain(title: str) -> str:
    return " ".join(html.unescape(title).replace("\xa0", " ").split())


def assert_same_episodes(original_path: Path, built_path: Path) -> None:
    original = by_guid(feedparser.parse(original_path.read_bytes().lstrip()))
    built = by_guid(feedparser.parse(built_path.read_bytes()))
    assert set(built) == set(original)
    for guid, entry in original.items():
        ours = built[guid]
        assert ours.published_parsed == entry.published_parsed, guid
        # A title a host double-escaped ("God&amp;nbsp;.") is imported as the text it meant.
        assert plain(ours.title) == plain(entry.title), guid
        theirs, mine = enclosure(entry), enclosure(ours)
        assert mine.href == theirs.href, guid
        declared = (theirs.get("type") or "").lower()
        assert mine.type == (MIME_ALIASES.get(declared, declared) or mine.type), guid
        length = theirs.get("length", "")
        expected = length if length.isdigit() and int(length) > 0 else "0"
        assert mine.length == expected, guid


# --- fixture feeds -------------------------------------------------------------------------


def test_legacy_namespace_people_chapters_and_transcripts(tmp_path: Path) -> None:
    feed = FIXTURES / "fireside-legacy-namespace.xml"
    show, result = import_and_build(feed, tmp_path)
    assert (result.episodes, result.people, result.warnings) == (2, 3, ())
    podcast = yaml.safe_load((show / "podcast.yaml").read_text())
    assert podcast["title"] == "Launch Pad"
    assert podcast["description"] == "A show about launching things."
    assert podcast["owner"] == {"name": "Jo Owner", "email": "jo@launchpad.example.com"}
    assert (podcast["language"], podcast["category"], podcast["subcategory"]) == (
        "en-US",
        "Business",
        "Entrepreneurship",
    )
    assert podcast["artwork"] == "https://assets.example.com/launchpad.jpg"
    people = yaml.safe_load((show / "episodes/people.yaml").read_text())
    assert people == {
        "jo-host": {"name": "Jo Host", "link": "https://example.com/jo"},  # http image dropped
        "sam-guest": {"name": "Sam Guest", "link": "https://guest.example.org"},
        "pat-producer": {"name": "Pat Producer"},
    }
    folders = sorted(p.name for p in (show / "episodes").iterdir() if p.is_dir())
    assert folders == ["01-first-flight", "02-second-flight"]
    first = front_matter(show / "episodes/01-first-flight/episode.md")
    assert first["guid"] == "fireside-1a2b"
    assert first["people"] == [{"id": "jo-host", "role": "host"}]  # the channel's host
    assert first["summary"] == "Flight & one."
    second_text = (show / "episodes/02-second-flight/episode.md").read_text()
    second = front_matter(show / "episodes/02-second-flight/episode.md")
    assert second["released"] == "2022-06-09T09:00:00+01:00"
    assert second["audio"] == "https://aphid.example.com/launch/2.mp3"
    assert second["remote_audio"] == {"length": 2048000, "type": "audio/mpeg", "duration": 3723}
    assert "# Taken from the original feed" in second_text
    assert second["explicit"] is True
    assert second["people"] == [
        {"id": "sam-guest", "role": "guest"},
        {"id": "pat-producer", "role": "guest"},
    ]
    assert second["chapters_url"] == "https://aphid.example.com/launch/2.json"
    assert second["transcripts"] == [
        {"url": "https://aphid.example.com/launch/2.vtt", "type": "text/vtt", "language": "en"},
        {"url": "https://aphid.example.com/launch/2.html", "type": "text/html"},
    ]
    notes = second_text.split("---\n", 2)[2].strip()
    assert notes == "We talk to [Sam](https://guest.example.org).\n\n## Links\n\n- One\n- Two"
    episode = next(e for e in load_content(show).episodes if e.number == 2)
    assert episode.transcript_links[0].language == "en"
    # The built feed publishes the remote audio with the original's facts.
    built = podcastparser.parse("feed.xml", (tmp_path / "public/feed.xml").open("rb"))
    newest = built["episodes"][0]
    assert newest["guid"] == "fireside-2b7c"
    assert newest["enclosures"][0] == {
        "url": "https://aphid.example.com/launch/2.mp3",
        "file_size": 2048000,
        "mime_type": "audio/mpeg",
    }
    assert newest["total_time"] == 3723
    assert_same_episodes(feed, tmp_path / "public/feed.xml")
    page = (tmp_path / "public/episodes/second-flight/index.html").read_text()
    assert 'src="https://aphid.example.com/launch/2.mp3"' in page
    assert not list((tmp_path / "public").rglob("*.mp3"))
    # Chapters and transcripts hosted elsewhere are kept in the built feed.
    item = etree.parse(str(tmp_path / "public/feed.xml")).xpath("//item[guid='fireside-2b7c']")[0]
    ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
    assert item.xpath("podcast:chapters/@url", namespaces=ns) == [
        "https://aphid.example.com/launch/2.json"
    ]
    assert [
        (t.get("url"), t.get("type"), t.get("language"))
        for t in item.xpath("podcast:transcript", namespaces=ns)
    ] == [
        ("https://aphid.example.com/launch/2.html", "text/html", None),
        ("https://aphid.example.com/launch/2.vtt", "text/vtt", "en"),
    ]


def test_numeric_guids_bom_and_no_declaration(tmp_path: Path) -> None:
    feed = FIXTURES / "dr-bom-numeric-guids.xml"
    show, result = import_and_build(feed, tmp_path)
    assert result.episodes == 2
    assert [str(w).split(": ", 1)[1] for w in result.warnings] == [
        "gives no Apple category; podfeed used 'Society & Culture'.",
        "has 1 item without audio (no <enclosure>), left out.",
        "gives no audio size (length) for 2 episodes; podfeed publishes 0 (unknown) as the "
        "original did. Import with --download to measure the files.",
        "gives no audio duration for 1 episode; podfeed publishes 0 (unknown) as the original "
        "did. Import with --download to measure the files.",
    ]
    second = front_matter(show / "episodes/02-afsnit-to/episode.md")
    assert "guid" not in second
    assert second["feed_guid"] == "00042"  # kept verbatim: never 42
    first = front_matter(show / "episodes/01-afsnit-et/episode.md")
    assert first["remote_audio"] == {"length": 0, "type": "audio/mp4", "duration": 1770}
    built = feedparser.parse((tmp_path / "public/feed.xml").read_bytes())
    assert sorted(e.id for e in built.entries) == ["00042", "11802651003"]
    assert_same_episodes(feed, tmp_path / "public/feed.xml")


def test_seasons_guids_with_spaces_and_redirect_urls(tmp_path: Path) -> None:
    feed = FIXTURES / "simplecast-seasons-spaces.xml"
    show, _ = import_and_build(feed, tmp_path)
    podcast = yaml.safe_load((show / "podcast.yaml").read_text())
    assert podcast["type"] == "serial"
    episodes = {e.guid: e for e in load_content(show).episodes}
    assert (episodes["s1e1"].season, episodes["s1e1"].number) == (1, 1)
    assert (episodes["s2e1"].season, episodes["s2e1"].number) == (2, 1)
    spaced = episodes["gid://art19-episode-locator/V0/a b c"]
    assert (spaced.season, spaced.number, spaced.episode_type) == (1, 2, "bonus")
    assert spaced.audio_url == "https://dts.podtrac.com/redirect.mp3/x.example.org/3.mp3?a=1&b=2"
    assert [a.person for a in spaced.people] == ["sarah-reporter"]
    assert_same_episodes(feed, tmp_path / "public/feed.xml")


def test_a_leading_newline_is_imported_with_a_warning(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"\n\n" + (FIXTURES / "fireside-legacy-namespace.xml").read_bytes())
    result = import_feed(str(feed), tmp_path / "show", site_url="https://n.example.org")
    assert [str(w) for w in result.warnings] == [
        f"{feed}:1: starts with 2 blank lines before the XML declaration, which some podcast "
        "apps (gPodder) refuse; podfeed ignored them."
    ]


def test_an_undefined_entity_is_refused_naming_line_and_column(
    runner: CliRunner, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.xml"
    text = (FIXTURES / "fireside-legacy-namespace.xml").read_text()
    feed.write_text(
        text.replace("<title>First flight</title>", "<title>First &gtgt; flight</title>")
    )
    result = runner.invoke(cli, ["import", str(feed), "--into", str(tmp_path / "show")])
    assert result.exit_code == 1
    assert result.output == (
        "podfeed found 1 problem:\n"
        f"  {feed}:31: is not well-formed XML: Entity 'gtgt' not defined (column 26). Podcast "
        "apps refuse such a feed too; ask its host to fix it, or correct the file.\n"
    )
    assert not (tmp_path / "show").exists()
    assert not list(tmp_path.glob(".podfeed-*"))


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "show").mkdir()
    (tmp_path / "show" / "keep.txt").write_text("mine")
    with pytest.raises(FeedImportError, match="already exists and is not empty"):
        import_feed(str(FIXTURES / "fireside-legacy-namespace.xml"), tmp_path / "show")


def test_an_http_website_needs_site_url(tmp_path: Path) -> None:
    with pytest.raises(FeedImportError) as raised:
        import_feed(str(FIXTURES / "dr-bom-numeric-guids.xml"), tmp_path / "show")
    assert str(raised.value).endswith(
        "gives the website 'http://www.dr.dk/lyd/p1', which is not an https:// address; "
        "import with --site-url and the address the new site will have."
    )


def test_not_a_feed(tmp_path: Path) -> None:
    page = tmp_path / "page.xml"
    page.write_text("<html><body>hi</body></html>")
    with pytest.raises(
        FeedImportError, match=r"is not an RSS podcast feed \(its root element is <html>"
    ):
        import_feed(str(page), tmp_path / "show")


def test_download_fetches_media_into_the_show(tmp_path: Path) -> None:
    media = {
        "https://assets.example.com/launchpad.jpg": (REPO / "artwork.png").read_bytes(),
        "https://aphid.example.com/launch/1.mp3": (REPO / "tests/data/speech.mp3").read_bytes(),
        "https://aphid.example.com/launch/2.mp3": (REPO / "tests/data/speech.mp3").read_bytes(),
        "https://aphid.example.com/launch/2.json": b'{"version": "1.2.0", "chapters": '
        b'[{"startTime": 0, "title": "Hello"}]}',
        "https://aphid.example.com/launch/2.vtt": b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHi\n",
    }
    show = tmp_path / "show"
    import_feed(
        str(FIXTURES / "fireside-legacy-namespace.xml"),
        show,
        download=True,
        fetch=media.__getitem__,
    )
    folder = show / "episodes/02-second-flight"
    assert sorted(p.name for p in folder.iterdir()) == [
        "chapters.json",
        "episode.md",
        "episode.mp3",
        "transcript.vtt",
    ]
    second = front_matter(folder / "episode.md")
    assert second["audio"] == "episode.mp3"
    assert "remote_audio" not in second and "chapters_url" not in second
    assert second["transcripts"] == [
        {"url": "https://aphid.example.com/launch/2.html", "type": "text/html"}
    ]
    assert yaml.safe_load((show / "podcast.yaml").read_text())["artwork"] == "artwork.png"
    build(show, tmp_path / "public", now=FUTURE)
    parsed = feedparser.parse((tmp_path / "public/feed.xml").read_bytes())
    sizes = {enclosure(e).href.rsplit("/", 1)[1]: enclosure(e).length for e in parsed.entries}
    real = str((REPO / "tests/data/speech.mp3").stat().st_size)
    assert sizes == {"first-flight.mp3": real, "second-flight.mp3": real}


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p>Hi <b>there</b></p><p>Two</p>", "Hi **there**\n\nTwo"),
        ('<a href="javascript:alert(1)">x</a>', "x"),
        ("<style>p{}</style><p>Kept</p>", "Kept"),
        ("Plain text, not HTML: 5 * 3", "Plain text, not HTML: 5 * 3"),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


# --- the 30 real feeds ------------------------------------------------------------------------


@needs_real_feeds
@pytest.mark.parametrize(
    "feed", [f for f in REAL_FEEDS if f.name != MALFORMED], ids=lambda f: f.stem
)
def test_real_feed_imports_and_builds_to_the_same_episodes(feed: Path, tmp_path: Path) -> None:
    _, result = import_and_build(feed, tmp_path)
    assert result.episodes > 0
    assert_same_episodes(feed, tmp_path / "public/feed.xml")
    if feed.name == LEADING_NEWLINE:
        assert "before the XML declaration" in str(result.warnings[0])


@needs_real_feeds
def test_real_malformed_feed_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    feed = SHARED_FEEDS / MALFORMED
    result = runner.invoke(cli, ["import", str(feed), "--into", str(tmp_path / "show")])
    assert result.exit_code == 1
    assert result.output == (
        "podfeed found 1 problem:\n"
        f"  {feed}:2761: is not well-formed XML: Entity 'gtgt' not defined (column 18). "
        "Podcast apps refuse such a feed too; ask its host to fix it, or correct the file.\n"
    )


@needs_real_feeds
def test_a_2000_episode_feed_imports_in_seconds(tmp_path: Path) -> None:
    feed = SHARED_FEEDS / "custom-desiringgod-2065items-4MB.xml"
    started = time.perf_counter()
    result = import_feed(str(feed), tmp_path / "show", owner_email="o@example.org")
    elapsed = time.perf_counter() - started
    assert result.episodes == 2065
    assert elapsed < 20, f"import took {elapsed:.1f} s"
