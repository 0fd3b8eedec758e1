"""A cold build reads the audio ahead in a helper process (prefetch.py): the same site
and the same problems as reading it in the build's own process, only sooner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from podfeed import audio, pipeline, prefetch
from podfeed.build import build
from podfeed.cache import BuildCache
from podfeed.errors import ContentError
from podfeed.model import AudioInfo
from test_incremental import files

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the helper is Linux-only")

MP3 = "episodes/01-first-light/episode.mp3"


@pytest.fixture
def reads_here(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The audio files the build read in its own process; every show reads ahead."""
    monkeypatch.setattr(prefetch, "MIN_FOLDERS", 1)
    read: list[Path] = []
    original = pipeline.read_audio_info

    def counting(path: Path) -> AudioInfo:
        read.append(path)
        return original(path)

    monkeypatch.setattr(pipeline, "read_audio_info", counting)
    return read


def test_a_cold_build_takes_the_helpers_facts_and_the_same_site(
    sample_show: Path, tmp_path: Path, reads_here: list[Path]
) -> None:
    build(sample_show)
    assert reads_here == []  # read ahead: by the helper, or from the end by the build
    build(sample_show, tmp_path / "scratch", cached=False)
    assert len(reads_here) == 2  # no cache, no helper: read here
    assert files(sample_show / "public") == files(tmp_path / "scratch")


def test_a_broken_file_is_reported_as_when_read_here(
    sample_show: Path, tmp_path: Path, reads_here: list[Path]
) -> None:
    audio = sample_show / MP3
    audio.write_bytes(audio.read_bytes()[: audio.stat().st_size // 2])
    with pytest.raises(ContentError) as ahead:
        build(sample_show)
    assert reads_here == []
    with pytest.raises(ContentError) as here:
        build(sample_show, tmp_path / "scratch", cached=False)
    assert len(reads_here) == 2  # the broken file and the other episode's
    assert "cut short" in str(ahead.value)
    assert ahead.value.problems == here.value.problems
    assert not (sample_show / "public").exists()


def test_a_file_changed_after_the_helper_read_it_is_read_again(
    sample_show: Path, tmp_path: Path
) -> None:
    audio = sample_show / MP3
    ahead = prefetch.ReadAhead(sample_show / "episodes")
    assert ahead.answer(audio) is not None
    original = audio.read_bytes()
    audio.write_bytes(original + b"\0" * 1000)  # a tagger saving in place, say
    read: list[Path] = []

    def reader(path: Path) -> AudioInfo:
        read.append(path)
        return pipeline.read_audio_info(path)

    cache = BuildCache(sample_show, tmp_path / "out")
    cache.ahead = ahead
    info = cache.read_audio_info(reader, audio)
    cache.stop_reading_ahead()
    assert read == [audio]
    assert info.size == len(original) + 1000


def _read_from_the_end(episodes: Path, paths: list[Path]) -> prefetch.ReadAhead:
    """A helper started and the build's share read: the helper must be stopped by then
    (and is, whatever happens, so that no test leaves its pipe open)."""
    ahead = prefetch.ReadAhead(episodes)
    try:
        ahead.read_from_the_end(paths)
    finally:
        stopped = ahead.done and ahead.process.returncode is not None
        ahead.stop()
    assert stopped, "the helper is stopped"
    return ahead


def test_the_build_reads_the_last_files_while_the_helper_reads_the_first(
    sample_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the episodes are loaded, the build reads audio from the last file back until it
    meets what the helper sent, and stops the helper: every file is known, each as it is."""
    episodes = sample_show / "episodes"
    for number in range(5, 400):  # 400 episodes: the helper sends answers 128 at a time
        folder = episodes / f"{number:03}-copy"
        folder.mkdir()
        (folder / "episode.mp3").hardlink_to(sample_show / MP3)
    audio_files = [p for p in episodes.glob("*/episode.*") if p.suffix != ".md"]
    paths = sorted(audio_files, key=lambda p: (p.parent.name, p.name))
    here: list[Path] = []
    reading = audio.read_audio_info

    def counting(path: Path) -> AudioInfo:
        here.append(path)
        return reading(path)

    monkeypatch.setattr(audio, "read_audio_info", counting)
    ahead = _read_from_the_end(episodes, paths)
    assert here and here == paths[::-1][: len(here)], "read here from the last file back"
    for path in paths:
        answer = ahead.answer(path)
        assert answer is not None and answer[1] == reading(path), path


def test_a_helper_slow_to_start_is_stopped_when_the_build_has_read_all(
    sample_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a fresh install the helper may take longer to start than the build to load a
    show: the build then reads every file itself, and the helper must not read on."""
    slow = tmp_path / "slow-python"
    real = sys.executable
    slow.write_text(
        f"#!{real}\nimport os, sys, time\ntime.sleep(5)\nos.execv({real!r}, [{real!r}, *sys.argv[1:]])\n"
    )
    slow.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(slow))
    episodes = sample_show / "episodes"
    paths = sorted(p for p in episodes.glob("*/episode.*") if p.suffix != ".md")
    ahead = _read_from_the_end(episodes, paths)
    assert all(ahead.answer(path) is not None for path in paths)


def test_a_failed_helper_only_costs_time(tmp_path: Path) -> None:
    ahead = prefetch.ReadAhead(tmp_path / "no such folder")
    assert ahead.answer(tmp_path / "no such folder" / "a" / "episode.mp3") is None
    assert ahead.process.returncode != 0


def test_audio_in_a_subfolder_is_read_here(sample_show: Path, reads_here: list[Path]) -> None:
    folder = sample_show / "episodes/01-first-light"
    (folder / "audio").mkdir()
    (folder / "episode.mp3").rename(folder / "audio" / "first.mp3")
    notes = folder / "episode.md"
    notes.write_text(notes.read_text().replace("audio: episode.mp3", "audio: audio/first.mp3"))
    build(sample_show)
    assert reads_here == [folder / "audio" / "first.mp3"]


def test_the_helper_dies_with_the_build() -> None:
    """A build killed at once leaves no helper behind (`die_with`, PR_SET_PDEATHSIG): a
    helper that would otherwise run for a minute ends with it."""
    helper_code = (
        "import sys, time\n"
        "from podfeed.spool import die_with\n"
        "die_with(int(sys.argv[1]))\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    build_code = (
        "import os, signal, subprocess, sys\n"
        "helper = subprocess.Popen([sys.executable, '-c', sys.argv[1], str(os.getpid())],"
        " stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)\n"
        "assert helper.stdout.readline() == 'ready\\n'\n"
        "print(helper.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    build_process = subprocess.run(
        [sys.executable, "-c", build_code, helper_code],
        capture_output=True,
        text=True,
        check=False,
    )
    helper = int(build_process.stdout)
    try:
        assert alive_after(helper, 5.0) is False
    finally:
        if running(helper):
            os.kill(helper, signal.SIGKILL)


def alive_after(pid: int, seconds: float) -> bool:
    """Whether process `pid` still runs (not a zombie) after up to `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not running(pid):
            return False
        time.sleep(0.05)
    return True


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_small_shows_and_rebuilds_read_here(sample_show: Path) -> None:
    started: list[Path] = []
    original: Callable[..., None] = prefetch.ReadAhead.__init__

    def spy(self: prefetch.ReadAhead, episodes: Path) -> None:
        started.append(episodes)
        original(self, episodes)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefetch.ReadAhead, "__init__", spy)
        build(sample_show)  # 4 episode folders: fewer than MIN_FOLDERS
        patch.setattr(prefetch, "MIN_FOLDERS", 1)
        (sample_show / "podcast.yaml").write_text((sample_show / "podcast.yaml").read_text() + "\n")
        build(sample_show)  # the audio facts are known
    assert started == []
