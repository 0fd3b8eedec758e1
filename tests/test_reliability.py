"""Builds that cannot half-happen, and output that depends on nothing but the input."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def podfeed(*args: str) -> subprocess.Popen[bytes]:
    """Start a build we may kill."""
    return subprocess.Popen(
        [sys.executable, "-m", "podfeed", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podfeed", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def big_show(sample_show: Path, copies: int) -> Path:
    """The sample show with `copies` more episodes, so a build takes a while."""
    source = sample_show / "episodes" / "01-first-light"
    text = (source / "episode.md").read_text()
    for number in range(3, copies + 3):
        folder = sample_show / "episodes" / f"{number:04d}-copy-{number}"
        folder.mkdir()
        shutil.copyfile(source / "episode.mp3", folder / "episode.mp3")
        (folder / "episode.md").write_text(
            text.replace("number: 1", f"number: {number}")
            .replace("5b0f3bb4-0b6c-4a51-9d0e-2f3a8f6d1a01", f"urn:copy:{number}")
            .replace("title: First light", f"title: Copy {number}")
        )
    return sample_show


def test_a_killed_build_leaves_the_previous_or_the_next_site_whole(
    sample_show: Path, tmp_path: Path
) -> None:
    """Killed at any moment, public/ is the last site or the new one, never a mix."""
    show = big_show(sample_show, 150)
    assert run("build", "--show", str(show), "-q").returncode == 0
    settings = show / "podcast.yaml"
    original = settings.read_text()
    # The kills are timed against a build like the ones killed (every page again), not
    # against the first, which also reads every audio file and may take twice as long.
    settings.write_text(original.replace("Tests & Tales", "Tests & Tales, timed"))
    started = time.monotonic()
    assert run("build", "--show", str(show), "-q").returncode == 0
    duration = time.monotonic() - started
    current = tree(show / "public")
    killed = 0
    for attempt, share in enumerate((0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 0.97)):
        # A new show title changes every page, so an incremental build rewrites them all.
        settings.write_text(original.replace("Tests & Tales", f"Tests & Tales {attempt}"))
        expected = tmp_path / f"expected-{attempt}"
        assert (
            run("build", "--show", str(show), "--out", str(expected), "--no-cache", "-q").returncode
            == 0
        )
        after = tree(expected)
        process = podfeed("build", "--show", str(show), "-q")
        time.sleep(duration * share)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()
        found = tree(show / "public")
        if process.returncode == -signal.SIGKILL:
            killed += 1
            assert found in (current, after), f"a mixed site after a kill at {share:.0%}"
        else:
            assert found == after
        current = found
    assert killed >= 4, f"only {killed} builds were killed mid-way ({duration:.2f} s builds)"
    assert run("build", "--show", str(show), "-q").returncode == 0
    assert tree(show / "public") == after
    # Only the previous site kept for the next swap stays beside public/; no half-built folder.
    # (A kill between saving the cache and dropping the back buffer's marker leaves the
    # marker to a no-op: the next real build makes the back buffer again, nothing worse.)
    leftovers = [p.name for p in show.iterdir() if p.name.startswith(".podfeed-")]
    assert set(leftovers) <= {".podfeed-back-public", ".podfeed-back-public.incomplete"}


def test_same_input_same_bytes_whatever_the_clock_zone_folder_and_mtimes(
    sample_show: Path, tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere" / "a copy"
    shutil.copytree(sample_show, other)
    rng = random.Random(7)
    for path in other.rglob("*"):
        stamp = rng.randrange(10**9, 2 * 10**9)
        os.utime(path, (stamp, stamp))
    runs = [
        (sample_show, {"TZ": "Europe/London", "PYTHONHASHSEED": "1", "LC_ALL": "C.UTF-8"}),
        (other, {"TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "2", "LC_ALL": "C"}),
    ]
    for show, env in runs:
        result = run("build", "--show", str(show), "-q", env=env)
        assert result.returncode == 0, result.stderr
        time.sleep(1.1)  # a different wall-clock second for the second build
    first, second = tree(sample_show / "public"), tree(other / "public")
    assert first == second
    assert len(first) > 10


@pytest.mark.parametrize("kind", ["feed.xml", "index.html"])
def test_no_build_time_in_the_output(sample_show: Path, kind: str) -> None:
    assert run("build", "--show", str(sample_show), "-q").returncode == 0
    text = (sample_show / "public" / kind).read_text()
    today = time.strftime("%d %b %Y", time.gmtime())
    assert today not in text and time.strftime("%Y-%m-%d", time.gmtime()) not in text
