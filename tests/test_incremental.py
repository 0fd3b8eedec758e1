"""Rebuilds from the build cache give the same bytes as a build from scratch, whatever changed."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import feedparser
import podcastparser
import pytest
from click.testing import CliRunner
from lxml import etree

from podfeed.build import build
from podfeed.cache import CACHE_DIR
from podfeed.check import check_show
from podfeed.cli import cli
from podfeed.publish import back_buffer

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"

EPISODES = "episodes"


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def episode(show: Path, prefix: str) -> Path:
    return next((show / EPISODES).glob(f"{prefix}-*"))


def edit_notes(show: Path) -> None:
    path = episode(show, "02") / "episode.md"
    path.write_text(path.read_text() + "\nA paragraph added after release.\n")


def edit_title(show: Path) -> None:
    replace_in(episode(show, "03") / "episode.md", 'title: "', 'title: "Revised: ')


def edit_template(show: Path) -> None:
    replace_in(show / "templates" / "episode.html", "<h2 id=\"notes\">Show notes</h2>",
               "<h2 id=\"notes\">Notes</h2>")  # fmt: skip


def edit_stylesheet(show: Path) -> None:
    path = show / "templates" / "style.css"
    path.write_text(path.read_text() + "\n.notes { margin-top: 2rem; }\n")


def edit_show_setting(show: Path) -> None:
    replace_in(show / "podcast.yaml", 'copyright: "© 2022', 'copyright: "© 2022, 2023')


def edit_show_title(show: Path) -> None:
    replace_in(show / "podcast.yaml", 'title: "Providers Deliver', 'title: "NHS Providers Deliver')


def edit_transcript(show: Path) -> None:
    replace_in(episode(show, "02") / "transcript.vtt", "a synthesised stand-in", "a stand-in")


def edit_chapters(show: Path) -> None:
    chapters = '{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "All of it"}]}'
    (episode(show, "03") / "chapters.json").write_text(chapters)


def edit_person_name(show: Path) -> None:
    replace_in(show / EPISODES / "people.yaml", "name: Anna Quigley", "name: Dr Anna Quigley")


def edit_organisation_website(show: Path) -> None:
    replace_in(
        show / EPISODES / "organisations.yaml",
        "website: https://www.england.nhs.uk/",
        "website: https://www.england.nhs.uk/about/",
    )


def add_episode(show: Path) -> None:
    source = episode(show, "04")
    target = show / EPISODES / "05-a-bonus-episode"
    shutil.copytree(source, target)
    text = (target / "episode.md").read_text()
    text = text.replace("number: 4", "number: 5").replace(
        "released: 2022-06-09", "released: 2022-06-16"
    )
    text = text.replace('title: "', 'title: "Bonus: ', 1)
    guid_line = next(line for line in text.splitlines() if line.startswith("guid: "))
    text = text.replace(guid_line, "guid: 0b7d9c0e-5b8f-4c53-9d7e-7cbb3d0c2f55")
    (target / "episode.md").write_text(text)


def delete_episode(show: Path) -> None:
    shutil.rmtree(episode(show, "01"))


def replace_audio(show: Path) -> None:
    target = episode(show, "02") / "episode.mp3"
    target.unlink()
    shutil.copyfile(DATA / "speech.mp3", target)


def cap_feed(show: Path) -> None:
    path = show / "podcast.yaml"
    path.write_text(path.read_text() + "feed_episodes: 2\n")


def page_size(show: Path, size: int = 2) -> None:
    path = show / "podcast.yaml"
    text = path.read_text()
    setting = next((ln for ln in text.splitlines() if ln.startswith("episodes_per_page:")), None)
    new = f"episodes_per_page: {size}"
    path.write_text(text.replace(setting, new) if setting else f"{text}{new}\n")


EDITS: dict[str, Callable[[Path], None]] = {
    "notes": edit_notes,
    "title": edit_title,
    "template": edit_template,
    "stylesheet": edit_stylesheet,
    "show setting": edit_show_setting,
    "show title": edit_show_title,
    "transcript": edit_transcript,
    "chapters file": edit_chapters,
    "person name": edit_person_name,
    "organisation website": edit_organisation_website,
    "new episode": add_episode,
    "deleted episode": delete_episode,
    "audio file replaced": replace_audio,
    "feed cap": cap_feed,
    "page size": page_size,
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_a_rebuild_after_an_edit_is_the_same_as_a_build_from_scratch(
    bundled_show: Path, tmp_path: Path, kind: str
) -> None:
    build(bundled_show)
    build(bundled_show)  # a second build: the back buffer exists from now on
    before = files(bundled_show / "public")
    EDITS[kind](bundled_show)
    build(bundled_show)
    after = files(bundled_show / "public")
    assert after != before, "the edit must show in the site"
    build(bundled_show, tmp_path / "scratch", cached=False)
    assert after == files(tmp_path / "scratch")
    # and once more, from the back buffer that now holds the site before the edit
    build(bundled_show)
    assert files(bundled_show / "public") == after


@pytest.mark.parametrize("kind", ["title", "new episode", "deleted episode", "page size"])
def test_a_rebuild_of_a_show_listed_on_several_pages_is_the_same_as_from_scratch(
    bundled_show: Path, tmp_path: Path, kind: str
) -> None:
    """Three episodes a page: two listing pages, which an edit changes, shifts or ends."""
    page_size(bundled_show, 3)
    build(bundled_show)
    build(bundled_show)
    before = files(bundled_show / "public")
    assert "page/2/index.html" in before and "page/3/index.html" not in before
    EDITS[kind](bundled_show)
    build(bundled_show)
    after = files(bundled_show / "public")
    assert after != before
    build(bundled_show, tmp_path / "scratch", cached=False)
    assert after == files(tmp_path / "scratch")


def test_every_kind_of_edit_in_a_row(bundled_show: Path, tmp_path: Path) -> None:
    build(bundled_show)
    for number, edit in enumerate(EDITS.values()):
        edit(bundled_show)
        build(bundled_show)
        build(bundled_show, tmp_path / f"scratch-{number}", cached=False)
        assert files(bundled_show / "public") == files(tmp_path / f"scratch-{number}")


def test_editing_notes_redoes_only_that_episode_and_its_feed(bundled_show: Path) -> None:
    build(bundled_show)
    build(bundled_show)
    public = bundled_show / "public"
    inodes = {p: p.stat().st_ino for p in public.rglob("*") if p.is_file()}
    edit_notes(bundled_show)
    build(bundled_show)
    changed = {
        str(p.relative_to(public)) for p, inode in inodes.items() if p.stat().st_ino != inode
    }
    page = f"episodes/{episode(bundled_show, '02').name.removeprefix('02-')}/index.html"
    assert changed == {page, "feed.xml"}


@pytest.mark.parametrize("template", ["_macros.html", "index.html", "episode.html"])
def test_a_shows_own_list_template_sees_notes_edits(
    bundled_show: Path, tmp_path: Path, template: str
) -> None:
    """A show's own template may show what podfeed's cards leave out, such as the notes."""
    source = (bundled_show / "templates" / template).read_text()
    if template == "_macros.html":
        source = source.replace(
            "<p>{{ episode.summary }}</p>", "<p>{{ episode.notes_markdown }}</p>"
        )
    elif template == "index.html":
        card = "{{ episode_summary(episode, heading='h3' if page_number == 1 else 'h2') }}"
        assert card in source
        source = source.replace(card, "{{ episode.notes_markdown }}")
    else:
        source = source.replace("{{ older.title }}", "{{ older.notes_markdown }}")
    (bundled_show / "templates" / template).write_text(source)
    assert_rebuild_after(edit_notes, bundled_show, tmp_path / "scratch")
    assert (
        "A paragraph added after release."
        in files(tmp_path / "scratch")[
            "index.html" if template != "episode.html" else _older_page_of_02(bundled_show)
        ].decode()
    )


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ("{{ site.listings[0] | length }} on the first page", add_episode),
        ("Clive: {{ site.person_pages('clive-kay')[0][0][0].title }}", edit_title),
        ("{{ site.organisation_pages('northumbria-healthcare')[0] | length }}", add_episode),
    ],
)
def test_a_shows_own_episode_page_listing_other_episodes_sees_their_edits(
    bundled_show: Path, tmp_path: Path, text: str, edit: Callable[[Path], None]
) -> None:
    """Every episode page then depends on every episode, as with `site.episodes`."""
    template = bundled_show / "templates" / "episode.html"
    replace_in(template, "{% block main %}", "{% block main %}<p>" + text + "</p>")
    assert_rebuild_after(edit, bundled_show, tmp_path / "scratch")


def assert_rebuild_after(edit: Callable[[Path], None], show: Path, scratch: Path) -> None:
    """Built twice (a back buffer), edited and rebuilt: the same as a build from scratch."""
    build(show)
    build(show)
    edit(show)
    build(show)
    build(show, scratch, cached=False)
    assert files(show / "public") == files(scratch)


def _older_page_of_02(show: Path) -> str:
    """The page whose previous-episode link is episode 02: episode 03's."""
    return f"episodes/{episode(show, '03').name.removeprefix('03-')}/index.html"


def test_a_build_with_nothing_changed_writes_nothing(bundled_show: Path) -> None:
    first = build(bundled_show)
    build(bundled_show)
    inodes = {p: p.stat().st_ino for p in (bundled_show / "public").rglob("*")}
    again = build(bundled_show)
    assert again == first
    assert {p: p.stat().st_ino for p in (bundled_show / "public").rglob("*")} == inodes


def test_the_cache_and_back_buffer_stay_out_of_the_site_and_git(bundled_show: Path) -> None:
    build(bundled_show)
    edit_notes(bundled_show)
    build(bundled_show)
    assert (bundled_show / CACHE_DIR / ".gitignore").read_text() == "*\n"
    assert back_buffer(bundled_show / "public").is_dir()
    assert not any(".cache" in p.parts for p in (bundled_show / "public").rglob("*"))


def test_media_are_copied_so_editing_the_show_leaves_the_site_alone(bundled_show: Path) -> None:
    build(bundled_show)
    audio = episode(bundled_show, "02") / "episode.mp3"
    published = next((bundled_show / "public" / EPISODES).glob("*mental*/*.mp3"))
    before = published.read_bytes()
    with audio.open("r+b") as file:  # an editor saving in place
        file.write(b"\0" * 64)
    assert published.read_bytes() == before


def test_a_deleted_site_or_a_hand_edited_page_is_rebuilt(
    bundled_show: Path, tmp_path: Path
) -> None:
    build(bundled_show)
    build(bundled_show, tmp_path / "scratch", cached=False)
    page = bundled_show / "public" / "index.html"
    page.write_bytes(b"edited by hand")
    build(bundled_show)
    assert files(bundled_show / "public") == files(tmp_path / "scratch")
    shutil.rmtree(bundled_show / "public")
    build(bundled_show)
    assert files(bundled_show / "public") == files(tmp_path / "scratch")


def test_a_corrupt_cache_is_ignored(bundled_show: Path, tmp_path: Path) -> None:
    build(bundled_show)
    for path in (bundled_show / CACHE_DIR).glob("*.pickle"):
        path.write_bytes(b"not a pickle")
    edit_title(bundled_show)
    build(bundled_show)
    build(bundled_show, tmp_path / "scratch", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "scratch")


def test_an_unfinished_back_buffer_is_rebuilt(bundled_show: Path, tmp_path: Path) -> None:
    build(bundled_show)
    edit_notes(bundled_show)
    build(bundled_show)
    back = back_buffer(bundled_show / "public")
    (back / "stray.html").write_bytes(b"left by a killed build")
    marker = back.parent / f"{back.name}.incomplete"
    marker.touch()
    edit_title(bundled_show)
    build(bundled_show)
    assert not marker.exists()
    build(bundled_show, tmp_path / "scratch", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "scratch")


def test_a_release_coming_due_is_not_a_no_op(bundled_show: Path) -> None:
    from datetime import UTC, datetime

    early = datetime(2022, 6, 5, tzinfo=UTC)
    held = build(bundled_show, now=early)
    assert held.held_back == 1
    assert build(bundled_show, now=early).episodes == 3
    later = build(bundled_show, now=datetime(2022, 7, 1, tzinfo=UTC))
    assert (later.episodes, later.held_back) == (4, 0)


# --- the feed cap ------------------------------------------------------------------------


def test_the_feed_carries_the_newest_episodes_and_pages_keep_all(bundled_show: Path) -> None:
    cap_feed(bundled_show)
    result = build(bundled_show)
    public = bundled_show / "public"
    feed = etree.parse(str(public / "feed.xml"))
    titles = feed.xpath("/rss/channel/item/title/text()")
    assert len(titles) == 2
    parsed = feedparser.parse((public / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == titles
    with (public / "feed.xml").open("rb") as file:
        gpodder = podcastparser.parse("https://podcast.nhsproviders.org/feed.xml", file)
    assert len(gpodder["episodes"]) == 2
    assert result.episodes == 4
    assert len(list((public / EPISODES).glob("*/index.html"))) == 4
    newest_two = sorted(
        (p for p in (bundled_show / EPISODES).iterdir() if p.is_dir()), reverse=True
    )[:2]
    for folder in newest_two:
        assert any(folder.name[3:] in link for link in feed.xpath("//item/link/text()"))
    errors = [i for i in check_show(bundled_show) if i.is_error]
    assert errors == []


@pytest.mark.parametrize("cap", [1, 4, 300])
def test_the_feed_is_valid_at_any_cap(bundled_show: Path, cap: int) -> None:
    path = bundled_show / "podcast.yaml"
    path.write_text(path.read_text() + f"feed_episodes: {cap}\n")
    build(bundled_show)
    parsed = feedparser.parse((bundled_show / "public" / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert len(parsed.entries) == min(cap, 4)
    assert [i for i in check_show(bundled_show) if i.is_error] == []


def test_a_feed_cap_must_be_a_positive_number(
    bundled_show: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bundled_show / "podcast.yaml"
    text = path.read_text()
    path.write_text(text + "feed_episodes: 0\n")
    line = len(text.splitlines()) + 1
    monkeypatch.chdir(bundled_show)
    result = runner.invoke(cli, ["build"])
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        f"  podcast.yaml:{line}: feed_episodes: must be 1 or more, not 0."
    ]


def test_a_file_saved_while_a_build_runs_is_built_next_time(
    bundled_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build read the notes before the save; the next build must not call it a no-op."""
    from podfeed import pipeline

    build(bundled_show)
    render_feed = pipeline.render_feed

    def render_then_save(site: object) -> bytes:
        feed = render_feed(site)  # type: ignore[arg-type]
        edit_notes(bundled_show)  # the notes were read already
        return feed

    monkeypatch.setattr(pipeline, "render_feed", render_then_save)
    edit_title(bundled_show)
    build(bundled_show)
    monkeypatch.setattr(pipeline, "render_feed", render_feed)
    build(bundled_show)
    build(bundled_show, tmp_path / "scratch", cached=False)
    assert files(bundled_show / "public") == files(tmp_path / "scratch")


def test_a_build_leaves_nothing_frozen_out_of_the_gc(bundled_show: Path) -> None:
    """`serve` builds in one process for hours: what a build froze must become collectable."""
    import gc

    for _ in range(2):
        build(bundled_show)
        assert gc.get_freeze_count() == 0
    edit_notes(bundled_show)
    build(bundled_show)
    assert gc.get_freeze_count() == 0


def test_the_back_buffers_names_are_saved_once(bundled_show: Path) -> None:
    """The output state names the back buffer's files as well as the site's: after a
    whole build, the same strings, which pickle then saves and loads once (about 3 MB of a
    10,000-episode show's warm build)."""
    from podfeed.cache import BuildCache

    build(bundled_show)
    edit_title(bundled_show)  # the whole pipeline, with a back buffer from the build before
    build(bundled_show)
    cache = BuildCache(bundled_show, bundled_show / "public")
    cache.load_state()
    names = {id(name) for name in cache.state.outputs}
    back = cache.state.back_names
    assert back and all(name not in cache.state.outputs or id(name) in names for name in back)
