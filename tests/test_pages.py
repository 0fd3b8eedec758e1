"""The website, read with an HTML parser: every page links what its episode features."""

from __future__ import annotations

import json
import posixpath
import shutil
import uuid
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from lxml import html

from podfeed import pages
from podfeed.audio import read_audio_info
from podfeed.build import build
from podfeed.cli import cli
from podfeed.content import load_content
from test_incremental import files


@pytest.fixture
def public(bundled_show: Path, tmp_path: Path) -> Path:
    build(bundled_show, tmp_path / "public")
    return tmp_path / "public"


def parse(page: Path) -> html.HtmlElement:
    return html.fromstring(page.read_bytes())


def resolve(public: Path, page: Path, href: str) -> Path:
    """The output file a link on `page` points at: relative, or from the root (404.html)."""
    href = href.split("#", 1)[0]
    if href.startswith("/"):
        return public / (href.lstrip("/") + ("index.html" if href.endswith("/") else ""))
    relative = posixpath.normpath(posixpath.join(str(page.parent.relative_to(public)), href))
    return public / relative


def local_links(public: Path, page: Path) -> list[Path]:
    return [
        resolve(public, page, a.get("href"))
        for a in parse(page).iter("a")
        if not a.get("href", "").startswith(("https:", "http:", "mailto:", "#"))
    ]


def test_every_local_link_on_every_page_resolves(public: Path) -> None:
    pages = sorted(public.rglob("*.html"))
    assert len(pages) >= 1 + 4
    for page in pages:
        for target in local_links(public, page):
            assert target.is_file(), f"{page.relative_to(public)} links to missing {target}"


def test_home_lists_episodes_newest_first_and_how_to_subscribe(
    bundled_show: Path, public: Path
) -> None:
    doc = parse(public / "index.html")
    assert doc.findtext(".//h1") == "Providers Deliver: Tackling the care backlog"
    titles = [a.text for a in doc.xpath("//article[@class='episode-card']//h3/a")]
    episodes = sorted(load_content(bundled_show).episodes, key=lambda e: e.released, reverse=True)
    assert titles == [e.title for e in episodes]
    assert doc.xpath("//a[@class='feed-url']/text()") == [
        "https://podcast.nhsproviders.org/feed.xml"
    ]
    feeds = doc.xpath("//link[@rel='alternate'][@type='application/rss+xml']/@href")
    assert feeds == ["https://podcast.nhsproviders.org/feed.xml"]


def test_a_long_list_of_episodes_is_split_into_pages_newest_first(
    bundled_show: Path, tmp_path: Path
) -> None:
    """One episode a page: the home page and pages 2 to 4, each linking its neighbours."""
    settings = bundled_show / "podcast.yaml"
    settings.write_text(settings.read_text() + "episodes_per_page: 1\n")
    build(bundled_show, tmp_path / "public")
    public = tmp_path / "public"
    listings = [public / "index.html", *(public / f"page/{n}/index.html" for n in (2, 3, 4))]
    assert not (public / "page" / "5").exists() and not (public / "page" / "1").exists()
    newest_first = sorted(
        load_content(bundled_show).episodes, key=lambda e: e.released, reverse=True
    )
    listed = []
    for number, page in enumerate(listings, start=1):
        doc = parse(page)
        listed += [
            a.text for a in doc.xpath("//article[@class='episode-card']/*[self::h2 or self::h3]/a")
        ]
        older = doc.xpath("//nav[@class='pager']//a[@rel='next']/@href")
        newer = doc.xpath("//nav[@class='pager']//a[@rel='prev']/@href")
        assert [resolve(public, page, h) for h in older] == listings[number : number + 1]
        assert [resolve(public, page, h) for h in newer] == listings[
            max(number - 2, 0) : number - 1
        ]
        data = json.loads(doc.xpath("//script[@type='application/ld+json']/text()")[0])
        assert [part["name"] for part in data["hasPart"]] == [newest_first[number - 1].title]
        if number > 1:
            assert doc.findtext(".//h1") == f"Episodes, page {number} of 4"
            assert doc.findtext(".//title").startswith(f"Episodes, page {number} of 4 · ")
            assert doc.xpath("//link[@rel='canonical']/@href") == [
                f"https://podcast.nhsproviders.org/page/{number}/"
            ]
    assert listed == [e.title for e in newest_first]
    sitemap = (public / "sitemap.xml").read_text()
    assert all(f"https://podcast.nhsproviders.org/page/{n}/<" in sitemap for n in (2, 3, 4))


def copies_of_the_first_episode(show: Path, up_to: int, per_page: int) -> None:
    """Episodes 5 to `up_to`, each a copy of the first (the same people and organisations)
    released a week apart after the fourth; `per_page` episodes a page."""
    source = next((show / "episodes").glob("01-*"))
    text = (source / "episode.md").read_text()
    for number in range(5, up_to + 1):
        target = show / "episodes" / f"{number:02d}-extra-{number}"
        shutil.copytree(source, target)
        (target / "episode.md").write_text(
            text.replace("number: 1", f"number: {number}")
            .replace("released: 2022-05-19", f"released: 2022-07-{number:02d}")
            .replace('title: "', f'title: "Extra {number}: ', 1)
            .replace(
                "cb3d8c56-f3c8-466e-9910-ff6c6ae81159",
                str(uuid.uuid5(uuid.NAMESPACE_URL, str(number))),
            )
        )
    settings = show / "podcast.yaml"
    settings.write_text(settings.read_text() + f"episodes_per_page: {per_page}\n")


def test_page_numbers_link_the_first_the_last_and_two_either_side(
    bundled_show: Path, tmp_path: Path
) -> None:
    """Twelve episodes at one a page: page 6 links 1 … 4 5 6 7 8 … 12, itself marked."""
    copies_of_the_first_episode(bundled_show, 12, per_page=1)
    public = tmp_path / "public"
    build(bundled_show, public)
    page = public / "page" / "6" / "index.html"
    (nav,) = parse(page).xpath("//nav[@class='pages']")
    shown = [" ".join(li.text_content().split()) for li in nav.iter("li")]
    assert shown == [
        "Page 1",
        "…",
        "Page 4",
        "Page 5",
        "Page 6",
        "Page 7",
        "Page 8",
        "…",
        "Page 12",
    ]
    links = {
        a.text_content().split()[-1]: resolve(public, page, a.get("href")) for a in nav.iter("a")
    }
    assert links["1"] == public / "index.html"
    assert links["12"] == public / "page" / "12" / "index.html"
    assert all(target.is_file() for target in links.values())
    assert nav.xpath(".//a[@aria-current='page']")[0].text_content() == "Page 6"
    home = [
        " ".join(li.text_content().split())
        for li in parse(public / "index.html").xpath("//nav[@class='pages']//li")
    ]
    assert home == ["Page 1", "Page 2", "Page 3", "…", "Page 12"]


def test_a_person_and_an_organisation_in_many_episodes_get_pages_too(
    bundled_show: Path, tmp_path: Path
) -> None:
    """Nine episodes with Dr Bola Owolabi of NHS England, four a page: three pages each,
    every episode once, newest first; the organisation's people on its first page only;
    a rebuild after a title edit is the same as a build from scratch."""
    copies_of_the_first_episode(bundled_show, 12, per_page=4)
    public = tmp_path / "public"
    build(bundled_show, public)
    newest_first = sorted(
        load_content(bundled_show).episodes, key=lambda e: e.released, reverse=True
    )
    with_her = [e.title for e in newest_first if any(a.person == "bola-owolabi" for a in e.people)]
    assert len(with_her) == 9
    for folder in ("people/bola-owolabi/", "organisations/nhs-england/"):
        pages = [public / folder / "index.html", public / folder / "page/2/index.html"]
        pages.append(public / folder / "page/3/index.html")
        assert not (public / folder / "page/4").exists()
        listed = []
        for number, page in enumerate(pages, start=1):
            doc = parse(page)
            listed += [a.text for a in doc.xpath("//article[@class='episode-card']/h3/a")]
            numbers = doc.xpath("//nav[@class='pages']//a")
            assert [resolve(public, page, a.get("href")) for a in numbers] == pages
            assert doc.xpath("//nav[@class='pages']//a[@aria-current]/@href") == ["index.html"]
            title = doc.findtext(".//title")
            assert (f", page {number} of 3 · " in title) == (number > 1)
            if folder.startswith("organisations"):
                people = doc.xpath("//ul[@class='people']//a/text()")
                assert people[:1] == (["Dr Bola Owolabi"] if number == 1 else [])
        assert listed == with_her, folder
    sitemap = (public / "sitemap.xml").read_text()
    assert "https://podcast.nhsproviders.org/people/bola-owolabi/page/3/<" in sitemap
    build(bundled_show, public)  # the back buffer from now on
    target = bundled_show / "episodes" / "07-extra-7" / "episode.md"
    target.write_text(target.read_text().replace("Extra 7:", "Extra seven:"))
    build(bundled_show, public)
    build(bundled_show, tmp_path / "scratch", cached=False)
    assert files(public) == files(tmp_path / "scratch")
    assert b"Extra seven:" in files(public)["people/bola-owolabi/page/2/index.html"]


def test_a_show_that_fits_on_one_page_has_no_pager(public: Path) -> None:
    assert parse(public / "index.html").xpath("//nav[@class='pager']") == []
    assert not (public / "page").exists()


def test_episodes_per_page_must_be_a_positive_number(
    bundled_show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bundled_show / "podcast.yaml"
    text = path.read_text()
    path.write_text(text + "episodes_per_page: many\n")
    monkeypatch.chdir(bundled_show)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 1
    line = len(text.splitlines()) + 1
    assert f"podcast.yaml:{line}: episodes_per_page: " in result.output
    assert not (bundled_show / "public").exists()


def test_episode_pages_link_every_person_and_organisation(bundled_show: Path, public: Path) -> None:
    content = load_content(bundled_show)
    for episode in content.episodes:
        page = public / "episodes" / episode.slug / "index.html"
        doc = parse(page)
        assert doc.findtext(".//h1") == episode.title
        released, duration = doc.xpath("//p[@class='meta']/time/@datetime")
        assert released == episode.released.isoformat()
        assert duration == f"PT{round(read_audio_info(episode.audio_path).duration)}S"
        (audio,) = doc.xpath("//audio")
        assert audio.get("src") == f"{episode.slug}.mp3"
        assert audio.get("controls") is not None
        linked = set(local_links(public, page))
        for appearance in episode.people:
            person = content.people[appearance.person]
            assert public / "people" / person.id / "index.html" in linked
            item = doc.xpath(f"//ul[@class='people']/li[a='{person.name}']")
            assert item, f"{person.name} is not listed on {episode.slug}"
            text = item[0].text_content()
            assert appearance.role in text
            if person.job_title:
                assert person.job_title in text
            if person.organisation:
                assert content.organisations[person.organisation].name in text
        for organisation_id in episode.organisations:
            organisation = content.organisations[organisation_id]
            assert public / "organisations" / organisation.id / "index.html" in linked
            if organisation.website:
                assert organisation.website in doc.xpath("//a/@href")
        notes = doc.xpath("//section[@class='notes']")[0]
        assert notes.xpath(".//h2 | .//h3"), "show notes keep their headings on the page"


def test_people_and_organisation_pages_list_their_episodes(
    bundled_show: Path, public: Path
) -> None:
    content = load_content(bundled_show)
    for person_id, person in content.people.items():
        doc = parse(public / "people" / person_id / "index.html")
        assert doc.findtext(".//h1") == person.name
        listed = set(doc.xpath("//article//h3/a/text()"))
        assert listed == {
            e.title for e in content.episodes if person_id in {a.person for a in e.people}
        }
    for organisation_id, organisation in content.organisations.items():
        doc = parse(public / "organisations" / organisation_id / "index.html")
        assert doc.findtext(".//h1") == organisation.name
        listed = set(doc.xpath("//article//h3/a/text()"))
        assert listed == {e.title for e in content.episodes if organisation_id in e.organisations}


def test_notes_are_sanitised_on_pages(sample_show: Path, tmp_path: Path) -> None:
    build(sample_show, tmp_path / "public")
    doc = parse(tmp_path / "public" / "episodes" / "second-wind" / "index.html")
    assert not doc.xpath("//section[@class='notes']//script")
    assert [(s.get("type"), s.get("src")) for s in doc.xpath("//script")] == [
        ("application/ld+json", None),
        (None, "../../player.js"),
    ], "only podfeed's own scripts"
    assert not [h for h in doc.xpath("//a/@href") if h.lower().startswith("javascript")]
    assert "Notes with a" in doc.xpath("string(//section[@class='notes'])")


def test_names_in_welsh_and_emoji_survive(sample_show: Path, tmp_path: Path) -> None:
    build(sample_show, tmp_path / "public")
    doc = parse(tmp_path / "public" / "people" / "gwen-guest" / "index.html")
    assert doc.findtext(".//h1") == "Gwen ap Rhys 🎙️"
    assert doc.getroottree().getroot().get("lang") == "cy"


def test_show_templates_override_built_in_ones(sample_show: Path, tmp_path: Path) -> None:
    (sample_show / "templates").mkdir()
    (sample_show / "templates" / "person.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Custom {{ person.name }}</h1>{% endblock %}'
    )
    build(sample_show, tmp_path / "public")
    doc = parse(tmp_path / "public" / "people" / "sam-solo" / "index.html")
    assert doc.findtext(".//h1") == "Custom Sam Solo"
    # pages the show does not override still come from podfeed's templates
    assert parse(tmp_path / "public" / "index.html").findtext(".//h1").startswith("Sample Show")


@given(
    st.lists(st.sampled_from(["a", "b", "episodes", "people", "x y"]), max_size=4),
    st.lists(st.sampled_from(["a", "b", "episodes", "people", "x y"]), max_size=4),
    st.sampled_from(["index.html", "feed.xml", "c.mp3"]),
)
def test_page_links_are_what_relpath_gives(start: list[str], folders: list[str], name: str) -> None:
    target = "/".join([*folders, name])
    expected = posixpath.relpath(target, "/".join(start) or ".")
    assert pages.relative("/".join([*start, "index.html"]), target) == expected


@pytest.mark.parametrize(
    ("mistake", "expected"),
    [
        ("{{ episode.titel }}", "'podfeed.model.Episode object' has no attribute 'titel'"),
        ("{% if %}", "Expected an expression, got 'end of statement block'"),
    ],
)
def test_a_broken_show_template_is_reported_and_the_site_kept(
    sample_show: Path, mistake: str, expected: str
) -> None:
    templates = sample_show / "templates"
    templates.mkdir()
    source = (pages.BUILTIN_TEMPLATES / "episode.html").read_text()
    build(sample_show)
    build(sample_show)  # the second build keeps the previous site beside public/
    before = {p: p.read_bytes() for p in (sample_show / "public").rglob("*") if p.is_file()}
    (templates / "episode.html").write_text(source.replace("{{ episode.title }}", mistake, 1))
    result = CliRunner().invoke(cli, ["build", "--show", str(sample_show)])
    assert result.exit_code == 1
    line = source.splitlines().index(
        next(text for text in source.splitlines() if "{{ episode.title }}" in text)
    )
    assert f"templates/episode.html:{line + 1}: {expected}" in result.output
    after = {p: p.read_bytes() for p in (sample_show / "public").rglob("*") if p.is_file()}
    assert after == before
    (templates / "episode.html").write_text(source)
    assert CliRunner().invoke(cli, ["build", "--show", str(sample_show)]).exit_code == 0


@pytest.mark.parametrize(
    ("signature", "body", "reused"),
    [
        ("x", "{{ x.n | tally }}", True),
        ("x", "{% set z = x.n %}{{ z | tally }}", True),
        ("x", "{{ x.n | tally }} {{ show.title }} {{ site }}", True),  # the same on every page
        ("x", "{{ x.n | tally }} {{ link(x.path) }}", False),
        ("x", "{{ x.n | tally }} {{ page_url }}", False),
        ("x, y=page_url", "{{ x.n | tally }} {{ y }}", False),
    ],
)
def test_once_reuses_only_a_macro_that_reads_nothing_of_the_page(
    tmp_path: Path, signature: str, body: str, reused: bool
) -> None:
    """`once(macro, x)` makes the macro's output once per build only when no page could
    change it; otherwise it is the macro called on each page, as `macro(x)` would be."""
    macro = f"{{% macro m({signature}) %}}{body}{{% endmacro %}}"
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(macro + "{{ once(m, item) }}")
    env = pages.environment(tmp_path)
    tallied: list[int] = []
    env.filters["tally"] = lambda value: tallied.append(value) or value
    item = type("Item", (), {"n": 7, "path": "episodes/7/"})()

    def render(template: jinja2.Template, folder: str) -> str:
        url = f"https://a.example/{folder}"
        link = pages._linker(folder)
        return template.render(item=item, show={"title": "Show"}, site="s", page_url=url, link=link)

    folders = ["", "people/p"]
    made = [render(env.get_template("page.html"), folder) for folder in folders]
    assert tallied == ([7] if reused else [7, 7])
    assert made == [render(env.from_string(macro + "{{ m(item) }}"), folder) for folder in folders]


def test_pages_encoded_a_batch_of_chunks_at_a_time_are_whole(
    sample_show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(sample_show, tmp_path / "whole", cached=False)
    monkeypatch.setattr(pages, "_BATCH_CHUNKS", 3)
    (sample_show / "templates").mkdir()
    (sample_show / "templates" / "404.html").write_text("")  # a page may be empty
    build(sample_show, tmp_path / "batched", cached=False)
    whole, batched = files(tmp_path / "whole"), files(tmp_path / "batched")
    assert batched.pop("404.html") == b""
    whole.pop("404.html")
    assert batched == whole
