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
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from podfeed.cache import Stat, stat_of
from podfeed.errors import BuildError
from podfeed.writer import (
    _exchange,
    _folder_mode,
    _refuse_foreign,
    _remove_leftovers,
    _swap,
    checked_names,
    fsync_dir,
)


class Unchanged:
    """An output whose bytes are those of the same file in the live site."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()
Data = bytes | Path | Unchanged
Output = tuple[str, Data]


def back_buffer(out: Path) -> Path:
    return out.parent / f".podfeed-back-{out.name}"


def _marker(out: Path) -> Path:
    return out.parent / f".podfeed-back-{out.name}.incomplete"


def publish(
    outputs: Sequence[Output],
    out: Path,
    live: dict[str, Stat],
    back_names: frozenset[str] | None,
) -> tuple[dict[str, Stat], frozenset[str] | None]:
    """Make `out` hold exactly `outputs`; returns the stat of every file and the back's names.

    `live` is what the last build wrote into `out` (name → stat), `back_names` the names
    the back buffer held after it; both come from the build cache and are trusted only
    where the files agree.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    _refuse_foreign(out)
    names = checked_names((name for name, _ in outputs), out)
    back, marker = back_buffer(out), _marker(out)
    if not out.is_dir() or not live:
        shutil.rmtree(back, ignore_errors=True)
        marker.unlink(missing_ok=True)
        return _write_fresh(outputs, out, live), None
    if marker.exists() or back_names is None or not back.is_dir():
        shutil.rmtree(back, ignore_errors=True)
        back.mkdir(mode=_folder_mode())
        back.chmod(_folder_mode())
        back_names = frozenset()
    marker.touch()
    stats = _update(outputs, out, back, live, back_names)
    for name in back_names - names:
        (back / name).unlink(missing_ok=True)
    _remove_empty_folders(back, back_names - names)
    if _exchange(back, out):
        fsync_dir(out.parent)
        return stats, frozenset(live)
    # No atomic exchange here: the back buffer becomes the site, the old site goes.
    _swap(back, out)
    marker.unlink(missing_ok=True)
    return stats, None


def settled(out: Path) -> None:
    """The build cache now knows the back buffer's content: drop the marker."""
    _marker(out.absolute()).unlink(missing_ok=True)


def _write_fresh(outputs: Sequence[Output], out: Path, live: dict[str, Stat]) -> dict[str, Stat]:
    temp = Path(tempfile.mkdtemp(prefix=f".podfeed-{out.name}-", dir=out.parent))
    temp.chmod(_folder_mode())
    try:
        stats = _update(outputs, out, temp, live, frozenset())
        _swap(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return stats


def _update(
    outputs: Sequence[Output],
    out: Path,
    target_root: Path,
    live: dict[str, Stat],
    present: frozenset[str],
) -> dict[str, Stat]:
    folders = {n.rpartition("/")[0] for n in present} | {""}
    stats: dict[str, Stat] = {}
    for name, data in outputs:
        target = os.path.join(target_root, name)
        parent = name.rpartition("/")[0]
        if parent not in folders:
            os.makedirs(os.path.join(target_root, parent), exist_ok=True)
            folders.add(parent)
        if isinstance(data, Unchanged):
            known = live.get(name)
            if known is None:
                raise BuildError.single(out / name, "was expected from the last build.")
            if name not in present or stat_of(target) != known:
                _link(os.path.join(out, name), target, name in present)
            stats[name] = known
        elif isinstance(data, Path):
            # A copy, not a link: an editor or tagger rewriting the show's file in place
            # must not change the live site behind the build's back.
            if name in present:
                os.unlink(target)
            shutil.copyfile(data, target)
            stats[name] = stat_of(target)
        else:
            if name in present:
                os.unlink(target)
            with open(target, "xb") as file:
                file.write(data)
            stats[name] = stat_of(target)
    return stats


def _link(source: str, target: str, replace: bool) -> None:
    """Hard-link (cheap, same bytes); copy where links cannot be made (another disk)."""
    if replace:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
    try:
        os.link(source, target)
    except OSError as error:
        if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copyfile(source, target)


def _remove_empty_folders(root: Path, removed: Iterable[str]) -> None:
    parents = {p for n in removed for p in PurePosixPath(n).parents if str(p) != "."}
    for folder in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # still holds files
            (root / folder).rmdir()
