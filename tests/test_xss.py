"""HTML that cannot hurt a reader: known XSS payloads in notes, names and imported feeds.

Every payload either is refused with a clear message or reaches pages and the feed as
inert text: no script runs, no event handler or javascript:/data: link survives, and no
style can take over the layout. Checked with an HTML parser and in headless Chromium.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree, html

from browser_tools import drive, missing_tools, serve
from podfeed.cli import cli

PAYLOADS = [
    "<script>window.__xss=true;alert(1)</script>",
    "<img src=x onerror=window.__xss=true>",
    "<svg onload=window.__xss=true>",
    "<svg><script>window.__xss=true</script></svg>",
    '<iframe src="javascript:window.__xss=true"></iframe>',
    "[click me](javascript:window.__xss=true)",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](&#106;avascript:alert(1))",
    '<a href="javascript&colon;alert(1)">colon entity</a>',
    '<a href=" javascript:alert(1)">leading space</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>',
    '<a href="vbscript:msgbox(1)">vbscript</a>',
    "![pic](javascript:alert(1))",
    '<img src="x" onerror="&#97;lert(1)">',
    "<body onload=alert(1)>",
    '<div style="position:fixed;inset:0;background:red;z-index:99">covered</div>',
    "<style>body{display:none}</style>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>x</details>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</script><script>window.__xss=true</script>",
    "<!--<img src=x onerror=alert(1)>-->",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<a href="https://example.org" onclick="alert(1)">handler on a good link</a>',
    "<x onmouseover=window.__xss=true>hover</x>",
    "]]><script>alert(1)</script><![CDATA[",
    "{{ 7*7 }} {% raw %}template{% endraw %}",
    "<p style='color:red' onmouseover='alert(1)'>styled</p>",
]
BAD_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "base",
    "form",
    "meta",
    "link",
    "svg",
    "math",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset"}
EP1 = "episodes/01-first-light/episode.md"


def unsafe(doc: html.HtmlElement, allow_head: bool = True) -> list[str]:
    """Everything in a parsed page that could run script or take over the page."""
    found = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        in_head = allow_head and any(a.tag == "head" for a in element.iterancestors())
        if tag == "script":
            if element.get("type") == "application/ld+json":
                json.loads(element.text or "")  # must stay one valid JSON document
            elif not (element.get("src", "").endswith("player.js") and not element.text):
                found.append(f"<script> {element.text!r}")
        elif tag in BAD_TAGS and not (in_head and tag in {"meta", "link"}) and not _icon(element):
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            lowered = value.strip().lower()
            if name.lower().startswith("on"):
                found.append(f"{tag} {name}={value!r}")
            if name.lower() in URL_ATTRIBUTES and lowered.startswith(
                ("javascript:", "vbscript:", "data:")
            ):
                found.append(f"{tag} {name}={value!r}")
            if name.lower() == "style" and not in_head:
                found.append(f"{tag} style={value!r}")
            if tag == "meta" and element.get("http-equiv"):
                found.append(f"meta http-equiv={element.get('http-equiv')!r}")
    return found


def _icon(element: html.HtmlElement) -> bool:
    """The templates' own decorative SVG icons (their insides are checked like the rest)."""
    return bool(element.tag.endswith("svg") and element.get("aria-hidden") == "true")


def check_output(public: Path) -> None:
    for page in sorted(public.rglob("*.html")):
        problems = unsafe(html.fromstring(page.read_bytes()))
        assert not problems, f"{page.relative_to(public)}: {problems}"
    feed = etree.parse(str(public / "feed.xml"))  # well-formed whatever the input
    ns = {"content": "http://purl.org/rss/1.0/modules/content/"}
    for encoded in feed.xpath("//content:encoded/text()", namespaces=ns):
        fragment = html.fragment_fromstring(encoded, create_parent="div")
        assert not unsafe(fragment, allow_head=False), encoded


def build(show: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", "--show", str(show), "-q"])
    return result.exit_code, result.output


def yaml_text(value: str) -> str:
    return json.dumps(value)  # JSON strings are YAML strings


def test_there_are_at_least_thirty_payloads() -> None:
    assert len(set(PAYLOADS)) >= 30


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_notes_and_names_is_inert(sample_show: Path, payload: str) -> None:
    notes = sample_show / EP1
    notes.write_text(notes.read_text() + f"\n\n{payload}\n\nAfter {payload} inline.\n")
    people = sample_show / "episodes" / "people.yaml"
    people.write_text(
        people.read_text()
        .replace("name: Ada Host", f"name: {yaml_text('Ada ' + payload)}")
        .replace("job_title: Chief Nurse", f"job_title: {yaml_text(payload)}")
    )
    organisations = sample_show / "episodes" / "organisations.yaml"
    organisations.write_text(
        organisations.read_text().replace("name: Elusen Sampl", f"name: {yaml_text(payload)}")
    )
    code, output = build(sample_show)
    if code != 0:  # refusing is safe too, as long as it says why
        assert code == 1 and output.startswith("podfeed found"), output
        return
    check_output(sample_show / "public")
    page = (sample_show / "public" / "people" / "gwen-guest" / "index.html").read_text()
    assert "{{ 7*7 }}" not in payload or "49" not in page


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_titles_and_summaries_is_refused_or_inert(
    sample_show: Path, payload: str
) -> None:
    episode = sample_show / EP1
    episode.write_text(
        episode.read_text()
        .replace("title: First light", f"title: {yaml_text('First ' + payload)}")
        .replace("summary: The first episode, in MP3.", f"summary: {yaml_text(payload)}")
    )
    code, output = build(sample_show)
    if code != 0:
        assert code == 1 and output.startswith("podfeed found"), output
        return
    check_output(sample_show / "public")


def hostile_feed() -> str:
    items = []
    for number, payload in enumerate(PAYLOADS, start=1):
        escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        items.append(f"""
    <item>
      <title>Episode {number} {escaped}</title>
      <guid isPermaLink="false">urn:hostile:{number}</guid>
      <pubDate>Thu, 0{1 + number % 9} Feb 2024 09:00:00 +0000</pubDate>
      <description>{escaped}</description>
      <content:encoded><![CDATA[<p>Notes</p>{payload.replace("]]>", "]]]]><![CDATA[>")}]]></content:encoded>
      <itunes:author>{escaped}</itunes:author>
      <podcast:person role="guest" href="javascript:alert(1)" img="javascript:alert(2)">{escaped}</podcast:person>
      <enclosure url="https://media.example.org/{number}.mp3" length="1000" type="audio/mpeg"/>
      <itunes:duration>60</itunes:duration>
    </item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
  <channel>
    <title>Hostile &lt;script&gt;alert(1)&lt;/script&gt; show</title>
    <link>javascript:alert(1)</link>
    <description>&lt;img src=x onerror=alert(1)&gt; A show.</description>
    <language>en</language>
    <itunes:author>&lt;svg onload=alert(1)&gt;</itunes:author>
    <itunes:image href="https://media.example.org/art.png"/>
    <itunes:category text="Technology"/>
    <itunes:explicit>false</itunes:explicit>
    <itunes:owner><itunes:name>Owner</itunes:name><itunes:email>owner@example.org</itunes:email></itunes:owner>
    {"".join(items)}
  </channel>
</rss>
"""


def test_imported_feed_payloads_are_inert(tmp_path: Path) -> None:
    source = tmp_path / "hostile.xml"
    source.write_text(hostile_feed())
    show = tmp_path / "show"
    result = CliRunner().invoke(
        cli,
        [
            "import",
            str(source),
            "--into",
            str(show),
            "--site-url",
            "https://safe.example.org",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    for episode in show.glob("episodes/*/episode.md"):
        notes = episode.read_text().split("\n---\n", 1)[1].lower()  # titles stay plain text
        assert "<script" not in notes and "onerror" not in notes, episode
    code, output = build(show)
    assert code == 0, output  # the importer turns titles and names into plain text
    check_output(show / "public")
    feed = etree.parse(str(show / "public" / "feed.xml"))
    assert len(feed.xpath("//item")) == len(PAYLOADS)


def test_no_payload_runs_in_a_real_browser(sample_show: Path) -> None:
    reason = missing_tools()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run under CI: {reason}")
        pytest.skip(reason)
    notes = sample_show / EP1
    notes.write_text(notes.read_text() + "\n\n" + "\n\n".join(PAYLOADS) + "\n")
    people = sample_show / "episodes" / "people.yaml"
    people.write_text(
        people.read_text().replace(
            "job_title: Chief Nurse", f"job_title: {yaml_text(' '.join(PAYLOADS))}"
        )
    )
    code, output = build(sample_show)
    assert code == 0, output
    public = sample_show / "public"
    with serve(public) as base:
        urls = [
            f"{base}/{p.relative_to(public).as_posix()}" for p in sorted(public.rglob("*.html"))
        ]
        results = drive({"mode": "xss", "urls": urls})
    assert len(results) == len(urls) >= 5
    for result in results:
        assert result["dialogs"] == [], result
        assert result["flagged"] is False, result
        assert result["location"] == result["url"], "no payload navigated away"
