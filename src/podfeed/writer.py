"""Write the site to disk atomically: build beside the target, then swap folders.

A build that fails or is killed half-way leaves the previous output untouched; the
temporary folder it leaves behind is removed by the next build.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from podfeed.errors import BuildError

# bytes to write, or a file to copy byte for byte
Output = tuple[str, bytes | Path]

_TEMP_PREFIX = ".podfeed-"


def write_site(outputs: Iterable[Output], out: Path) -> int:
    """Write every output under `out`, replacing what was there; returns the file count."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    _refuse_foreign(out)
    temp = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{out.name}-", dir=out.parent))
    try:
        count = _write_all(outputs, temp)
        _swap(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return count


def _write_all(outputs: Iterable[Output], root: Path) -> int:
    written: set[str] = set()
    for name, data in outputs:
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or name in written:
            problem = "twice" if name in written else "outside the output folder"
            raise BuildError.single(root / name, f"podfeed tried to write this file {problem}.")
        written.add(name)
        target = root.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            shutil.copyfile(data, target)
        else:
            target.write_bytes(data)
    return len(written)


def _swap(new: Path, out: Path) -> None:
    old = out.parent / f"{_TEMP_PREFIX}{out.name}-old"
    if out.exists():
        os.replace(out, old)
    os.replace(new, out)
    shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(out.parent)


def _refuse_foreign(out: Path) -> None:
    """Replacing a folder that is not a previous build would delete someone's files."""
    if out.exists() and not out.is_dir():
        raise BuildError.single(out, "is a file, not a folder; choose another output folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / "feed.xml").is_file():
        raise BuildError.single(
            out,
            "already holds files that podfeed did not write, and a build replaces the whole "
            "folder; choose a new or empty output folder.",
        )


def _remove_leftovers(out: Path) -> None:
    """Temporary folders of a killed build; restore the old output if the swap was cut short."""
    old = out.parent / f"{_TEMP_PREFIX}{out.name}-old"
    if old.exists() and not out.exists():
        os.replace(old, out)
    for leftover in out.parent.glob(f"{_TEMP_PREFIX}{out.name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
