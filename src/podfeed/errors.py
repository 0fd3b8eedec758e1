"""One root exception for everything podfeed reports to a user.

Every problem names the file (and the field and line where known) and says in one
sentence what is wrong and how to fix it. Stages collect problems and raise them
together, so a comms officer sees the whole list at once instead of one at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Self


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the show's files."""

    file: Path
    message: str
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class PodfeedError(Exception):
    """Root of every error podfeed raises on purpose; carries one or more problems."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[PodfeedError], tuple[tuple[Problem, ...]]]:
        """Pickled with its problems, not its message: a helper process can send it back."""
        return type(self), (self.problems,)

    @classmethod
    def single(
        cls, file: Path, message: str, field: str | None = None, line: int | None = None
    ) -> Self:
        return cls([Problem(file, message, field, line)])


class ContentError(PodfeedError):
    """The show's metadata, registries or episode files are wrong."""


class AudioError(PodfeedError):
    """An audio file is missing, empty, truncated or not audio."""


class BuildError(PodfeedError):
    """Output could not be rendered or written."""
