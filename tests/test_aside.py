"""A fresh build of a big show shares its pages with a forked copy of itself (aside.py):
each takes pages from one end of the list, with the files of their folders; the site,
its back buffer and the next edit are as if one process had made them all."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from podfeed import pages, pipeline, publish
from podfeed.aside import Aside, Ends
from podfeed.build import build
from podfeed.errors import BuildError
from podfeed.files import stat_of
from test_incremental import edit_notes, files

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork and the spool: Linux")


def test_the_two_ends_take_every_number_once() -> None:
    ends = Ends(200)

    def slowly(numbers: Any) -> list[int]:
        taken = []
        for n in numbers:
            taken.append(n)
            time.sleep(0.001)  # both sides are still taking when they meet
        return taken

    aside = Aside(lambda: slowly(ends.back()))
    front = slowly(ends.front())
    back = aside.result()
    assert front and back
    assert sorted(front + back) == list(range(200))
    assert front == list(range(len(front)))  # from the start, in order
    assert back == list(range(199, 199 - len(back), -1))  # from the end


def test_the_copy_gives_its_value_its_error_or_its_death() -> None:
    assert Aside(lambda: {"a": (1, 2, 3)}).result() == {"a": (1, 2, 3)}

    def fails() -> None:
        raise BuildError.single(Path("templates/person.html"), "went wrong", line=3)

    with pytest.raises(BuildError) as raised:
        Aside(fails).result()
    assert raised.value.problems[0].file == Path("templates/person.html")
    assert raised.value.problems[0].line == 3
    with pytest.raises(ChildProcessError, match="exit status 3"):
        Aside(lambda: os._exit(3)).result()


def test_a_copy_stopped_leaves_nothing_running() -> None:
    aside = Aside(lambda: time.sleep(60))
    pid = aside.pid
    assert pid is not None
    aside.abort()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # gone, and reaped


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """A fresh build of any size shares its pages, each page slowed down so that both
    processes make some; what the build took from the copy, for each build."""
    monkeypatch.setattr(pipeline, "MIN_EPISODES", 1)
    monkeypatch.setattr(pipeline, "MIN_FILES", 1)
    original = pages.render_page

    def slow(*args: Any) -> bytes:
        time.sleep(0.02)
        return original(*args)

    monkeypatch.setattr(pages, "render_page", slow)
    adopted: list[dict[str, Any]] = []
    adopt = publish.Publication.adopt
    monkeypatch.setattr(
        publish.Publication, "adopt", lambda self, made: adopted.append(made) or adopt(self, made)
    )
    return adopted


def test_a_shared_build_makes_the_same_site(
    bundled_show: Path, tmp_path: Path, shared: list[dict[str, Any]]
) -> None:
    build(bundled_show)
    (made,) = shared
    public, back = bundled_show / "public", bundled_show / ".podfeed-back-public"
    site = files(public)
    # The copy made pages from the end of the list (organisations, people, old episodes),
    # the build those from the start (the home page, new episodes).
    assert any(name.startswith("organisations/") for name in made)
    assert "index.html" not in made and "index.html" in site
    # With each page, the files of its folder: the oldest episode's audio and chapters.
    oldest = "episodes/01-how-is-the-nhs-tackling-the-care-backlog/"
    if oldest + "index.html" in made:
        assert {name for name in site if name.startswith(oldest)} <= made.keys()
    assert made == {name: stat_of(public / name) for name in made}  # as the files are
    build(bundled_show, tmp_path / "plain", cached=False)
    assert site == files(tmp_path / "plain")
    # The first back buffer: a link to every file, whichever process made it.
    names = [p.relative_to(public) for p in public.rglob("*") if p.is_file()]
    assert all((public / n).stat().st_ino == (back / n).stat().st_ino for n in names)
    assert len(names) == len([p for p in back.rglob("*") if p.is_file()])
    # The cache knows every file: an edit is patched in (delta.py), a no-op does nothing.
    time.sleep(0.05)
    edit_notes(bundled_show)
    time.sleep(0.05)
    build(bundled_show)
    build(bundled_show, tmp_path / "edited", cached=False)
    assert files(public) == files(tmp_path / "edited")
    assert len(shared) == 1  # the edit was not a fresh build


def test_an_error_in_a_page_of_the_copy_is_the_builds(
    bundled_show: Path, shared: list[dict[str, Any]]
) -> None:
    """A template failing in the copy fails the build as it would have in the build's
    own process, naming the template and line; nothing is published."""
    template = bundled_show / "templates" / "organisation.html"
    lines = template.read_text().splitlines(keepends=True)
    assert lines[7 - 1].startswith("{% block main %}")
    lines.insert(7, "{{ organisation.name.no_such_method() }}\n")  # line 8
    template.write_text("".join(lines))
    with pytest.raises(BuildError) as raised:
        build(bundled_show)
    problem = raised.value.problems[0]
    assert problem.file.name == "organisation.html"
    assert problem.line == 8
    assert not (bundled_show / "public").exists()
    assert shared == []  # the build stopped at the copy's error
