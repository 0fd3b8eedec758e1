"""Write only what changed, still swapping the whole site in at once.

`writer.write_site` builds a complete new folder beside the output and swaps it in; on a
big show that means a directory per episode every build. Here the previous-but-one site
is kept as a back buffer (`.podfeed-back-<name>` beside the output): a build brings it
up to date — unchanged files hard-linked from the live site, only new bytes written or
copied — and exchanges it with the live folder in one atomic
`renameat2(RENAME_EXCHANGE)`. The live folder is never written to, so a build that
fails or is killed leaves it byte-identical; a back buffer left half-done is known by a
marker file and rebuilt from scratch.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from podfeed.errors import BuildError
from podfeed.spool import Spool
from podfeed.writer import (
    Source,
    Stat,
    _exchange,
    _folder_mode,
    _refuse_foreign,
    _remove_leftovers,
    _swap,
    check_name,
    fsync_dir,
    link_or_copy,
    stat_of,
    write_output,
)


class Unchanged:
    """An output whose bytes are those of the same file in the live site."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()
Data = Source | Unchanged
Output = tuple[str, Data]


def back_buffer(out: Path) -> Path:
    return out.parent / f".podfeed-back-{out.name}"


def _marker(out: Path) -> Path:
    return out.parent / f".podfeed-back-{out.name}.incomplete"


class Publication:
    """A new site written beside `out` one output at a time; `out` changes only at `commit`.

    Outputs are written as they are made, so a build never holds the whole site in memory.
    `live` is what the last build wrote into `out` (name → stat), `back_names` the names
    the back buffer held after it; both come from the build cache and are trusted only
    where the files agree. With no previous site, a fresh folder is written and swapped in.
    """

    def __init__(
        self,
        out: Path,
        live: dict[str, Stat],
        back_names: frozenset[str] | None,
        spool: Spool | None = None,
    ) -> None:
        self.out = out = out.absolute()
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(out)
        _refuse_foreign(out)
        self.live = live
        self.stats: dict[str, Stat] = {}
        self.written: set[str] = set()  # names given new bytes, not linked from `out`
        back, self.marker = back_buffer(out), _marker(out)
        self.fresh = not out.is_dir() or not live
        # A fresh site's back buffer, linked as the site is written (by the spool's helper,
        # or by this process for the files it makes itself).
        self.back: _Folders | None = None
        if self.fresh:
            shutil.rmtree(back, ignore_errors=True)
            self.marker.unlink(missing_ok=True)
            self.root = Path(tempfile.mkdtemp(prefix=f".podfeed-{out.name}-", dir=out.parent))
            self.root.chmod(_folder_mode())
            back_names = frozenset()
            if spool is not None:
                self.marker.touch()
                back.mkdir(mode=_folder_mode())
                back.chmod(_folder_mode())
                self.back = _Folders(back, [""])
        elif self.marker.exists() or back_names is None or not back.is_dir():
            shutil.rmtree(back, ignore_errors=True)
            back.mkdir(mode=_folder_mode())
            back.chmod(_folder_mode())
            back_names = frozenset()
            self.root = back
        else:
            self.root = back
        if not self.fresh:
            self.marker.touch()
        self.present = back_names
        self.folders = _Folders(self.root, {"", *(n.rpartition("/")[0] for n in back_names)})
        # With a `spool`, its helper process makes the files, in the same order; when it
        # has more queued than it is doing, this process makes the next ones itself.
        self.spool = spool
        self.spooled: list[str] = []  # the names the helper writes, in order

    def add(self, name: str, data: Data) -> None:
        check_name(name, self.stats, self.out)
        spool = self.spool
        if spool is not None and spool.behind():
            spool = None  # the helper has enough to do: this process makes this one
        target = self.folders.path(name, spool)
        present = name in self.present
        if isinstance(data, Unchanged):
            known = self.live.get(name)
            if known is None:
                raise BuildError.single(self.out / name, "was expected from the last build.")
            if not present or stat_of(target) != known:
                source = os.path.join(self.out, name)
                if spool:
                    spool.link_or_copy(source, target, present)
                else:
                    link_or_copy(source, target, present)
            self.stats[name] = known
            return
        self.written.add(name)
        if spool:
            if present:
                spool.unlink(target)
            spool.write(target, data)
            self.spooled.append(name)
            self.stats[name] = None  # known at `commit`
            if self.back is not None:  # the same file, in the back buffer too
                spool.link_or_copy(target, self.back.path(name, spool), False)
            return
        if present:
            os.unlink(target)
        self.stats[name] = write_output(target, data)
        if self.back is not None:
            link_or_copy(target, self.back.path(name), False)

    def commit(self) -> tuple[dict[str, Stat], frozenset[str] | None]:
        """Swap the new site in; returns the stat of every file and the back buffer's names."""
        if self.spool:
            spool, self.spool = self.spool, None
            self.stats |= zip(self.spooled, spool.finish(), strict=True)
        if self.fresh:
            _swap(self.root, self.out)
            # The first back buffer: links to every file, so the next edit patches it.
            if self.back is None:  # not made as the site was written
                back = _Folders(back_buffer(self.out))
                self.marker.touch()
                for name in self.stats:
                    link_or_copy(os.path.join(self.out, name), back.path(name), False)
            self.written.clear()  # the back buffer is the site itself
            return self.stats, frozenset(self.stats)
        stale = self.present - self.stats.keys()
        for name in stale:
            (self.root / name).unlink(missing_ok=True)
        _remove_empty_folders(self.root, stale)
        return self.stats, _swap_in(self.root, self.out, self.live)

    def abort(self) -> None:
        """Leave `out` as it was; a half-written back buffer keeps its marker."""
        if self.spool:
            self.spool.abort()
        if self.fresh:
            shutil.rmtree(self.root, ignore_errors=True)


def patch(
    out: Path,
    live: dict[str, Stat],
    back_names: frozenset[str],
    written: frozenset[str],
    changes: dict[str, Source],
) -> tuple[dict[str, Stat], frozenset[str] | None] | None:
    """The live site with `changes` (existing names given new bytes), swapped in at once,
    in time proportional to the changes; returns as `Publication.commit`.

    The back buffer holds the site before the last build: every name that build did not
    write (`written`) is a link to the live file already, so only those need linking
    again. None, with nothing touched, when there is no such back buffer.
    """
    out = out.absolute()
    back, marker = back_buffer(out), _marker(out)
    if marker.exists() or not back.is_dir() or not out.is_dir() or not live:
        return None
    if not changes.keys() <= live.keys():
        raise ValueError("patch only replaces files the site has")
    marker.touch()
    folders = _Folders(back)
    for name in (written | (live.keys() - back_names)) - changes.keys():
        link_or_copy(os.path.join(out, name), folders.path(name), True)
    stale = back_names - live.keys()
    for name in stale:
        (back / name).unlink(missing_ok=True)
    _remove_empty_folders(back, stale)
    stats = dict(live)
    for name, data in changes.items():
        target = folders.path(name)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        stats[name] = write_output(target, data)
    return stats, _swap_in(back, out, live)


def _swap_in(back: Path, out: Path, live: dict[str, Stat]) -> frozenset[str] | None:
    """Exchange the brought-up-to-date back buffer with `out`; the names the back buffer
    holds now (the old site's), or None when it is gone."""
    if _exchange(back, out):
        fsync_dir(out.parent)
        return frozenset(live)
    # No atomic exchange here: the back buffer becomes the site, the old site goes.
    _swap(back, out)
    _marker(out).unlink(missing_ok=True)
    return None


class _Folders:
    """The folders of a tree being written: those known to exist (`existing`, or made by
    this process) and those queued for the spool's helper, which exist for the ops queued
    after them."""

    def __init__(self, root: str | Path, existing: Iterable[str] = ()) -> None:
        self.root = str(root)
        self.here = set(existing)
        self.queued: set[str] = set()

    def path(self, name: str, spool: Spool | None = None) -> str:
        """The path of output `name`, its folder made (by `spool`'s helper, if given)."""
        parent = name.rpartition("/")[0]
        if parent not in self.here:
            folder = os.path.join(self.root, parent)
            if spool is None:
                os.makedirs(folder, exist_ok=True)
                self.here.add(parent)
            elif parent not in self.queued:
                spool.makedirs(folder)
                self.queued.add(parent)
        return os.path.join(self.root, name)


def settled(out: Path) -> None:
    """The build cache now knows the back buffer's content: drop the marker."""
    _marker(out.absolute()).unlink(missing_ok=True)


def _remove_empty_folders(root: Path, removed: Iterable[str]) -> None:
    parents = {p for n in removed for p in PurePosixPath(n).parents if str(p) != "."}
    for folder in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # still holds files
            (root / folder).rmdir()
