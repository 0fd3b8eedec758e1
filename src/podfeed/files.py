"""The file-system calls a build's writes come down to, with nothing but the standard
library: the helper process that writes a big show's files (spool.py) imports only this."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat

# (size, mtime_ns, inode) of a file, or None when it does not exist; for a symbolic link,
# the link's own and then its target's
Stat = tuple[int, ...] | None


def stat_of(path: str | os.PathLike[str]) -> Stat:
    try:
        result = os.lstat(path)
        own = (result.st_size, result.st_mtime_ns, result.st_ino)
        if not stat.S_ISLNK(result.st_mode):
            return own
        target = os.stat(path)
    except OSError:
        return None
    return (*own, target.st_size, target.st_mtime_ns, target.st_ino)


def write_new(target: str, data: bytes) -> None:
    """`data` into `target`, which must not exist yet."""
    with open(target, "xb") as file:
        file.write(data)


FileKind = str  # "bytes", "linked" or "copy"


def make_file(kind: FileKind, source: bytes | str, target: str) -> Stat:
    """Make `target`, which must not exist yet, from bytes, or from the show's file
    `source` as a hard link ("linked", `link_audio`) or a copy; its stat."""
    if kind == "bytes":
        assert isinstance(source, bytes)
        write_new(target, source)
    elif kind == "linked":
        assert isinstance(source, str)
        link_or_copy(source, target, False)
    else:
        # A copy, not a link: an editor or tagger rewriting the show's file in place
        # must not change the live site behind the build's back.
        assert isinstance(source, str)
        shutil.copyfile(source, target)
    return stat_of(target)


def link_or_copy(source: str, target: str, replace: bool) -> None:
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
