"""A big build hands its file writes to a helper process (spool.py): the same site, the
same stats for the next build, the same error when a write fails."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from podfeed import pipeline, publish
from podfeed.build import build
from podfeed.files import stat_of
from podfeed.spool import _BATCH_BYTES, Spool
from test_incremental import edit_notes, edit_template, files

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the spool is Linux only")


@pytest.fixture
def writes_in_build(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Spool from the first file on, the helper keeping up (never behind: see the test of
    a helper that falls behind); the files the build's own process wrote."""
    monkeypatch.setattr(pipeline, "MIN_EPISODES", 1)
    monkeypatch.setattr(pipeline, "MIN_FILES", 1)
    monkeypatch.setattr(Spool, "behind", lambda self: False)
    written: list[str] = []
    original = publish.write_output

    def spy(target: str, data: Any) -> Any:
        written.append(target)
        return original(target, data)

    monkeypatch.setattr(publish, "write_output", spy)
    return written


def test_a_spooled_build_makes_the_same_site(
    bundled_show: Path, tmp_path: Path, writes_in_build: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    linked: list[str] = []
    original = publish.link_or_copy
    monkeypatch.setattr(publish, "link_or_copy", lambda *a: linked.append(a[1]) or original(*a))
    build(bundled_show)
    assert writes_in_build == []  # every page and file was written by the helper
    assert linked == []  # and linked into the first back buffer by it, as it went
    build(bundled_show, tmp_path / "plain", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "plain")
    # The first back buffer: a link to every file of the site.
    public, back = bundled_show / "public", bundled_show / ".podfeed-back-public"
    names = sorted(p.relative_to(public) for p in public.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(back) for p in back.rglob("*") if p.is_file())
    assert all((public / n).stat().st_ino == (back / n).stat().st_ino for n in names)
    assert not (bundled_show / ".podfeed-back-public.incomplete").exists()
    # So the next edit inside an episode is patched into it (delta.py), as ever.
    time.sleep(0.05)
    edit_notes(bundled_show)
    time.sleep(0.05)
    build(bundled_show)
    build(bundled_show, tmp_path / "edited", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "edited")


def test_a_spooled_rebuild_leaves_the_cache_right(
    bundled_show: Path, tmp_path: Path, writes_in_build: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    build(bundled_show)
    time.sleep(0.05)
    edit_template(bundled_show)  # every page again, into the back buffer
    time.sleep(0.05)  # a build within a clock tick of an edit is redone by the next
    build(bundled_show)
    assert writes_in_build == []
    build(bundled_show, tmp_path / "plain", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "plain")
    # The stats the helper sent back are the files': nothing changed, nothing is done.
    runs: list[Path] = []
    original = pipeline.cached_build
    monkeypatch.setattr(pipeline, "cached_build", lambda root, *a: runs.append(root) or original(root, *a))  # fmt: skip
    build(bundled_show)
    assert runs == []


def test_a_failed_write_is_the_error_a_build_would_meet(
    bundled_show: Path, writes_in_build: list[str]
) -> None:
    """A file in the way in the back buffer: the helper's write fails as the build's own
    would (FileExistsError, naming the file), and the live site stays as it was."""
    build(bundled_show)
    before = files(bundled_show / "public")
    time.sleep(0.05)
    edit_template(bundled_show)
    back = bundled_show / ".podfeed-back-public"
    in_the_way = back / "sitemap.xml"
    in_the_way.unlink()
    in_the_way.mkdir()  # unlink() then open() of a folder fails
    with pytest.raises(OSError) as raised:
        build(bundled_show)
    assert raised.value.filename == str(in_the_way)
    assert files(bundled_show / "public") == before
    assert writes_in_build == []


def test_a_helper_with_too_little_to_write_is_stopped(
    bundled_show: Path, tmp_path: Path, writes_in_build: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started early for a big show, the helper is stopped when the build finds it has
    fewer than MIN_FILES files to write: the build writes them itself."""
    monkeypatch.setattr(pipeline, "MIN_FILES", 10_000)
    stopped: list[Spool] = []
    original = Spool.abort
    monkeypatch.setattr(Spool, "abort", lambda self: stopped.append(self) or original(self))
    build(bundled_show)
    assert stopped and all(s.process.returncode is not None for s in stopped)
    assert len(writes_in_build) == len(files(bundled_show / "public"))
    build(bundled_show, tmp_path / "plain", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "plain")


def test_a_helper_that_cannot_start_costs_nothing(
    bundled_show: Path, tmp_path: Path, writes_in_build: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(out: Path) -> Spool:
        raise PermissionError(13, "Permission denied", sys.executable)

    monkeypatch.setattr(pipeline, "Spool", refuse)
    build(bundled_show)
    assert len(writes_in_build) == len(files(bundled_show / "public"))  # written here
    build(bundled_show, tmp_path / "plain", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "plain")


def test_writes_happen_in_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    target = str(tmp_path / "a" / "b" / "page.html")
    spool.makedirs(str(tmp_path / "a" / "b"))
    spool.write(target, b"first")
    spool.unlink(target)
    spool.write(target, b"x" * (3 << 20))  # more than a batch
    spool.link_or_copy(target, str(tmp_path / "linked.html"), False)
    first, last = spool.finish()  # one stat per file written, in order
    assert Path(target).read_bytes() == b"x" * (3 << 20)
    assert os.stat(tmp_path / "linked.html").st_ino == os.stat(target).st_ino
    assert first is not None and first[0] == len(b"first")
    assert last == (3 << 20, os.stat(target).st_mtime_ns, os.stat(target).st_ino)


@pytest.mark.parametrize("first_fails", [True, False])
def test_a_big_page_that_cannot_be_written_keeps_the_stream_in_step(
    tmp_path: Path, first_fails: bool
) -> None:
    """A page bigger than a batch is streamed after its op; when its file cannot be made,
    or an earlier one failed, its bytes are still read, and the first failure reported."""
    spool = Spool(tmp_path)
    missing = tmp_path / "no such folder"
    small = missing / "small.html" if first_fails else tmp_path / "small.html"
    spool.write(str(small), b"small")
    spool.write(str(missing / "big.html"), b"x" * (1 << 20))
    spool.write(str(tmp_path / "after.html"), b"after")
    with pytest.raises(FileNotFoundError) as raised:
        spool.finish()
    assert raised.value.filename == str(small if first_fails else missing / "big.html")
    assert not (tmp_path / "after.html").exists()


def test_a_helper_that_dies_is_reported(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.process.kill()
    spool.write(str(tmp_path / "page.html"), b"page")
    with pytest.raises(Exception, match="the helper writing this site stopped"):
        spool.finish()


def _with_a_stuck_helper(out: Path, add: Callable[[Spool], publish.Publication]) -> Any:
    """`add(spool)` with the spool's helper stopped (a helper stuck in a slow write), then
    the helper let go and the publication committed: its stats and back names, and the
    names queued for the helper."""
    spool = Spool(out)
    if spool.behind_at < _BATCH_BYTES:  # a pipe of 64 KB: a batch would wait for the helper
        spool.abort()
        pytest.skip("this system does not let a pipe grow to 1 MB (fs.pipe-max-size)")
    os.kill(spool.process.pid, signal.SIGSTOP)
    resume = threading.Timer(20, os.kill, (spool.process.pid, signal.SIGCONT))
    resume.start()  # a build that waited for it would wait this long, not for ever
    try:
        publication = add(spool)
        spooled = list(publication.spooled)
        os.kill(spool.process.pid, signal.SIGCONT)
        return (*publication.commit(), spooled)
    finally:
        resume.cancel()


def test_a_helper_that_falls_behind_is_helped(tmp_path: Path) -> None:
    """While the helper has a batch waiting, the build makes the next files itself (on a
    slow disk it would otherwise wait): the same files, stats and back buffer."""
    out = tmp_path / "public"
    pages = {f"episodes/{n}/index.html": bytes([n]) * 100_000 for n in range(40)}

    def add(spool: Spool) -> publish.Publication:
        publication = publish.Publication(out, {}, None, spool)
        for name, data in pages.items():
            publication.add(name, data)
        return publication

    stats, _, spooled = _with_a_stuck_helper(out, add)
    assert 0 < len(spooled) < 10  # the helper took the first batch; the build made the rest
    assert files(out) == pages
    assert stats == {name: stat_of(out / name) for name in pages}
    back = tmp_path / ".podfeed-back-public"
    assert all((back / n).stat().st_ino == (out / n).stat().st_ino for n in pages)


def test_a_helper_that_falls_behind_in_a_rebuild_is_helped(tmp_path: Path) -> None:
    """The same into the back buffer of a site built before: files kept (linked), files
    given new bytes over old ones, a new folder, a file gone."""
    out = tmp_path / "public"
    old = {f"episodes/{n}/index.html": bytes([n]) * 100_000 for n in range(40)}
    old["feed.xml"] = b"<rss/>"  # a site podfeed wrote, as the folder's check wants
    first = publish.Publication(out, {}, None)
    for name, data in old.items():
        first.add(name, data)
    live, back_names = first.commit()
    new = {name: data[:50_000] if n % 3 else data for n, (name, data) in enumerate(old.items())}
    del new["episodes/39/index.html"]
    new["episodes/40/index.html"] = b"new episode"
    new["feed.xml"] = old["feed.xml"]

    def add(spool: Spool) -> publish.Publication:
        publication = publish.Publication(out, live, back_names, spool)
        for n, (name, data) in enumerate(new.items()):
            publication.add(name, data if n % 3 or n == 39 else publish.UNCHANGED)
        return publication

    stats, back_names, spooled = _with_a_stuck_helper(out, add)
    assert 0 < len(spooled) < 10
    assert files(out) == new
    assert stats == {name: stat_of(out / name) for name in new}
    assert back_names == frozenset(old)  # the old site, now the back buffer
    assert files(tmp_path / ".podfeed-back-public") == old
