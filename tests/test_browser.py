"""The built site in Debian's headless Chromium, served on 127.0.0.1 with byte ranges.

axe-core checks every page type at WCAG 2.2 AA in light and dark schemes and at 320 px;
chapter links are used by keyboard alone and by mouse and must move the player; the
pages work without JavaScript. Skipped when Chromium or the Node tools are missing,
failed instead under CI=true.
"""

from __future__ import annotations

import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_tools import drive, missing_tools, serve
from podfeed.build import build

REPO = Path(__file__).resolve().parents[1]
EPISODE = "episodes/tackling-hospital-backlogs/"
PAGE_TYPES = {
    "home": "",
    "older episodes": "page/2/",
    "episode": EPISODE,
    "person": "people/clive-kay/",
    "organisation": "organisations/kings-college-hospital/",
    "not found": "episodes/no-such-episode/",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = missing_tools()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    # The bundled show at three episodes a page: the home page has a pager and page 2 exists.
    show = tmp_path_factory.mktemp("browser") / "show"
    show.mkdir()
    for name in ("podcast.yaml", "artwork.png"):
        shutil.copyfile(REPO / name, show / name)
    shutil.copytree(REPO / "episodes", show / "episodes")
    settings = show / "podcast.yaml"
    settings.write_text(settings.read_text() + "episodes_per_page: 3\n")
    public = show / "public"
    build(show, public)
    with serve(public) as base:
        yield base


def test_server_answers_byte_ranges_for_audio_seeking(site: str) -> None:
    url = f"{site}/{EPISODE}tackling-hospital-backlogs.mp3"
    request = urllib.request.Request(url, headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == "bytes 100-199/168455"
        body = response.read()
    whole = (REPO / "episodes" / "03-tackling-hospital-backlogs" / "episode.mp3").read_bytes()
    assert body == whole[100:200]


def describe(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in violations
    ]


def test_axe_finds_no_wcag_22_aa_violations_on_any_page_type(site: str) -> None:
    pages = [
        {"url": f"{site}/{path}", "width": width, "scheme": scheme}
        for path in PAGE_TYPES.values()
        for width, scheme in ((1280, "light"), (1280, "dark"), (320, "light"))
    ]
    results = drive({"mode": "axe", "pages": pages})
    assert len(results) == len(pages)
    found = {
        f"{r['url']} {r['width']}px {r['scheme']}": describe(r["violations"])
        for r in results
        if r["violations"]
    }
    assert found == {}
    assert all(r["passes"] > 10 for r in results), "axe ran its checks"
    errors = {(r["url"], error) for r in results for error in r["errors"]}
    # Chromium logs the 404 status of the not-found page itself; nothing else may fail.
    assert errors == {
        (
            f"{site}/{PAGE_TYPES['not found']}",
            "Failed to load resource: the server responded with a status of 404 (Not Found)",
        )
    }
    status = {r["url"].removeprefix(site + "/"): r["status"] for r in results}
    assert status[PAGE_TYPES["not found"]] == 404
    assert {s for path, s in status.items() if path != PAGE_TYPES["not found"]} == {200}


def test_chapters_and_transcript_seek_the_player_by_keyboard_and_mouse(site: str) -> None:
    answer = drive({"mode": "chapters", "url": f"{site}/{EPISODE}"})

    keyboard = answer["keyboard"]
    assert keyboard["errors"] == []
    assert keyboard["links"] == ["0", "9.88", "26.404"]
    trail = keyboard["focusTrail"]
    assert trail[0]["text"] == "Skip to content", "the first Tab reaches the skip link"
    assert trail[-1]["start"] == keyboard["target"] == "26.404"
    assert trail[-1]["outline"] == "solid", "focus is visible"
    assert keyboard["tabs"] <= 20
    assert keyboard["before"]["currentTime"] == 0
    after = keyboard["after"]
    assert 26.404 - 0.05 <= after["currentTime"] < 26.404 + 3
    assert after["location"].endswith(EPISODE), "Enter seeks on the page, it does not navigate"
    assert after["currentChapter"] == "26.404"

    click = answer["click"]
    assert click["errors"] == []
    assert click["start"] == 9.88
    assert 9.88 - 0.05 <= click["afterChapter"]["currentTime"] < 9.88 + 3
    assert click["afterChapter"]["currentChapter"] == "9.88"
    assert click["timeStart"] == 26.404
    assert 26.404 - 0.05 <= click["afterTranscript"]["currentTime"] < 26.404 + 3

    fragment = answer["fragment"]["state"]
    assert 12.5 - 0.05 <= fragment["currentTime"] < 12.5 + 1
    assert fragment["paused"], "a shared #t= link cues the player but does not start it"


def test_without_javascript_chapter_links_open_the_audio_at_the_chapter(site: str) -> None:
    answer = drive({"mode": "nojs", "url": f"{site}/{EPISODE}"})
    assert answer["copyHidden"] == [True], "the copy button needs the script"
    assert answer["href"] == "tackling-hospital-backlogs.mp3#t=9.88"
    assert answer["landed"] == f"{site}/{EPISODE}tackling-hospital-backlogs.mp3#t=9.88"
    # Chromium's own media page plays what it opens: read a moment later, it may be past.
    assert 9.88 - 0.05 <= answer["mediaTime"] < 9.88 + 1


def test_copy_button_copies_the_feed_address(site: str) -> None:
    answer = drive({"mode": "copy", "url": f"{site}/"})
    assert answer["errors"] == []
    assert answer["visible"]
    assert answer["status"] == "Copied"
    assert answer["clipboard"] == answer["expected"] == "https://podcast.nhsproviders.org/feed.xml"


def test_pages_fit_a_320_px_screen_and_load_nothing_from_elsewhere(site: str) -> None:
    pages = [
        {"url": f"{site}/{path}", "width": width}
        for path in PAGE_TYPES.values()
        for width in (320, 390, 1280, 1920)
    ]
    results = drive({"mode": "layout", "pages": pages})
    for result in results:
        where = f"{result['url']} at {result['width']} px"
        assert result["scrollWidth"] <= result["clientWidth"], f"{where} scrolls sideways"
        assert result["external"] == [], f"{where} loads {result['external']}"
        assert result["fontSize"] >= 16, f"{where} text is too small"
        assert result["stylesheets"] == 1, f"{where} styles come from one stylesheet"
        assert result["errors"] == [] or "no-such-episode" in result["url"]
