"""`podfeed build`: the show's folder in, the site out, all or nothing.

When nothing changed since the last build into the same folder, the build ends after
a `stat` of every file it read and wrote. The pipeline (pipeline.py) and its libraries
are loaded only when there is something to do, so a no-op takes a fraction of a second.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from podfeed.cache import BuildCache, code_digest, digest
from podfeed.errors import BuildError, PodfeedError, Problem

DEFAULT_OUT = "public"

# Told (done, total, what) as a long operation goes; the CLI draws it on a terminal.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class BuildResult:
    out: Path
    episodes: int
    files: int
    warnings: tuple[Problem, ...] = ()  # rule-table warnings; errors stop the build
    held_back: int = 0  # drafts and scheduled episodes left out


def build(
    root: Path,
    out: Path | None = None,
    site_url: str | None = None,
    *,
    now: datetime | None = None,
    preview: bool = False,
    progress: Progress | None = None,
    cached: bool = True,
) -> BuildResult:
    """Build the show in `root` into `out` (default `root/public`); all or nothing.

    Only episodes released by `now` (default: the clock) and not drafts are published,
    unless `preview` is set, which publishes every episode for a look before release.
    With `cached` (the default) only what changed since the last build is redone
    (see cache.py); the output is byte for byte the same either way.
    """
    root = root.absolute()
    out = (out or root / DEFAULT_OUT).absolute()
    if root.is_relative_to(out):
        raise BuildError.single(out, "would replace the show's own folder; choose another output.")
    moment = now or datetime.now(UTC)
    if not cached:
        from podfeed import pipeline

        return pipeline.full_build(root, out, site_url, moment, preview, progress)
    cache = None
    try:
        cache = BuildCache(root, out)
        settings = digest(code_digest(), str(out), site_url, preview)
        changed = cache.changes(settings, moment.timestamp())
        if changed == [] and cache.changed_outputs() == []:
            result: BuildResult = cache.quick.result
            return result
        if changed:
            from podfeed import delta

            edited = delta.edit_build(root, out, preview, cache, changed)
            if edited is not None:
                return edited
        cache.stop_checking_outputs()  # the whole build compares every output itself
        from podfeed import pipeline

        return pipeline.cached_build(
            root, out, site_url, moment, preview, progress, cache, settings
        )
    finally:
        if cache is not None:
            cache.stop_checking_outputs()
        # The build froze what it loaded out of the cyclic GC's way (cache.py); in a process
        # that builds again and again (`podfeed serve`) it must become collectable again.
        gc.unfreeze()


__all__ = ["BuildResult", "PodfeedError", "Progress", "build"]
