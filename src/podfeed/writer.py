"""Write the site to disk atomically: build beside the target, then swap folders.

A build that fails or is killed half-way leaves the previous output untouched; the
temporary folder it leaves behind is removed by the next build.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import tempfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from podfeed.errors import BuildError
from podfeed.files import FileKind, make_file
from podfeed.files import Stat as Stat
from podfeed.files import link_or_copy as link_or_copy
from podfeed.files import stat_of as stat_of


@dataclass(frozen=True)
class Linked:
    """A file of the show published as a hard link to it, not a copy (`link_audio`): no
    room taken and no bytes written, but the site changes with the file if something
    rewrites it in place. Copied where a link cannot be made (another disk)."""

    path: Path


# What an output is made of: bytes to write, or a file to copy (or link) byte for byte.
Source = bytes | Path | Linked
Output = tuple[str, Source]

_TEMP_PREFIX = ".podfeed-"


def write_site(outputs: Iterable[Output], out: Path) -> int:
    """Write every output under `out`, replacing what was there; returns the file count."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    _refuse_foreign(out)
    temp = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{out.name}-", dir=out.parent))
    temp.chmod(_folder_mode())  # mkdtemp makes it owner-only; a web server must read it
    try:
        count = _write_all(outputs, temp)
        _swap(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return count


def check_name(name: str, written: Collection[str], out: Path) -> None:
    """Refuse an output name written twice or outside the output folder (a bug)."""
    if name.startswith("/") or name in written or (".." in name and ".." in name.split("/")):
        problem = "twice" if name in written else "outside the output folder"
        raise BuildError.single(out / name, f"podfeed tried to write this file {problem}.")


def _write_all(outputs: Iterable[Output], root: Path) -> int:
    outputs = list(outputs)
    written: set[str] = set()
    for name, _ in outputs:
        check_name(name, written, root)
        written.add(name)
    for name, data in outputs:
        target = root.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Linked):
            link_or_copy(str(data.path), str(target), False)
        elif isinstance(data, Path):
            shutil.copyfile(data, target)
        else:
            target.write_bytes(data)
    return len(outputs)


def file_source(data: Source) -> tuple[FileKind, bytes | str]:
    """How `data` becomes a file (files.make_file): its kind, and its bytes or path."""
    if isinstance(data, Linked):
        return "linked", str(data.path)
    if isinstance(data, Path):
        return "copy", str(data)
    return "bytes", data


def write_output(target: str, data: Source) -> Stat:
    """Make the file `target` (which must not exist) from `data`; its stat."""
    return make_file(*file_source(data), target)


def _swap(new: Path, out: Path) -> None:
    """Put `new` in place of `out`; where Linux allows, in one atomic exchange."""
    if out.exists() and _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # now holds the previous site
    else:
        old = out.parent / f"{_TEMP_PREFIX}{out.name}-old"
        if out.exists():
            os.replace(out, old)
        os.replace(new, out)
        shutil.rmtree(old, ignore_errors=True)
    fsync_dir(out.parent)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two folders with no moment where neither exists."""
    if _renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = _renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)


def _load_renameat2() -> Any:
    if sys.platform != "linux":
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def _folder_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


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


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable: the folder's entry list is data too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
