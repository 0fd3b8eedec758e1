"""`podfeed serve` for real: a subprocess on a free port, fetched over HTTP while files change."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from podfeed.server import VERSION_PATH

PODFEED = Path(sys.executable).parent / "podfeed"
TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def version(base: str) -> int:
    return int(json.loads(get(base + VERSION_PATH.lstrip("/"))[1])["version"])


def wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            if condition():  # type: ignore[operator]
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def served(sample_show: Path, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [str(PODFEED), "serve", "--show", str(sample_show), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: get(base)[0] == 200, "the server to start")
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def title_of(page: str) -> str:
    return etree.HTML(page).findtext(".//h1")


def test_serve_previews_rebuilds_and_reports_errors(
    served: tuple[str, subprocess.Popen[str]], sample_show: Path, tmp_path: Path
) -> None:
    base, process = served
    page_url = base + "episodes/first-light/"
    status, page = get(page_url)
    assert status == 200
    assert title_of(page) == "First light"
    assert VERSION_PATH in page  # the reload script, in served pages only
    preview = sample_show / ".cache/podfeed/preview"
    on_disk = (preview / "episodes/first-light/index.html").read_text()
    assert VERSION_PATH not in on_disk
    assert not (sample_show / "public").exists(), "drafts must never reach public/"
    assert "http://127.0.0.1" in get(base + "feed.xml")[1]  # the feed points at the preview

    # A draft appears in the preview.
    episode = sample_show / "episodes/01-first-light/episode.md"
    text = episode.read_text()
    before = version(base)
    episode.write_text(
        text.replace("title: First light", "title: First light, edited\ndraft: true")
    )
    wait_for(lambda: version(base) > before, "a rebuild after the edit")
    wait_for(lambda: title_of(get(page_url)[1]) == "First light, edited", "the edited page")

    # A mistake shows on every page and in the terminal; the server keeps running.
    before = version(base)
    episode.write_text(text.replace("number: 1", "number: one"))
    wait_for(lambda: version(base) > before, "a rebuild after the mistake")
    status, error_page = get(page_url)
    assert status == 500
    problems = [li.xpath("string()") for li in etree.HTML(error_page).findall(".//li")]
    assert len(problems) == 1
    assert problems[0].endswith(
        "01-first-light/episode.md:3: number: must be a whole number like 1, not 'one'."
    )
    assert VERSION_PATH in error_page
    assert process.poll() is None
    assert "Build failed: 1 problem" in (tmp_path / "serve.log").read_text()

    # Fixing it brings the page back.
    before = version(base)
    episode.write_text(text)
    wait_for(lambda: version(base) > before, "a rebuild after the fix")
    status, page = get(page_url)
    assert (status, title_of(page)) == (200, "First light")
