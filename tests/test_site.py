"""The website's reading aids and discovery files, read with lxml, json and the Nu validator.

Chapters and transcripts as links into the audio, subscribe buttons, schema.org JSON-LD,
Open Graph and Twitter tags, the sitemap, robots.txt and the 404 page.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree, html

from podfeed.build import build
from podfeed.errors import PodfeedError
from podfeed.model import Content, Cue, Episode, Transcript
from podfeed.pages import transcript_sections
from podfeed.pipeline import gather

REPO = Path(__file__).resolve().parents[1]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SITE = "https://podcast.nhsproviders.org"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Content, Path]:
    """The repository's own show, built once for the module's read-only checks."""
    public = tmp_path_factory.mktemp("site") / "public"
    build(REPO, public)
    return gather(REPO), public


def parse(page: Path) -> html.HtmlElement:
    return html.fromstring(page.read_bytes())


def json_ld(doc: html.HtmlElement) -> dict[str, object]:
    (script,) = doc.xpath("//script[@type='application/ld+json']")
    data: dict[str, object] = json.loads(script.text)
    return data


def meta(doc: html.HtmlElement, key: str) -> str:
    values = doc.xpath(f"//meta[@property='{key}' or @name='{key}']/@content")
    assert len(values) == 1, f"{key}: {values}"
    return str(values[0])


def episode_named(content: Content, slug: str) -> Episode:
    return next(e for e in content.episodes if e.slug == slug)


def test_chapters_link_into_the_audio_at_their_start(bundled: tuple[Content, Path]) -> None:
    content, public = bundled
    for episode in content.episodes:
        doc = parse(public / "episodes" / episode.slug / "index.html")
        links = doc.xpath("//ol[@class='chapters']/li/a[@data-start]")
        assert [a.xpath("string(span[@class='title'])") for a in links] == [
            c.title for c in episode.chapters
        ]
        for link, chapter in zip(links, episode.chapters, strict=True):
            media, fragment = link.get("href").split("#")
            assert media == f"{episode.slug}.mp3"
            assert float(fragment.removeprefix("t=")) == pytest.approx(chapter.start, abs=0.001)
            assert float(link.get("data-start")) == pytest.approx(chapter.start, abs=0.001)
        assert len(links) == 3


def test_episode_3_transcript_reads_as_paragraphs_under_its_chapters(
    bundled: tuple[Content, Path],
) -> None:
    content, public = bundled
    episode = episode_named(content, "tackling-hospital-backlogs")
    doc = parse(public / "episodes" / episode.slug / "index.html")
    (section,) = doc.xpath("//section[@class='transcript']")
    assert section.xpath("h3/text()") == ["Welcome", "About this episode", "About this recording"]
    paragraphs = section.xpath("p[a[@class='time']]")
    assert [p.xpath("string(a[@class='time'])") for p in paragraphs] == [
        "Play from 0:00",
        "Play from 0:09",
        "Play from 0:26",
    ]
    assert [p.xpath("a/@href")[0] for p in paragraphs] == [
        "tackling-hospital-backlogs.mp3#t=0",
        "tackling-hospital-backlogs.mp3#t=9.88",
        "tackling-hospital-backlogs.mp3#t=26.404",
    ]
    words = [" ".join(p.xpath("string(span[@class='words'])").split()) for p in paragraphs]
    cues = [c.text for c in episode.transcripts[0].cues]
    assert words == [" ".join(cues[:3]), cues[3], cues[4]]
    assert words[0].startswith("Providers Deliver: Tackling the care backlog. A podcast series")


def test_transcript_paragraphs_break_at_speakers_pauses_and_long_runs(
    bundled: tuple[Content, Path],
) -> None:
    content, _ = bundled
    episode = episode_named(content, "tackling-hospital-backlogs")
    long_line = "word " * 50 + "end."
    cues = (
        Cue(0.0, 2.0, "Hello and welcome.", "Ada"),
        Cue(2.0, 4.0, "Today: backlogs.", "Ada"),
        Cue(4.0, 6.0, "Thanks, Ada.", "Sam"),
        Cue(9.0, 11.0, "After a pause.", "Sam"),
        Cue(11.0, 20.0, long_line, "Sam"),
        Cue(20.0, 29.0, long_line, "Sam"),
        Cue(29.0, 30.0, "New paragraph.", "Sam"),
    )
    transcript = Transcript(Path("t.vtt"), "text/vtt", "en-GB", cues)
    sections = transcript_sections(
        replace(episode, transcripts=(transcript,), chapters=()), "en-GB"
    )
    (section,) = sections
    assert section.chapter is None
    assert [(p.start, p.speaker, p.text) for p in section.paragraphs] == [
        (0.0, "Ada", "Hello and welcome. Today: backlogs."),
        (4.0, "Sam", "Thanks, Ada."),
        (9.0, "Sam", f"After a pause. {long_line} {long_line}"),
        (29.0, "Sam", "New paragraph."),
    ]


def test_download_link_gives_format_and_size(bundled: tuple[Content, Path]) -> None:
    content, public = bundled
    episode = episode_named(content, "tackling-hospital-backlogs")
    doc = parse(public / "episodes" / episode.slug / "index.html")
    (link,) = doc.xpath("//p[@class='download']/a")
    assert link.get("href") == f"{episode.slug}.mp3"
    assert link.get("download") is not None
    assert link.text_content().endswith("(MP3, 168 KB)")
    assert (public / "episodes" / episode.slug / link.get("href")).stat().st_size == 168455


def test_previous_and_next_follow_release_order(bundled: tuple[Content, Path]) -> None:
    content, public = bundled
    ordered = sorted(content.episodes, key=lambda e: e.released)
    for position, episode in enumerate(ordered):
        doc = parse(public / "episodes" / episode.slug / "index.html")
        prev = doc.xpath("//nav[@class='pager']//a[@rel='prev']/@href")
        following = doc.xpath("//nav[@class='pager']//a[@rel='next']/@href")
        expected_prev = [f"../{ordered[position - 1].slug}/index.html"] if position else []
        expected_next = (
            [f"../{ordered[position + 1].slug}/index.html"] if position + 1 < len(ordered) else []
        )
        assert (prev, following) == (expected_prev, expected_next)


def test_episode_json_ld_is_a_podcast_episode_of_the_series(bundled: tuple[Content, Path]) -> None:
    content, public = bundled
    episode = episode_named(content, "tackling-hospital-backlogs")
    assert episode.audio is not None
    data = json_ld(parse(public / "episodes" / episode.slug / "index.html"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "PodcastEpisode"
    assert data["url"] == f"{SITE}/episodes/{episode.slug}/"
    assert data["datePublished"] == "2022-06-02T09:00:00+01:00"
    assert data["timeRequired"] == "PT33S"
    assert data["episodeNumber"] == 3
    assert data["partOfSeries"] == {
        "@type": "PodcastSeries",
        "@id": f"{SITE}/#series",
        "name": "Providers Deliver: Tackling the care backlog",
        "url": f"{SITE}/",
    }
    assert data["associatedMedia"] == {
        "@type": "AudioObject",
        "contentUrl": f"{SITE}/episodes/{episode.slug}/{episode.slug}.mp3",
        "encodingFormat": "audio/mpeg",
        "contentSize": str(episode.audio.size),
        "duration": "PT33S",
    }
    contributors = data["contributor"]
    assert isinstance(contributors, list)
    assert [
        (c["@type"], c["name"], c["jobTitle"], c["worksFor"]["name"]) for c in contributors
    ] == [
        (
            "Person",
            "Dr Clive Kay",
            "Chief Executive",
            "King's College Hospital NHS Foundation Trust",
        ),
        (
            "Person",
            "Ranjeev Bhangoo",
            "Head of Neurosurgery",
            "King's College Hospital NHS Foundation Trust",
        ),
    ]
    assert all(c["worksFor"]["@type"] == "Organization" for c in contributors)
    mentions = data["mentions"]
    assert isinstance(mentions, list)
    assert [(m["@type"], m["sameAs"]) for m in mentions] == [
        ("Organization", "https://www.kch.nhs.uk/"),
        ("Organization", "https://www.dchft.nhs.uk/"),
        ("Organization", "https://royalpapworth.nhs.uk/"),
    ]


def test_home_json_ld_is_the_series_with_its_feed(bundled: tuple[Content, Path]) -> None:
    content, public = bundled
    data = json_ld(parse(public / "index.html"))
    assert data["@type"] == "PodcastSeries"
    assert data["webFeed"] == f"{SITE}/feed.xml"
    assert str(data["image"]).startswith(f"{SITE}/artwork-")
    parts = data["hasPart"]
    assert isinstance(parts, list)
    assert [p["url"] for p in parts] == [
        f"{SITE}/episodes/{e.slug}/"
        for e in sorted(content.episodes, key=lambda e: e.released, reverse=True)
    ]
    for page, kind in (
        ("people/clive-kay", "ProfilePage"),
        ("organisations/ipsos", "Organization"),
    ):
        assert json_ld(parse(public / page / "index.html"))["@type"] == kind


def test_every_page_previews_with_absolute_urls(bundled: tuple[Content, Path]) -> None:
    _, public = bundled
    for page in sorted(public.rglob("index.html")):
        doc = parse(page)
        folder = page.parent.relative_to(public).as_posix()
        expected_url = f"{SITE}/" if folder == "." else f"{SITE}/{folder}/"
        assert doc.xpath("//link[@rel='canonical']/@href") == [expected_url]
        assert meta(doc, "og:url") == expected_url
        assert doc.xpath("//link[@rel='alternate'][@type='application/rss+xml']/@href") == [
            f"{SITE}/feed.xml"
        ]
        image = meta(doc, "og:image")
        assert urlsplit(image).scheme == "https" and urlsplit(image).netloc
        assert (public / urlsplit(image).path.lstrip("/")).is_file()
        assert meta(doc, "twitter:image") == image
        assert meta(doc, "twitter:card") == "summary"
        assert meta(doc, "og:title") and meta(doc, "og:description") == meta(doc, "description")
    doc = parse(public / "episodes" / "tackling-hospital-backlogs" / "index.html")
    assert meta(doc, "og:type") == "article"
    assert meta(doc, "og:title") == "Tackling hospital backlogs"
    assert meta(doc, "og:audio") == (
        f"{SITE}/episodes/tackling-hospital-backlogs/tackling-hospital-backlogs.mp3"
    )


def test_sitemap_lists_every_page_and_robots_points_to_it(bundled: tuple[Content, Path]) -> None:
    _, public = bundled
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = etree.parse(str(public / "sitemap.xml"))
    locations = sitemap.xpath("//s:url/s:loc/text()", namespaces=ns)
    pages = sorted(public.rglob("index.html"))
    assert sorted(locations) == sorted(
        f"{SITE}/" + ("" if p.parent == public else p.parent.relative_to(public).as_posix() + "/")
        for p in pages
    )
    lastmod = sitemap.xpath(
        "//s:url[s:loc=$loc]/s:lastmod/text()",
        namespaces=ns,
        loc=f"{SITE}/episodes/tackling-hospital-backlogs/",
    )
    assert lastmod == ["2022-06-02T09:00:00+01:00"]
    robots = (public / "robots.txt").read_text().splitlines()
    assert robots == ["User-agent: *", "Allow: /", "", f"Sitemap: {SITE}/sitemap.xml"]


def test_404_page_links_from_the_site_root(sample_show: Path, tmp_path: Path) -> None:
    build(sample_show, tmp_path / "public")
    doc = parse(tmp_path / "public" / "404.html")
    assert doc.findtext(".//h1") == "Page not found"
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert not doc.xpath("//link[@rel='canonical']")
    assert doc.xpath("//link[@rel='stylesheet']/@href") == ["/podcast/style.css"]
    hrefs = doc.xpath("//main//a/@href")
    assert hrefs[0] == "/podcast/"
    assert "/podcast/episodes/second-wind/" in hrefs


def test_subscribe_buttons_appear_only_for_listed_apps(
    sample_show: Path, tmp_path: Path, bundled: tuple[Content, Path]
) -> None:
    _, public = bundled
    doc = parse(public / "index.html")
    assert doc.xpath("//section[@class='subscribe']//ul[@class='buttons']//a/@class") == [
        "button rss"
    ]
    assert doc.xpath("//button[@data-copy]/@data-copy") == [f"{SITE}/feed.xml"]
    assert doc.xpath("//button[@data-copy]/@hidden") == [""], "hidden until the script runs"

    apple = "https://podcasts.apple.com/gb/podcast/sample-show/id1000000001"
    spotify = "https://open.spotify.com/show/0sampleshow000000000000"
    with (sample_show / "podcast.yaml").open("a") as yaml:
        yaml.write(f"apple_podcasts_url: {apple}\nspotify_url: {spotify}\n")
    build(sample_show, tmp_path / "public")
    doc = parse(tmp_path / "public" / "index.html")
    buttons = doc.xpath("//section[@class='subscribe']//ul[@class='buttons']//a")
    assert [(a.text_content(), a.get("href")) for a in buttons] == [
        ("Apple Podcasts", apple),
        ("Spotify", spotify),
        ("RSS feed", "feed.xml"),
    ]
    assert json_ld(doc)["sameAs"] == [apple, spotify]


def test_app_addresses_must_be_https(sample_show: Path, tmp_path: Path) -> None:
    with (sample_show / "podcast.yaml").open("a") as yaml:
        yaml.write("spotify_url: open.spotify.com/show/x\n")
    with pytest.raises(PodfeedError) as caught:
        build(sample_show, tmp_path / "public")
    assert [str(p).replace(str(sample_show) + "/", "") for p in caught.value.problems] == [
        "podcast.yaml:18: spotify_url: 'open.spotify.com/show/x' must be a full web address "
        "starting with https://."
    ]


def test_json_ld_cannot_break_out_of_its_script(sample_show: Path, tmp_path: Path) -> None:
    hostile = "Ends </script><script>alert(1)</script> <!-- & \u2028 here"
    # Feed text refuses markup (rule R122), but organisation names only reach the pages.
    registry = sample_show / "episodes" / "organisations.yaml"
    registry.write_text(
        registry.read_text().replace("name: Elusen Sampl", f"name: {json.dumps(hostile)}")
    )
    build(sample_show, tmp_path / "public")
    page = tmp_path / "public" / "episodes" / "second-wind" / "index.html"
    doc = parse(page)
    assert [s.get("type") for s in doc.xpath("//script")] == ["application/ld+json", None]
    assert hostile in [m["name"] for m in json_ld(doc)["mentions"]]
    (script,) = doc.xpath("//script[@type='application/ld+json']")
    assert "<" not in script.text and ">" not in script.text


def test_every_page_is_valid_html_and_css(
    bundled: tuple[Content, Path], bundled_show: Path, tmp_path: Path
) -> None:
    """The Nu Html Checker (vnu.jar, from npm) on every page and the stylesheet, and on
    the listing pages of the show at one episode a page (the first, a middle, the last)."""
    _, public = bundled
    missing = [name for name in ("java",) if shutil.which(name) is None]
    if missing or not VNU.is_file():
        reason = f"needs java and {VNU.relative_to(REPO)} (npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    files = [str(p) for p in sorted(public.rglob("*.html"))] + [str(public / "style.css")]
    assert len(files) > 10
    settings = bundled_show / "podcast.yaml"
    settings.write_text(settings.read_text() + "episodes_per_page: 1\n")
    build(bundled_show, tmp_path / "paged")
    files += [
        str(tmp_path / "paged" / p)
        for p in ("index.html", "page/2/index.html", "page/4/index.html")
    ]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--also-check-css", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert [
        (m["url"].rsplit("public/", 1)[-1], m.get("lastLine"), m["message"]) for m in messages
    ] == []
    assert result.returncode == 0


def test_the_website_is_the_same_byte_for_byte_on_every_build(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    build(REPO, first)
    build(REPO, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert {"404.html", "sitemap.xml", "robots.txt", "player.js", "style.css"} <= {
        f.as_posix() for f in files
    }
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_unknown_duration_of_remote_audio_is_left_out(sample_show: Path, tmp_path: Path) -> None:
    episode_md = sample_show / "episodes" / "02-second-wind" / "episode.md"
    episode_md.write_text(
        episode_md.read_text().replace(
            "audio: episode.m4a",
            "audio: https://media.example.org/2.mp3\n"
            "remote_audio: {length: 0, type: audio/mpeg, duration: 0}",
        )
    )
    build(sample_show, tmp_path / "public")
    page = parse(tmp_path / "public" / "episodes" / "second-wind" / "index.html")
    assert "0 sec" not in page.text_content()
    assert "timeRequired" not in json_ld(page)
    home = parse(tmp_path / "public" / "index.html").text_content()
    assert "0 sec" not in home


def test_transcript_files_are_published_and_linked(bundled: tuple[Content, Path]) -> None:
    content, public = bundled
    for episode in content.episodes:
        page = public / "episodes" / episode.slug / "index.html"
        links = parse(page).xpath("//p[@class='transcript-files']/a")
        assert [a.text for a in links] == ["WebVTT"]
        target = page.parent / links[0].get("href")
        assert target.read_bytes() == episode.transcripts[0].path.read_bytes()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("episodes/a-b_c.1~2/", "/episodes/a-b_c.1~2/"),
        ("episodes/x y/ÿ.mp3", "/episodes/x%20y/%C3%BF.mp3"),
        ("people/a&b/?#", "/people/a%26b/%3F%23"),
        ("https://cdn.example.org/a b.mp3", None),
        ("mailto:x", "/mailto%3Ax"),
    ],
)
def test_urls_are_quoted_as_urllib_quotes_them(
    bundled: tuple[Content, Path], path: str, expected: str | None
) -> None:
    """Plain paths skip `quote` (a build asks for 200,000 URLs at 10,000 episodes); the
    rest are quoted, and web addresses kept as they are."""
    from podfeed.site import Site

    site = Site(bundled[0])
    assert site.url(path) == (path if expected is None else SITE + expected)
