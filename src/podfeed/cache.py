"""The build cache: what a build learnt, so the next one redoes only what changed.

It lives in `.cache/podfeed/` in the show's folder (git-ignored, safe to delete: a build
without it does everything from scratch and gives the same bytes). It holds

- each episode as loaded, keyed by the stat of its episode.md, its folder and the
  transcript files it read (a file's stat: size, modification time in ns, inode);
- each audio file's facts, and people and organisations as loaded, keyed by the stat
  of their file;
- per output folder, in small files of their own: the stat of every input and, apart,
  of every output of the last build, so a build where nothing changed reads them, makes
  a `stat` call per file and stops (a build with an edit to make leaves the outputs to a
  helper, statcheck.py); and, in another, the key of every output (a digest of
  everything it was made from) and the stat of the file written, so unchanged outputs
  are linked from the previous `public/`, neither rendered nor written; and the rule
  table's findings on the last feed with what the rules read.

Keys are digests of the inputs' stats and of podfeed's own code and templates, so an
upgrade of podfeed, a new template or a changed setting invalidates what depends on it.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PosixPath
from typing import Any, TypeVar

from podfeed import __version__, model
from podfeed.errors import AudioError
from podfeed.model import AudioInfo, Episode
from podfeed.statcheck import MIN_INPUTS, OutputCheck
from podfeed.writer import Stat, stat_of

T = TypeVar("T")

CACHE_DIR = ".cache/podfeed"
_FORMAT = 1
TEMPLATES_CACHE = "templates"  # compiled templates (pages.environment), in CACHE_DIR
_SHARDS = 32  # episode records are saved in shards, so one edit rewrites one shard


def digest(*parts: object) -> str:
    """A short stable digest of plain values (str, int, tuples, None)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


@cache
def code_digest() -> str:
    """podfeed's own code and built-in templates: a new version re-renders everything."""
    package = Path(__file__).parent
    hasher = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted([*package.glob("*.py"), *package.glob("templates/*")]):
        hasher.update(path.name.encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


class _Pickler(pickle.Pickler):
    """Paths as one string each, and the model's records (dataclasses with slots) as their
    class and field values: each loads a third faster than pickle's default way."""

    def reducer_override(self, obj: Any) -> Any:
        kind: Any = type(obj)
        if kind is PosixPath:
            return PosixPath, (str(obj),)
        if kind.__module__ == model.__name__ and dataclasses.is_dataclass(obj):
            return kind, tuple(getattr(obj, name) for name in _field_names(kind))
        return NotImplemented


@cache
def _field_names(kind: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


@contextmanager
def _no_gc() -> Iterator[None]:
    """Unpickling many small objects is three times faster without the cyclic GC; what
    was loaded lives to the end of the build, so the GC need never look at it again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@dataclass
class EpisodeRecord:
    stamp: tuple[Any, ...]  # stats of what load_episode read
    episode: Episode
    key: str  # digest of the stamp: the episode's identity in output keys


@dataclass
class AudioRecord:
    stamp: Stat
    info: AudioInfo


@dataclass
class OutputState:
    """What the last build into one output folder knew, for the next one that has work."""

    outputs: dict[str, tuple[str, Stat]] = field(default_factory=dict)  # name → key, file
    back_names: frozenset[str] | None = None  # names in the back buffer (writer.py)
    # Names whose bytes the last build wrote: the back buffer (the site before it) holds
    # every other name of the site as a link to the same file. None: not known.
    written: frozenset[str] | None = None
    # incremental.RulesMemo, pickled apart: loading its issues loads the rule table
    rules: bytes | None = None


@dataclass
class QuickState:
    """What a build that changes nothing needs, kept apart so such a build reads little."""

    settings: str = ""  # digest of the build's arguments and podfeed's code
    next_release: float | None = None  # earliest release still held back (timestamp)
    result: Any = None  # the BuildResult to give again when nothing changed
    paths: tuple[str, ...] = ()  # every input the last build read (its outputs: OutputState)
    stats: tuple[Stat, ...] = ()  # and their stats then
    token: int = 0  # the same as the outputs' stats saved with it (statcheck.py)


class BuildCache:
    """Loaded once at the start of a build, saved once after the site is swapped in."""

    def __init__(self, root: Path, out: Path) -> None:
        self.started = time.time_ns()
        self.folder = root / CACHE_DIR
        self.out = out
        self.out_file = self.folder / f"out-{digest(str(out))}.pickle"
        self.quick_file = self.out_file.with_suffix(".quick.pickle")
        self.delta_file = self.out_file.with_suffix(".delta.pickle")
        self.stats_file = self.out_file.with_suffix(".stats.pickle")
        self.delta: Any = None  # what delta.py needs
        self.delta_changed = True  # saved unless it is as loaded
        self.episodes: dict[str, EpisodeRecord] = {}
        self.audio: dict[str, AudioRecord] = {}
        self.files: dict[str, tuple[Stat, Any]] = {}
        self._files_dirty = False
        self.state = OutputState()
        self._dirty_shards: set[int] = set()
        self._audio_dirty = False
        self._used_episodes: set[str] = set()
        self._real_folders: dict[str, str] = {}
        self.ahead: Any = None  # a prefetch.ReadAhead on a cold build of a big show
        self.output_check: OutputCheck | None = None  # started by `changes`
        with _no_gc():
            self.quick: QuickState = self._read(self.quick_file) or QuickState()

    def load_records(self) -> None:
        """Episodes, audio facts and outputs: needed only when something changed."""
        self.quick = QuickState()  # a stat per file of the last build: no use any more
        with _no_gc():
            self.state = self._read(self.out_file) or OutputState()
            for shard in range(_SHARDS):
                self.episodes |= self._read(self.folder / f"episodes-{shard}.pickle") or {}
            self.audio = self._read(self.folder / "audio.pickle") or {}
            self.files = self._read(self.folder / "files.pickle") or {}

    @staticmethod
    def _read(path: Path) -> Any:
        try:
            with path.open("rb") as file:
                version, data = pickle.load(file)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
            return None
        except (AttributeError, ImportError, IndexError):  # written by another podfeed
            return None
        return data if version == (_FORMAT, code_digest()) else None

    def _write(self, path: Path, data: Any) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(path.name + ".tmp")
        with temp.open("wb") as file:
            _Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(((_FORMAT, code_digest()), data))
        os.replace(temp, path)

    def save(self) -> None:
        """Write what changed; a failure to write the cache only costs the next build time."""
        try:
            by_shard: dict[int, dict[str, EpisodeRecord]] = {}
            for name, record in self.episodes.items():
                shard = _shard(name)
                if shard in self._dirty_shards:
                    by_shard.setdefault(shard, {})[name] = record
            for shard in self._dirty_shards:
                self._write(self.folder / f"episodes-{shard}.pickle", by_shard.get(shard, {}))
            if self._audio_dirty:
                self._write(self.folder / "audio.pickle", self.audio)
            if self._files_dirty:
                self._write(self.folder / "files.pickle", self.files)
            self._write(self.out_file, self.state)
            # The outputs' stats apart, as plain values, for statcheck's helper; with the
            # same token as the inputs', so the next build knows they were saved together.
            self.quick.token = self.started
            names = "\0".join(self.state.outputs)
            stats = tuple(stat for _, stat in self.state.outputs.values())
            self._write(self.stats_file, (self.started, names, stats))
            self._write(self.quick_file, self.quick)
            if self.delta is not None:
                if self.delta_changed:
                    self._write(self.delta_file, self.delta)
            else:
                self.delta_file.unlink(missing_ok=True)
            _ignore_in_git(self.folder)
        except OSError:
            pass

    def load_state(self) -> None:
        """The outputs of the last build and what delta.py needs, without the records."""
        with _no_gc():
            self.state = self._read(self.out_file) or OutputState()
            self.delta = self._read(self.delta_file)
        self.delta_changed = False

    # --- episodes ------------------------------------------------------------------------

    def load_episode(
        self, load: Any, folder: Path, root: Path, explicit: bool, language: str
    ) -> Episode:
        """`load(folder, root, explicit, language)` unless the same files were loaded before."""
        name = str(folder)
        self._used_episodes.add(name)
        record = self.episodes.get(name)
        # Where the episodes folder really is, in case it became a link: the files in it
        # keep their stats, but the episodes may now lie outside the show.
        parent = str(folder.parent)
        if parent not in self._real_folders:
            self._real_folders[parent] = os.path.realpath(parent)
        real = self._real_folders[parent]
        head = (
            explicit,
            language,
            str(root),
            real,
            stat_of(folder),
            stat_of(folder / "episode.md"),
        )
        if record is not None and (
            record.stamp[0] == head and all(stat_of(p) == s for p, s in record.stamp[1])
        ):
            return record.episode
        episode: Episode = load(folder, root, explicit, language)
        read = [t.path for t in episode.transcripts]
        stamp = (head, tuple((str(p), stat_of(p)) for p in read))
        self.episodes[name] = EpisodeRecord(stamp, episode, digest(stamp))
        self._dirty_shards.add(_shard(name))
        return episode

    def load_file(self, load: Callable[[Path], T], path: Path) -> T:
        """`load(path)` unless the same file was loaded before (people, organisations)."""
        stamp = stat_of(path)
        record = self.files.get(str(path))
        if record is not None and stamp is not None and record[0] == stamp:
            result: T = record[1]
            return result
        value = load(path)
        self.files[str(path)] = (stamp, value)
        self._files_dirty = True
        return value

    def episode_key(self, episode: Episode) -> str:
        """The identity of a loaded episode and its audio, for output keys."""
        record = self.episodes.get(str(episode.folder))
        base = record.key if record is not None else digest(repr(episode))
        audio = self.audio.get(str(episode.audio_path)) if episode.audio_url is None else None
        return digest(base, audio.stamp if audio else repr(episode.remote_audio))

    def loaded_episodes(self) -> list[EpisodeRecord]:
        """The episodes this build loaded (from the cache or afresh), drafts included."""
        return [self.episodes[name] for name in sorted(self._used_episodes)]

    def forget_unused_episodes(self) -> None:
        for name in set(self.episodes) - self._used_episodes:
            del self.episodes[name]
            self._dirty_shards.add(_shard(name))

    # --- audio ---------------------------------------------------------------------------

    def read_ahead(self, episodes: Path) -> None:
        """With no audio facts known, and many episode folders, start reading the audio
        in a helper process (prefetch.py) while the episodes are loaded."""
        from podfeed import prefetch

        if self.audio or sys.platform != "linux":
            return
        try:
            with os.scandir(episodes) as entries:
                folders = sum(1 for _ in entries)
        except OSError:
            return  # the loader reports it
        if folders >= prefetch.MIN_FOLDERS:
            self.ahead = prefetch.ReadAhead(episodes)

    def read_from_the_end(self, paths: list[Path]) -> None:
        """With a helper reading the audio ahead, this process reads the last of `paths`
        itself once it has loaded the episodes (prefetch.ReadAhead.read_from_the_end)."""
        if self.ahead is not None:
            self.ahead.read_from_the_end(paths)

    def stop_reading_ahead(self) -> None:
        if self.ahead is not None:
            self.ahead.stop()
            self.ahead = None

    def read_audio_info(self, read: Any, path: Path) -> AudioInfo:
        stamp = stat_of(path)
        record = self.audio.get(str(path))
        if record is not None and stamp is not None and record.stamp == stamp:
            return record.info
        answer = self.ahead.answer(path) if self.ahead is not None else None
        if answer is not None and stamp is not None and answer[0] == stamp:
            if not isinstance(answer[1], AudioInfo):
                raise AudioError(answer[1])
            info: AudioInfo = answer[1]
        else:
            info = read(path)
        self.audio[str(path)] = AudioRecord(stamp, info)
        self._audio_dirty = True
        return info

    # --- a build with nothing to do ------------------------------------------------------

    def changes(self, settings: str, now: float) -> list[str] | None:
        """The inputs of the last build that changed since, or None when the last build
        is no guide: none into this folder, other settings, or a release that came due.
        Its outputs are checked meanwhile (`changed_outputs`)."""
        quick = self.quick
        if not quick.paths or quick.settings != settings or quick.result is None:
            return None
        if quick.next_release is not None and now >= quick.next_release:
            return None
        pairs = zip(quick.paths, quick.stats, strict=True)
        changed = [path for path, known in pairs if stat_of(path) != known]
        # With inputs changed, this build has work to do meanwhile: a big show's outputs are
        # checked by a helper. Otherwise the answer is all there is to wait for.
        helper = bool(changed) and len(quick.paths) >= MIN_INPUTS
        version = (_FORMAT, code_digest())
        self.output_check = OutputCheck(self.stats_file, version, quick.token, self.out, helper)
        return changed

    def changed_outputs(self) -> list[str] | None:
        """The outputs of the last build that changed since (a page edited or deleted by
        hand), or None when that is not known: the whole build must run."""
        return self.output_check.changed() if self.output_check is not None else None

    def stop_checking_outputs(self) -> None:
        if self.output_check is not None:
            self.output_check.stop()
            self.output_check = None

    def remember(
        self,
        settings: str,
        result: Any,
        next_release: float | None,
        inputs: Iterable[Path],
    ) -> None:
        """What the next build needs to know that nothing changed since this one.

        A file changed while this build ran may have been read before the change: then
        the next build must not take its new stat for one this build saw, and does it all.
        """
        paths = list(dict.fromkeys(map(str, inputs)))
        stats = [stat_of(p) for p in paths]
        if any(changed_since(stat, self.started) for stat in stats):
            self.quick = QuickState()
            return
        self.quick = QuickState(settings, next_release, result, tuple(paths), tuple(stats))


def episode_inputs(episode: Episode) -> list[Path]:
    """The files and folder of an episode a build reads."""
    paths = [episode.folder, episode.source, *(t.path for t in episode.transcripts)]
    if episode.chapters_file is not None:
        paths.append(episode.chapters_file)
    if episode.audio_url is None:
        paths.append(episode.audio_path)
    return paths


# File times come from a coarse clock that may lag the one read at the start by a tick.
_CLOCK_SLACK_NS = 20_000_000


def changed_since(stat: Stat, started_ns: int) -> bool:
    """Whether a file's modification time (or its link target's) is within the build."""
    return stat is not None and max(stat[1::3]) >= started_ns - _CLOCK_SLACK_NS


def _shard(name: str) -> int:
    return int(hashlib.blake2b(name.encode(), digest_size=2).hexdigest(), 16) % _SHARDS


def _ignore_in_git(folder: Path) -> None:
    """The cache is the machine's, not the show's: keep it out of commits."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
