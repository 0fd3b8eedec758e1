"""`podfeed check` as the comms team runs it: the bundled show, copies broken the way people
break them, JSON for CI, a feed file on its own, and the online checks against a real HTTP
server on 127.0.0.1."""

from __future__ import annotations

import functools
import io
import json
import os
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from podfeed.cli import cli


def _edit(path: Path, old: str, new: str) -> None:
    source = path.read_text("utf-8")
    assert old in source
    path.write_text(source.replace(old, new), "utf-8")


def test_bundled_show_is_clean(runner: CliRunner, bundled_show: Path) -> None:
    result = runner.invoke(cli, ["check", "--show", str(bundled_show)], catch_exceptions=False)
    assert (result.exit_code, result.output) == (0, "No problems found.\n")


def _small_artwork(show: Path) -> None:
    Image.new("RGB", (1000, 1000), "white").save(show / "artwork.png")


BROKEN = {
    "wrong category": (
        lambda show: _edit(show / "podcast.yaml", "category: Health & Fitness", "category: Health"),
        "podcast.yaml:14: category: 'Health' is an old Apple category that Apple no longer "
        "accepts; pick one from the current list (docs/rules.md). [R50, Apple]",
    ),
    "misspelt subcategory": (
        lambda show: _edit(show / "podcast.yaml", "subcategory: Medicine", "subcategory: medicine"),
        "podcast.yaml:15: subcategory: 'medicine' is not a subcategory of 'Health & Fitness'. "
        "Did you mean 'Medicine'? Apple's subcategories of 'Health & Fitness': Alternative "
        "Health, Fitness, Medicine, Mental Health, Nutrition, Sexuality. [R48, Apple]",
    ),
    "small artwork": (
        _small_artwork,
        "podcast.yaml:19: artwork: The artwork is 1000×1000 pixels; Apple needs 1400×1400 to "
        "3000×3000. [R60, Apple]",
    ),
    "missing owner email": (
        lambda show: _edit(show / "podcast.yaml", "  email: enquiries@nhsproviders.org\n", ""),
        "podcast.yaml:10: owner.email: is required.",
    ),
    "http media URL": (
        lambda show: _edit(
            show / "podcast.yaml",
            "https://podcast.nhsproviders.org",
            "http://podcast.nhsproviders.org",
        ),
        "podcast.yaml:18: site_url: 'http://podcast.nhsproviders.org' must be the full address "
        "of the website, starting with https:// (podcast apps refuse feeds served over plain "
        "http).",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_show_is_caught(
    runner: CliRunner, bundled_show: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    breaks, message = BROKEN[case]
    breaks(bundled_show)
    monkeypatch.chdir(bundled_show)
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 1
    assert result.output == f"podfeed check found 1 error:\n  error: {message}\n"
    # build applies the same table: errors stop it
    built = runner.invoke(cli, ["build"])
    assert built.exit_code == 1
    assert built.output == f"podfeed found 1 problem:\n  {message}\n"
    assert not (bundled_show / "public").exists()


def test_duplicate_guid_is_caught(
    runner: CliRunner, bundled_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    episode = bundled_show / "episodes/02-tackling-mental-health-backlogs/episode.md"
    first = bundled_show / "episodes/01-how-is-the-nhs-tackling-the-care-backlog/episode.md"
    guid = re.search(r"^guid: (\S+)$", first.read_text(), re.M)
    assert guid
    source = episode.read_text()
    episode.write_text(re.sub(r"^guid: \S+$", f"guid: {guid[1]}", source, flags=re.M))
    monkeypatch.chdir(bundled_show)
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 1
    assert result.output == (
        "podfeed check found 1 error:\n"
        "  error: episodes/02-tackling-mental-health-backlogs/episode.md:5: guid: is the same as "
        "in episodes/01-how-is-the-nhs-tackling-the-care-backlog/episode.md; each episode needs "
        "its own guid.\n"
    )


def test_json_report_for_ci(runner: CliRunner, bundled_show: Path) -> None:
    BROKEN["wrong category"][0](bundled_show)
    _small_artwork(bundled_show)
    result = runner.invoke(cli, ["check", "--show", str(bundled_show), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert (report["errors"], report["warnings"]) == (2, 0)
    by_rule = {p["rule"]: p for p in report["problems"]}
    assert by_rule["R50"] == {
        "rule": "R50",
        "severity": "error",
        "source": "Apple",
        "file": str(bundled_show / "podcast.yaml"),
        "line": 14,
        "field": "category",
        "message": "'Health' is an old Apple category that Apple no longer accepts; pick one "
        "from the current list (docs/rules.md). [R50, Apple]",
    }
    assert by_rule["R60"]["field"] == "artwork"


def test_warnings_alone_exit_0(runner: CliRunner, sample_show: Path) -> None:
    result = runner.invoke(cli, ["check", "--show", str(sample_show)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "podfeed check found 2 warnings:"
    assert [re.search(r"\[(R\d+)", line)[1] for line in lines[1:]] == ["R143", "R181"]  # type: ignore[index]


def test_checks_a_feed_file_with_the_files_beside_it(
    runner: CliRunner, bundled_show: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    runner.invoke(
        cli, ["build", "--show", str(bundled_show), "--out", str(out)], catch_exceptions=False
    )
    clean = runner.invoke(cli, ["check", "--feed", str(out / "feed.xml")], catch_exceptions=False)
    assert (clean.exit_code, clean.output) == (0, "No problems found.\n")
    Image.new("RGB", (1000, 1000), "white").save(next(out.glob("artwork-*.png")))
    feed = out / "feed.xml"
    _edit(
        feed,
        "<itunes:explicit>false</itunes:explicit>\n    <podcast:guid>",
        "<itunes:explicit>no</itunes:explicit>\n    <podcast:guid>",
    )
    result = runner.invoke(cli, ["check", "--feed", str(feed), "--format", "json"])
    assert result.exit_code == 1
    problems = {p["rule"]: p for p in json.loads(result.output)["problems"]}
    assert set(problems) == {"R23", "R60", "R189"}
    assert problems["R23"]["file"] == str(feed)
    assert problems["R23"]["field"] == "channel/itunes:explicit"
    assert (
        problems["R23"]["line"]
        == feed.read_text().splitlines().index("    <itunes:explicit>no</itunes:explicit>") + 1
    )


def test_previous_feed_guards_guids(runner: CliRunner, bundled_show: Path, tmp_path: Path) -> None:
    out = tmp_path / "published"
    runner.invoke(
        cli, ["build", "--show", str(bundled_show), "--out", str(out)], catch_exceptions=False
    )
    episode = bundled_show / "episodes/03-tackling-hospital-backlogs/episode.md"
    source = episode.read_text()
    episode.write_text(
        re.sub(r"^guid: \S+$", "guid: 0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", source, flags=re.M)
    )
    result = runner.invoke(
        cli, ["check", "--show", str(bundled_show), "--previous", str(out / "feed.xml")]
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[1].startswith(
        "  error: " + str(episode) + ":5: guid: This episode was published with guid "
    )
    assert result.output.rstrip().endswith("Put the old guid back. [R72, Apple]")


# --- online: a real HTTP server on 127.0.0.1 ----------------------------------------------------


class PublishedSite(SimpleHTTPRequestHandler):
    """A static host as Apple wants it: HEAD, byte ranges (206) and conditional GETs (304)."""

    extensions_map = {  # noqa: RUF012
        **SimpleHTTPRequestHandler.extensions_map,
        ".xml": "application/rss+xml",
        ".m4a": "audio/x-m4a",
        ".mp3": "audio/mpeg",
    }
    byte_ranges = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        wanted = self.headers.get("Range")
        path = self.translate_path(self.path)
        if not wanted or not self.byte_ranges or not os.path.isfile(path):
            return super().send_head()
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", wanted)
        assert match
        size = os.path.getsize(path)
        start, end = int(match[1]), int(match[2]) if match[2] else size - 1
        with open(path, "rb") as stream:
            stream.seek(start)
            body = stream.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class NoRanges(PublishedSite):
    byte_ranges = False


@pytest.fixture
def server(request: pytest.FixtureRequest, sample_show: Path) -> Iterator[str]:
    handler = getattr(request, "param", PublishedSite)
    public = sample_show / "public"
    public.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(public)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _publish_and_check(runner: CliRunner, show: Path, site: str) -> Any:
    # The published copy is the one the server serves; public/ was made empty by the fixture.
    (show / "public").rmdir()
    runner.invoke(
        cli, ["build", "--show", str(show), "--site-url", site, "-q"], catch_exceptions=False
    )
    return runner.invoke(
        cli, ["check", "--show", str(show), "--site-url", site, "--online", "--format", "json"]
    )


def test_online_checks_pass_on_a_good_host(
    runner: CliRunner, sample_show: Path, server: str
) -> None:
    result = _publish_and_check(runner, sample_show, server)
    report = json.loads(result.output)
    assert result.exit_code == 0, report
    # Only the sample's known chapter warnings: HEAD, ranges, sizes, types, 304 all fine.
    assert {p["rule"] for p in report["problems"]} == {"R143", "R181"}


@pytest.mark.parametrize("server", [NoRanges], indirect=True)
def test_online_checks_catch_a_host_without_byte_ranges(
    runner: CliRunner, sample_show: Path, server: str
) -> None:
    result = _publish_and_check(runner, sample_show, server)
    assert result.exit_code == 1
    report = json.loads(result.output)
    ranges = [p for p in report["problems"] if p["rule"] == "R114"]
    assert [(p["file"], p["field"]) for p in ranges] == [
        (str(sample_show / "episodes/02-second-wind/episode.md"), "audio"),
        (str(sample_show / "episodes/01-first-light/episode.md"), "audio"),
    ]
    assert ranges[0]["message"] == (
        "The audio server answers a byte-range request with HTTP 200 instead of 206; Apple "
        "refuses such hosts. [R114, Apple]"
    )


def test_online_checks_report_an_unreachable_site(runner: CliRunner, sample_show: Path) -> None:
    result = runner.invoke(
        cli,
        ["check", "--show", str(sample_show), "--site-url", "http://127.0.0.1:9", "--online"],
    )
    assert result.exit_code == 1
    assert "error: " in result.output and "[R188, Apple]" in result.output
    assert "[R113, Apple]" in result.output
