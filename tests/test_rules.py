"""Every rule of the table fails on a crafted bad feed and passes on the good one.

The good feed is the bundled show, built for real; each bad feed is that feed (or a file
beside it) broken the way the rule describes. Online rules are tested in test_check.py
against a local HTTP server.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from PIL import Image

from podfeed import images, rules
from podfeed.build import build
from podfeed.check import folder_reader
from podfeed.rules import NS, RULES, FeedDoc, rules_markdown, run_rules

REPO = Path(__file__).resolve().parents[1]
SITE = "https://podcast.nhsproviders.org"
FEED_URL = f"{SITE}/feed.xml"
NOW = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    show = tmp_path_factory.mktemp("show")
    for name in ("podcast.yaml", "artwork.png"):
        shutil.copyfile(REPO / name, show / name)
    shutil.copytree(REPO / "episodes", show / "episodes")
    shutil.copytree(REPO / "templates", show / "templates")
    out = tmp_path_factory.mktemp("site") / "public"
    build(show, out)
    return out


def _doc(public: Path, data: bytes | None = None, previous: FeedDoc | None = None) -> FeedDoc:
    feed = public / "feed.xml"
    return FeedDoc(
        feed.read_bytes() if data is None else data,
        fetch=folder_reader(feed, FEED_URL),
        feed_url=FEED_URL,
        previous=previous,
        now=NOW,
    )


def _ids(doc: FeedDoc, kinds: tuple[str, ...] = ("feed",)) -> set[str]:
    return {f.rule.id for f in run_rules(doc, kinds)}  # type: ignore[arg-type]


# --- helpers to break the feed ------------------------------------------------------------


def q(name: str) -> str:
    prefix, _, local = name.rpartition(":")
    return f"{{{NS[prefix]}}}{local}" if prefix else local


def ch(root: Any) -> Any:
    return root.find("channel")


def item(root: Any, index: int = 0) -> Any:
    return ch(root).findall("item")[index]


def find(parent: Any, name: str) -> Any:
    found = parent.find("/".join(q(n) for n in name.split("/")))
    assert found is not None, name
    return found


def text(parent: Any, name: str, value: str) -> None:
    find(parent, name).text = value


def attr(parent: Any, name: str, attribute: str, value: str | None) -> None:
    element = find(parent, name)
    if value is None:
        del element.attrib[attribute]
    else:
        element.set(attribute, value)


def remove(parent: Any, name: str) -> None:
    for element in parent.findall(q(name)):
        element.getparent().remove(element)


def add(parent: Any, tag: str, value: str | None = None, /, **attributes: str) -> Any:
    element = etree.SubElement(parent, q(tag), attributes)
    element.text = value
    return element


def twice(parent: Any, name: str) -> None:
    original = find(parent, name)
    original.addnext(copy.deepcopy(original))


def picture(path: Path, size: tuple[int, int], mode: str = "RGB", fmt: str = "PNG") -> None:
    Image.new(mode, size, "white" if mode != "CMYK" else (0, 0, 0, 0)).save(path, fmt)


def noisy_picture(path: Path) -> None:
    import random

    noise = random.Random(1).randbytes(1400 * 1400 * 3)
    Image.frombytes("RGB", (1400, 1400), noise).save(path, "PNG")


def artwork(public: Path) -> Path:
    return next(public.glob("artwork-*.png"))


def chapters_file(root: Any, public: Path) -> Path:
    url = find(item(root), "podcast:chapters").get("url")
    return public / url[len(SITE) + 1 :]


def write_chapters(root: Any, public: Path, document: Any) -> None:
    chapters_file(root, public).write_text(json.dumps(document))


def chapter(index: int, **changes: Any) -> Callable[[Any, Path], None]:
    def mutate(root: Any, public: Path) -> None:
        document = json.loads(chapters_file(root, public).read_text())
        document["chapters"][index].update(changes)
        write_chapters(root, public, document)

    return mutate


def chapters_change(change: Callable[[dict[str, Any]], None]) -> Callable[[Any, Path], None]:
    def mutate(root: Any, public: Path) -> None:
        document = json.loads(chapters_file(root, public).read_text())
        change(document)
        write_chapters(root, public, document)

    return mutate


def raw(change: Callable[[bytes], bytes]) -> Callable[[Any, Path], bytes]:
    def mutate(root: Any, public: Path) -> bytes:
        return change((public / "feed.xml").read_bytes())

    return mutate


def many_items(root: Any) -> None:
    channel = ch(root)
    template = item(root)
    for number in range(300):
        clone = copy.deepcopy(template)
        find(clone, "guid").text = str(uuid.UUID(int=number))
        find(clone, "enclosure").set("url", f"{SITE}/episodes/x{number}.mp3")
        channel.append(clone)


def alternate(root: Any, **attributes: str) -> Any:
    return add(item(root), "podcast:alternateEnclosure", **attributes)


def with_source(element: Any) -> Any:
    add(element, "podcast:source", uri="https://example.org/a.mp3")
    return element


def podroll(root: Any, **attributes: str) -> None:
    roll = add(ch(root), "podcast:podroll")
    add(roll, "podcast:remoteItem", **attributes)


GUID = "cb3d8c56-f3c8-466e-9910-ff6c6ae81159"
Mutation = Callable[[Any, Path], Any]

# rule id → how to break the good feed so that (only) that rule should object.
BREAKS: dict[str, Mutation] = {
    "R1": raw(lambda data: data.replace(b"</channel>", b"")),
    "R2": raw(lambda data: data.replace(b"encoding='UTF-8'", b"encoding='ISO-8859-1'")),
    "R3": lambda r, p: r.set("version", "0.91"),
    "R4": lambda r, p: r.append(etree.Element("channel")),
    "R5": raw(lambda d: d.replace(b"http://www.itunes.com/dtds/", b"https://www.itunes.com/dtds/")),
    "R6": raw(lambda d: d.replace(b"namespace/1.0", b"namespace/1.0/")),
    "R7": raw(lambda d: d.replace(b"modules/content/", b"modules/content")),
    "R8": raw(lambda d: d.replace(b"2005/Atom", b"2005/atom")),
    "R9": raw(lambda d: d.replace(b"http://podlove.org/simple-chapters", b"https://podlove.org")),
    "R10": raw(lambda d: d.replace(b"<title>Provid", b"<title>\x01Provid", 1)),
    "R11": raw(lambda d: d + b"<!-- cached by WP Super Cache -->\n"),
    "R12": lambda r, p: text(ch(r), "title", " Providers Deliver "),
    "R13": lambda r, p: ch(r).append(etree.Comment("x" * 1_000_001)),
    "R14": lambda r, p: text(ch(r), "title", ""),
    "R15": lambda r, p: text(ch(r), "title", "x" * 256),
    "R16": lambda r, p: text(ch(r), "description", ""),
    "R17": lambda r, p: text(ch(r), "description", "é" * 2001),
    "R18": lambda r, p: remove(ch(r), "link"),
    "R19": lambda r, p: remove(ch(r), "language"),
    "R20": lambda r, p: text(ch(r), "language", "xx-GB"),
    "R21": lambda r, p: remove(ch(r), "itunes:category"),
    "R22": lambda r, p: remove(ch(r), "itunes:explicit"),
    "R23": lambda r, p: text(ch(r), "itunes:explicit", "clean"),
    "R24": lambda r, p: remove(ch(r), "itunes:image"),
    "R25": lambda r, p: text(ch(r), "itunes:author", ""),
    "R26": lambda r, p: text(ch(r), "itunes:author", "x" * 256),
    "R27": lambda r, p: remove(find(ch(r), "itunes:owner"), "itunes:email"),
    "R28": lambda r, p: text(ch(r), "itunes:owner/itunes:email", "enquiries at nhsproviders"),
    "R29": lambda r, p: text(ch(r), "itunes:owner/itunes:name", "x" * 256),
    "R30": lambda r, p: remove(ch(r), "atom:link"),
    "R31": lambda r, p: attr(
        ch(r), "atom:link", "href", "http://podcast.nhsproviders.org/feed.xml"
    ),
    "R32": lambda r, p: attr(ch(r), "atom:link", "href", "https://elsewhere.example/feed.xml"),
    "R33": lambda r, p: remove(ch(r), "podcast:guid"),
    "R34": lambda r, p: remove(ch(r), "podcast:locked"),
    "R35": lambda r, p: text(ch(r), "copyright", ""),
    "R36": lambda r, p: text(ch(r), "itunes:type", "Episodic"),
    "R37": lambda r, p: add(ch(r), "itunes:block", "No"),
    "R38": lambda r, p: add(ch(r), "itunes:complete", "no"),
    "R39": lambda r, p: add(ch(r), "itunes:new-feed-url", "feed.xml"),
    "R40": lambda r, p: add(ch(r), "itunes:new-feed-url", "http://new.example.org/feed.xml"),
    "R41": lambda r, p: twice(ch(r), "language"),
    "R42": lambda r, p: text(ch(r), "itunes:summary", "x" * 4001),
    "R43": lambda r, p: text(ch(r), "itunes:subtitle", "x" * 256),
    "R44": lambda r, p: text(ch(r), "title", "NHS, health, backlog, care, waiting lists"),
    "R45": lambda r, p: [remove(i, "enclosure") for i in ch(r).findall("item")],
    "R46": lambda r, p: attr(ch(r), "itunes:category", "text", None),
    "R47": lambda r, p: attr(ch(r), "itunes:category", "text", "Healthcare"),
    "R48": lambda r, p: attr(ch(r), "itunes:category/itunes:category", "text", "Mental health"),
    "R49": lambda r, p: add(
        find(ch(r), "itunes:category/itunes:category"), "itunes:category", text="Fitness"
    ),
    "R50": lambda r, p: attr(ch(r), "itunes:category", "text", "Health"),
    "R51": lambda r, p: [
        add(ch(r), "itunes:category", text=name) for name in ("Science", "Government")
    ],
    "R52": lambda r, p: twice(ch(r), "itunes:category"),
    "R53": lambda r, p: attr(ch(r), "itunes:image", "href", "artwork.png"),
    "R54": lambda r, p: attr(
        ch(r), "itunes:image", "href", "http://podcast.nhsproviders.org/a.png"
    ),
    "R55": lambda r, p: attr(ch(r), "itunes:image", "href", f"{SITE}/artwork.gif"),
    "R56": lambda r, p: attr(ch(r), "itunes:image", "href", f"{SITE}/cover.v2.png"),
    "R58": lambda r, p: picture(artwork(p), (1400, 1400), fmt="GIF"),
    "R59": lambda r, p: picture(artwork(p), (1400, 1500)),
    "R60": lambda r, p: picture(artwork(p), (1000, 1000)),
    "R61": lambda r, p: picture(artwork(p), (1400, 1400), mode="RGBA"),
    "R62": lambda r, p: noisy_picture(artwork(p)),
    "R63": lambda r, p: attr(item(r), "itunes:image", "href", f"{SITE}/episode.webp"),
    "R64": lambda r, p: text(item(r), "title", ""),
    "R65": lambda r, p: text(item(r), "title", "x" * 256),
    "R66": lambda r, p: text(item(r), "title", "Episode 4: Tackling community backlogs"),
    "R67": lambda r, p: remove(item(r), "guid"),
    "R68": lambda r, p: text(item(r, 1), "guid", find(item(r), "guid").text),
    "R69": lambda r, p: attr(item(r), "guid", "isPermaLink", "no"),
    "R70": lambda r, p: attr(item(r), "guid", "isPermaLink", None),
    "R71": lambda r, p: text(item(r), "guid", find(item(r), "enclosure").get("url")),
    "R74": lambda r, p: remove(item(r), "pubDate"),
    "R75": lambda r, p: text(item(r), "pubDate", "2022-06-09T09:00:00+01:00"),
    "R76": lambda r, p: text(item(r), "pubDate", "Fri, 09 Jun 2022 09:00:00 +0100"),
    "R77": lambda r, p: text(item(r), "pubDate", "Mon, 09 Jun 2031 09:00:00 +0100"),
    "R78": lambda r, p: ch(r).append(item(r)),
    "R79": lambda r, p: [remove(item(r), n) for n in ("description", "content:encoded")],
    "R80": lambda r, p: text(item(r), "description", "é" * 2001),
    "R81": lambda r, p: remove(item(r), "itunes:duration"),
    "R82": lambda r, p: text(item(r), "itunes:duration", "1:5"),
    "R83": lambda r, p: text(item(r), "itunes:duration", "0:33"),
    "R84": lambda r, p: text(item(r), "itunes:duration", "0"),
    "R85": lambda r, p: text(item(r), "itunes:explicit", "yes"),
    "R86": lambda r, p: text(item(r), "itunes:explicit", "true"),
    "R87": lambda r, p: text(item(r), "link", "mailto:comms@example.org"),
    "R88": lambda r, p: twice(item(r), "title"),
    "R89": lambda r, p: text(item(r), "itunes:episode", "0"),
    "R90": lambda r, p: add(item(r), "itunes:season", "1.5"),
    "R91": lambda r, p: text(item(r), "itunes:episodeType", "Full"),
    "R92": lambda r, p: (text(ch(r), "itunes:type", "serial"), remove(item(r), "itunes:episode")),
    "R93": lambda r, p: text(item(r, 1), "itunes:episode", "4"),
    "R94": lambda r, p: (
        text(item(r, 1), "itunes:episodeType", "trailer"),
        text(item(r, 1), "itunes:episode", "4"),
        text(item(r, 1), "guid", find(item(r), "guid").text),
    ),
    "R95": lambda r, p: add(item(r), "podcast:season", "one"),
    "R96": lambda r, p: add(item(r), "podcast:season", "1", name="x" * 129),
    "R97": lambda r, p: text(item(r), "podcast:episode", "4a"),
    "R98": lambda r, p: attr(item(r), "podcast:episode", "display", "x" * 33),
    "R99": lambda r, p: text(item(r), "podcast:episode", "5"),
    "R100": lambda r, p: twice(item(r), "enclosure"),
    "R101": lambda r, p: attr(item(r), "enclosure", "type", None),
    "R102": lambda r, p: attr(item(r), "enclosure", "url", "episodes/x/x.mp3"),
    "R103": lambda r, p: attr(item(r), "enclosure", "url", "http://podcast.nhsproviders.org/x.mp3"),
    "R104": lambda r, p: attr(item(r), "enclosure", "url", "http://podcast.nhsproviders.org/y.mp3"),
    "R105": lambda r, p: attr(
        item(r, 1), "enclosure", "url", find(item(r), "enclosure").get("url")
    ),
    "R106": lambda r, p: attr(item(r), "enclosure", "url", f"{SITE}/my episode.mp3"),
    "R107": lambda r, p: attr(item(r), "enclosure", "length", "1.5MB"),
    "R108": lambda r, p: attr(item(r), "enclosure", "length", "0"),
    "R109": lambda r, p: attr(item(r), "enclosure", "length", "999"),
    "R110": lambda r, p: attr(item(r), "enclosure", "type", "Audio/MPEG"),
    "R111": lambda r, p: attr(item(r), "enclosure", "url", f"{SITE}/episode.ogg"),
    "R112": lambda r, p: attr(item(r), "enclosure", "type", "audio/mp3"),
    "R118": lambda r, p: etree.SubElement(find(item(r), "description"), "p"),
    "R119": lambda r, p: text(item(r), "content:encoded", "<h2>Heading</h2><p>Text</p>"),
    "R120": lambda r, p: text(item(r), "content:encoded", '<p onclick="steal()">Hi</p>'),
    "R121": lambda r, p: text(item(r), "content:encoded", '<p><a href="/people/">Who</a></p>'),
    "R122": lambda r, p: text(item(r), "title", "<b>Tackling</b> backlogs"),
    "R123": raw(lambda d: d.replace(b"<![CDATA[", b"<![CDATA[]]>", 1)),
    "R124": lambda r, p: (
        text(item(r), "content:encoded", "<p>" + "x" * 4001 + "</p>"),
        text(item(r), "description", "x" * 4001),
    ),
    "R125": lambda r, p: text(ch(r), "podcast:guid", "providers-deliver"),
    "R126": lambda r, p: text(ch(r), "podcast:guid", "0d5e1c3f-9a4b-4c1e-8f2a-3b6c7d8e9f01"),
    "R127": lambda r, p: text(ch(r), "podcast:guid", str(uuid.uuid5(uuid.NAMESPACE_URL, "x"))),
    "R129": lambda r, p: text(ch(r), "podcast:locked", "true"),
    "R130": lambda r, p: attr(ch(r), "podcast:locked", "owner", "NHS Providers"),
    "R131": lambda r, p: attr(item(r), "podcast:transcript", "url", "transcript.vtt"),
    "R132": lambda r, p: attr(item(r), "podcast:transcript", "type", "text/srt"),
    "R133": lambda r, p: attr(item(r), "podcast:transcript", "rel", "subtitles"),
    "R134": lambda r, p: attr(item(r), "podcast:transcript", "language", "British English"),
    "R135": lambda r, p: attr(item(r), "podcast:chapters", "url", None),
    "R136": lambda r, p: attr(item(r), "podcast:chapters", "type", "text/json"),
    "R137": chapters_change(lambda d: d.pop("version")),
    "R138": chapter(0, startTime="0"),
    "R139": chapter(2, startTime=1),
    "R140": chapter(1, endTime=1),
    "R141": chapter(0, toc="yes"),
    "R142": chapter(0, location={"name": "Leeds"}),
    "R143": chapters_change(lambda d: d["chapters"].pop()),
    "R144": lambda r, p: text(item(r, 1), "podcast:person", ""),
    "R145": lambda r, p: attr(item(r, 1), "podcast:person", "role", "presenter"),
    "R146": lambda r, p: attr(item(r, 1), "podcast:person", "href", "http://example.org/clive"),
    "R147": lambda r, p: add(ch(r), "podcast:person", "Anna Host", role="host"),
    "R148": lambda r, p: add(ch(r), "podcast:funding", "", url="https://example.org/give"),
    "R149": lambda r, p: text(ch(r), "podcast:medium", "radio"),
    "R150": lambda r, p: text(ch(r), "podcast:medium", "podcastL"),
    "R151": lambda r, p: add(ch(r), "podcast:location", ""),
    "R152": lambda r, p: add(ch(r), "podcast:location", "Leeds", rel="origin"),
    "R153": lambda r, p: add(ch(r), "podcast:location", "Leeds", geo="53.8,-1.55"),
    "R154": lambda r, p: add(ch(r), "podcast:location", "Leeds", osm="X123"),
    "R155": lambda r, p: add(ch(r), "podcast:location", "Leeds", country="gb"),
    "R156": lambda r, p: add(ch(r), "podcast:license", ""),
    "R157": lambda r, p: add(ch(r), "podcast:license", "nhs-licence-v1"),
    "R158": lambda r, p: alternate(r, type="audio/mpeg", length="1000"),
    "R159": lambda r, p: with_source(alternate(r, type="audio/mpeg")),
    "R160": lambda r, p: [
        with_source(alternate(r, type="audio/mpeg", length="1", default="true")) for _ in "ab"
    ],
    "R161": lambda r, p: add(
        with_source(alternate(r, type="audio/mpeg", length="1")),
        "podcast:integrity",
        type="md5",
        value="x",
    ),
    "R162": lambda r, p: with_source(alternate(r, type="audio/mpeg", length="1", title="x" * 33)),
    "R163": lambda r, p: add(ch(r), "podcast:txt", "x" * 4001),
    "R164": lambda r, p: add(ch(r), "podcast:txt", "maybe", purpose="ai-content"),
    "R165": lambda r, p: add(ch(r), "podcast:podroll"),
    "R166": lambda r, p: podroll(r, feedGuid=GUID, feedUrl="http://example.org/feed.xml"),
    "R167": lambda r, p: add(ch(r), "podcast:updateFrequency", ""),
    "R168": lambda r, p: add(
        ch(r), "podcast:updateFrequency", "Weekly", rrule="FREQ=WEEKLY;COUNT=4"
    ),
    "R169": lambda r, p: add(ch(r), "podcast:updateFrequency", "Weekly", rrule="WEEKLY"),
    "R170": lambda r, p: add(item(r), "podcast:soundbite", "Hi", startTime="-1", duration="30"),
    "R171": lambda r, p: add(item(r), "podcast:soundbite", "Hi", startTime="1", duration="5"),
    "R172": lambda r, p: add(ch(r), "podcast:trailer", "Trailer", url=f"{SITE}/t.mp3"),
    "R173": lambda r, p: add(ch(r), "podcast:block", "yes", id="applepodcasts"),
    "R174": lambda r, p: attr(item(r), "podcast:chapters", "url", "http://example.org/c.json"),
    "R175": lambda r, p: twice(item(r), "psc:chapters"),
    "R176": lambda r, p: [c.getparent().remove(c) for c in find(item(r), "psc:chapters")],
    "R177": lambda r, p: attr(item(r), "psc:chapters/psc:chapter", "title", None),
    "R178": lambda r, p: attr(item(r), "psc:chapters/psc:chapter", "start", "1h"),
    "R179": lambda r, p: attr(item(r), "psc:chapters/psc:chapter", "start", "00:00:30"),
    "R180": lambda r, p: attr(item(r), "psc:chapters/psc:chapter", "href", "notes.html"),
    "R181": lambda r, p: [c.getparent().remove(c) for c in list(find(item(r), "psc:chapters"))[1:]],
    "R182": lambda r, p: text(ch(r), "link", "http://podcast.nhsproviders.org/"),
    "R183": lambda r, p: attr(item(r), "itunes:image", "href", "/artwork.png"),
    "R185": lambda r, p: many_items(r),
    "R189": lambda r, p: text(item(r), "itunes:explicit", "no"),
}
ONLINE = {"R57", "R113", "R114", "R115", "R116", "R117", "R184", "R186", "R187", "R188"}
HISTORY = {"R72", "R73", "R128", "R190"}


def test_every_rule_is_tested() -> None:
    ids = {r.id for r in RULES}
    assert len(ids) == len(RULES) == 190
    assert ids == set(BREAKS) | ONLINE | HISTORY
    assert {r.id for r in RULES if r.kind == "online"} == ONLINE
    assert {r.id for r in RULES if r.kind == "history"} == HISTORY


def test_the_bundled_feed_breaks_no_rule(good_site: Path) -> None:
    findings = run_rules(_doc(good_site), ("feed",))
    assert [(f.rule.id, f.message) for f in findings] == []


def _broken(good_site: Path, tmp_path: Path, mutate: Mutation) -> FeedDoc:
    public = tmp_path / "public"
    shutil.copytree(good_site, public)
    root = etree.parse(str(public / "feed.xml")).getroot()
    data = mutate(root, public)
    if not isinstance(data, bytes):
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return _doc(public, data)


@pytest.mark.parametrize("rule_id", sorted(BREAKS, key=lambda r: int(r[1:])))
def test_rule_catches_its_broken_feed(good_site: Path, tmp_path: Path, rule_id: str) -> None:
    found = _ids(_broken(good_site, tmp_path, BREAKS[rule_id]))
    assert rule_id in found


def test_findings_say_what_is_wrong(good_site: Path, tmp_path: Path) -> None:
    doc = _broken(good_site, tmp_path, BREAKS["R48"])
    (finding,) = [f for f in run_rules(doc) if f.rule.id == "R48"]
    assert finding.message == (
        "'Mental health' is not a subcategory of 'Health & Fitness'. Did you mean "
        "'Mental Health'? Apple's subcategories of 'Health & Fitness': Alternative Health, "
        "Fitness, Medicine, Mental Health, Nutrition, Sexuality."
    )
    assert finding.rule.severity == "error" and finding.rule.source == "Apple"


@pytest.mark.parametrize("control", [b"\x01", b"&#x1;", b"&#27;", b"&#X1F;"])
def test_control_characters_raw_or_escaped(good_site: Path, control: bytes) -> None:
    data = _doc(good_site).data
    line = data[: data.index(b"<title>")].count(b"\n") + 1
    broken = data.replace(b"<title>", b"<title>" + control, 1)
    (finding,) = [f for f in run_rules(_doc(good_site, broken)) if f.rule.id == "R10"]
    assert finding.message.startswith(f"line {line} holds an invisible control character")
    assert "R10" not in _ids(_doc(good_site, data.replace(b"<title>", b"<title>&#x9;", 1)))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("null", 'The chapters file needs a "version" text and a "chapters" list.'),
        ('"is not valid JSON"', 'The chapters file needs a "version" text and a "chapters" list.'),
        ("{", "The chapters file is not valid JSON (Expecting property name"),
    ],
)
def test_chapters_files_that_are_not_a_chapters_document(
    good_site: Path, tmp_path: Path, document: str, message: str
) -> None:
    """JSON that is null or a string is a wrong document, not an unreadable file."""

    def mutate(root: Any, public: Path) -> None:
        chapters_file(root, public).write_text(document)

    found = [
        f.message for f in run_rules(_broken(good_site, tmp_path, mutate)) if f.rule.id == "R137"
    ]
    assert len(found) == 1 and found[0].startswith(message)


def _found(doc: FeedDoc) -> list[tuple[str, str, str | None]]:
    tree = doc.root.getroottree() if doc.root is not None else None
    return [
        (f.rule.id, f.message, None if f.element is None else tree.getpath(f.element))
        for f in run_rules(doc)
    ]


def _again(doc: FeedDoc, known: FeedDoc) -> FeedDoc:
    """`doc` read afresh, with what the local rules found in `known`'s items."""
    again = FeedDoc(doc.data, fetch=doc.fetch, feed_url=FEED_URL, now=NOW)
    again.known_items = known.item_findings
    return again


@pytest.mark.parametrize("rule_id", sorted(BREAKS, key=lambda r: int(r[1:])))
def test_unchanged_items_are_not_checked_again(
    good_site: Path, tmp_path: Path, rule_id: str
) -> None:
    """What the local rules found in an item is reused while the item (and the channel
    around it) is unchanged: the findings are a fresh run's, in either direction."""
    good, broken = _doc(good_site), _broken(good_site, tmp_path, BREAKS[rule_id])
    fresh_good, fresh_broken = _found(good), _found(broken)
    again = _again(broken, good)
    serialised = broken.data if again.root is None else etree.tostring(again.root)
    assert _found(again) == fresh_broken
    if again.root is not None:  # items taken out were put back
        assert etree.tostring(again.root) == serialised
    assert _found(_again(good, broken)) == fresh_good
    assert _found(_again(broken, broken)) == fresh_broken


def test_local_rules_read_no_linked_file(good_site: Path, tmp_path: Path) -> None:
    def refuse(url: str) -> bytes | None:
        raise AssertionError(f"a local rule read {url}")

    for mutate in BREAKS.values():
        doc = _broken(good_site, tmp_path / str(len(list(tmp_path.iterdir()))), mutate)
        doc.fetch = refuse
        for each in RULES:
            if each.local:
                list(each.check(doc))


def test_reused_findings_skip_the_rules(good_site: Path, tmp_path: Path) -> None:
    doc = _broken(good_site, tmp_path, BREAKS["R111"])  # an .ogg enclosure in the 1st item
    fresh = _found(doc)
    assert "R111" in {rule_id for rule_id, _, _ in fresh}
    again = _again(doc, doc)
    again.known_items = {key: [] for key in doc.item_findings}  # "nothing found before"
    assert "R111" not in {rule_id for rule_id, _, _ in _found(again)}


def test_pictures_are_read_once_per_content(
    good_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The artwork's facts are handed on by its bytes: a rebuild need not read it."""
    doc = _doc(good_site)
    first = [(f.rule.id, f.message) for f in run_rules(doc)]
    assert len(doc.image_facts) == 1
    read: list[bytes] = []
    original = images.read_image_facts
    monkeypatch.setattr(
        images, "read_image_facts", lambda data: read.append(data) or original(data)
    )
    again = _doc(good_site)
    again.known_images = doc.image_facts
    assert [(f.rule.id, f.message) for f in run_rules(again)] == first
    assert read == []
    assert [(f.rule.id, f.message) for f in run_rules(_doc(good_site))] == first
    assert len(read) == 1  # no earlier run: read


def test_description_html_is_scanned_once_per_text(
    good_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild hands the last run's scans on: only changed texts are scanned again,
    with the same findings as a first run."""
    doc = _broken(good_site, tmp_path, BREAKS["R119"])
    first = [(f.rule.id, f.message) for f in run_rules(doc)]
    assert "R119" in {rule_id for rule_id, _ in first}
    bodies = [e.text or "" for e in doc.root.iter(q("description"), q("content:encoded"))]
    assert set(doc.html_scans) == set(bodies)
    scanned: list[str] = []
    original = rules._HtmlScan.feed
    monkeypatch.setattr(
        rules._HtmlScan, "feed", lambda self, text: scanned.append(text) or original(self, text)
    )
    again = FeedDoc(doc.data, fetch=doc.fetch, feed_url=FEED_URL, now=NOW)
    again.known_scans = {**doc.html_scans, "<p>a text no longer in the feed</p>": []}
    assert [(f.rule.id, f.message) for f in run_rules(again)] == first
    assert scanned == []
    assert set(again.html_scans) == set(bodies)  # what it hands on: this feed's texts only
    edited = doc.data.replace(b"h2&gt;", b"h3&gt;")  # <h2>…</h2> → <h3>…</h3>
    changed = FeedDoc(edited, fetch=doc.fetch, feed_url=FEED_URL, now=NOW)
    changed.known_scans = doc.html_scans
    assert any("<h3>" in f.message for f in run_rules(changed) if f.rule.id == "R119")
    assert scanned == ["<h3>Heading</h3><p>Text</p>"]


# --- history: the feed as published before ---------------------------------------------------


def _history(
    good_site: Path, tmp_path: Path, mutate: Mutation, before: Mutation | None = None
) -> set[str]:
    previous_site = tmp_path / "before"
    shutil.copytree(good_site, previous_site)
    if before is not None:
        before(None, previous_site)
    previous = _doc(previous_site)
    current = _broken(good_site, tmp_path, mutate)
    current.previous = previous
    return _ids(current, ("feed", "history"))


def reuse_guid(root: Any) -> None:
    """A new episode takes the GUID of an old one that was taken down."""
    old = item(root, 1)
    text(item(root), "guid", find(old, "guid").text)
    text(item(root), "title", "Something new")
    attr(item(root), "enclosure", "url", f"{SITE}/new.mp3")
    old.getparent().remove(old)


def test_history_rules_pass_on_an_unchanged_feed(good_site: Path, tmp_path: Path) -> None:
    assert _history(good_site, tmp_path, lambda r, p: None) == set()


@pytest.mark.parametrize(
    ("rule_id", "mutate", "before"),
    [
        ("R72", lambda r, p: text(item(r), "guid", "a1d0c6e8-3f1b-4e5a-9c2d-7b8e9f0a1b2c"), None),
        ("R73", lambda r, p: reuse_guid(r), None),
        (
            "R128",
            lambda r, p: text(ch(r), "podcast:guid", str(uuid.uuid5(uuid.NAMESPACE_URL, "a"))),
            None,
        ),
        ("R190", lambda r, p: None, lambda r, p: picture(artwork(p), (1500, 1500))),
    ],
)
def test_history_rule_catches_a_change(
    good_site: Path, tmp_path: Path, rule_id: str, mutate: Mutation, before: Mutation | None
) -> None:
    assert rule_id in _history(good_site, tmp_path, mutate, before)


def test_docs_page_is_up_to_date() -> None:
    committed = (REPO / "docs" / "rules.md").read_text("utf-8")
    assert committed == rules_markdown(), "run: python -m podfeed.rules > docs/rules.md"


def test_pictures_are_read_for_real() -> None:
    from podfeed.images import read_image_facts

    buffer = io.BytesIO()
    Image.new("CMYK", (20, 10)).save(buffer, "JPEG")
    facts = read_image_facts(buffer.getvalue())
    assert facts is not None
    assert (facts.format, facts.width, facts.height, facts.mode) == ("JPEG", 20, 10, "CMYK")
    assert read_image_facts(b"not a picture") is None
