"""Work spread over cores gives exactly what the same work gives in order."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from podfeed import parallel
from podfeed.build import build
from podfeed.errors import ContentError, Problem
from podfeed.parallel import parallel_map, threaded_map


def test_results_keep_their_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    parent = os.getpid()
    results = parallel_map(lambda n: (n * n, os.getpid()), list(range(500)))
    assert [square for square, _ in results] == [n * n for n in range(500)]
    if parallel.workers() > 1:
        assert {pid for _, pid in results} - {parent}, "the work ran in forked workers"
    assert threaded_map(lambda n: n + 1, list(range(500))) == list(range(1, 501))


def test_a_worker_problem_arrives_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)

    def fail_on_42(n: int) -> int:
        if n == 42:
            raise ContentError([Problem(Path("episode.md"), "is wrong.", "title", 3)])
        return n

    with pytest.raises(ContentError) as caught:
        parallel_map(fail_on_42, list(range(100)))
    assert caught.value.problems == (Problem(Path("episode.md"), "is wrong.", "title", 3),)


def test_a_parallel_build_is_byte_identical(
    sample_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def tree(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    build(sample_show, tmp_path / "serial", cached=False)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    build(sample_show, tmp_path / "parallel", cached=False)
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
