"""podfeed against Hugo on synthetic shows of N episodes: `make bench`.

For each N it generates a show (see synth.py) and a Hugo site with the same pages, then
runs, alternating podfeed and Hugo, ROUNDS rounds of:

  cold      podfeed: no public/, no cache        Hugo: no public/ (Hugo has no cache here)
  no-op     podfeed again, nothing changed
  edit      podfeed after one episode's notes changed (the first rebuild after cold)
  edit 2    podfeed after another edit (steady state: the back buffer exists)
  edit newest  podfeed after an edit to the newest episode (in the feed: feed and rules too)
  add       podfeed after a new episode was added
  template edit  podfeed after the show's own base.html changed: every page again
  cold, link_audio  podfeed cold again with `link_audio: true` (audio linked, not copied)

Outputs a cold build replaces are moved aside, and deleted only when every run is done:
on some virtual machines (this one: free pages handed back to the host, ext4 without a
journal) creating files right after deleting many is several times slower, so each run
would otherwise pay for the cleanup of the one before, more the more it wrote.

podfeed is measured as pip installs it, its modules compiled to bytecode first (see
byte_compile). Every build is a separate process; time is wall-clock, memory the peak
RSS of the build's whole process tree (sampled every 5 ms, and at least the kernel's
ru_maxrss). Prints a table of medians, the podfeed/Hugo ratios and the exponent b of
cold time ≈ a·N^b, with the processor time the build's processes spent in user code and
in the kernel: on a disk where creating files is slow, the kernel's share is where the
noise comes from.

With --cold-cache the kernel's page cache is emptied before each cold build (podfeed's
and Hugo's), as on a machine that has not read the show since it started.

Usage: python benchmarks/bench.py [--sizes 100,1000,10000] [--rounds 3] [--keep DIR]
                                  [--cold-cache]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import synth

PODFEED = [sys.executable, "-m", "podfeed", "build", "-q"]


def byte_compile() -> None:
    """Compile podfeed's modules to bytecode once, as pip does when it installs a package.

    An editable install is compiled on first import, unless PYTHONDONTWRITEBYTECODE is set
    (as on this machine): then every build would compile podfeed's source again, about
    0.15 s a run, which is no part of podfeed's speed."""
    spec = importlib.util.find_spec("podfeed")
    assert spec is not None and spec.origin is not None, "podfeed is not installed"
    command = [sys.executable, "-m", "compileall", "-q", str(Path(spec.origin).parent)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def _tree_rss(pid: int) -> int:
    """Resident memory (KB) of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(c) for c in children.read().split()]
        except (OSError, ValueError):
            continue
    return total


Measure = tuple[float, float, float, float]  # seconds, peak MB, user s, kernel s


def run(command: list[str], cwd: Path) -> Measure:
    """(seconds, peak MB, user seconds, kernel seconds) of one command, its helpers
    included; fails loudly if the command does."""
    os.sync()  # the last run's files reach the disk now, not during this run's timing
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    stderr = process.stderr.read() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{stderr}")
    return elapsed, max(peak, usage.ru_maxrss) / 1024, usage.ru_utime, usage.ru_stime


# --- Hugo ------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://bench.example.org/"
languageCode = "en-gb"
title = "Synthetic Show"
disableKinds = ["taxonomy", "term"]
[outputs]
home = ["HTML", "RSS"]
section = ["HTML"]
page = ["HTML"]
[services.rss]
limit = {feed_episodes}
"""
HUGO_BASEOF = """\
<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
<link rel="alternate" type="application/rss+xml" href="{{ "index.xml" | absURL }}">
<meta property="og:title" content="{{ .Title }}"><meta property="og:url" content="{{ .Permalink }}">
</head><body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main><footer>Published by Benchmark Team</footer>
</body></html>
"""
HUGO_SINGLE = """\
{{ define "title" }}{{ .Title }} · {{ .Site.Title }}{{ end }}
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p class="meta">Episode {{ .Params.number }} · <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<p class="summary">{{ .Params.summary }}</p>
<audio controls src="{{ .Params.audio }}"></audio>
<h2>Who took part</h2><ul>{{ range .Params.people }}<li><a href="/people/{{ .id }}/">{{ .id }}</a> ({{ .role }})</li>{{ end }}</ul>
<h2>Featured organisations</h2><ul>{{ range .Params.organisations }}<li><a href="/organisations/{{ . }}/">{{ . }}</a></li>{{ end }}</ul>
<section class="notes"><h2>Show notes</h2>{{ .Content }}</section>
<nav>{{ with .PrevInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
<script type="application/ld+json">{{ dict "@type" "PodcastEpisode" "name" .Title "url" .Permalink | jsonify }}</script>
</article>{{ end }}
"""
HUGO_LIST = """\
{{ define "main" }}<h1>{{ .Site.Title }}</h1>
{{ range .Site.RegularPages.ByDate.Reverse }}<article><h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<p>Episode {{ .Params.number }} · {{ .Date.Format "2 January 2006" }}</p><p>{{ .Params.summary }}</p></article>
{{ end }}{{ end }}
"""


def make_hugo_site(show: Path, site: Path) -> None:
    """The show's episodes as Hugo content: same front matter and notes, same page count."""
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "content" / "episodes").mkdir(parents=True)
    (site / "static").mkdir()
    (site / "config.toml").write_text(HUGO_CONFIG.format(feed_episodes=synth.FEED_EPISODES))
    layouts = site / "layouts" / "_default"
    (layouts / "baseof.html").write_text(HUGO_BASEOF)
    (layouts / "single.html").write_text(HUGO_SINGLE)
    (layouts / "list.html").write_text(HUGO_LIST)
    shutil.copyfile(synth.REPO / "templates" / "style.css", site / "static" / "style.css")
    for folder in sorted((show / "episodes").iterdir()):
        if folder.is_dir():
            text = (folder / "episode.md").read_text()
            # Hugo wants a date field; podfeed's `released` is the same instant.
            text = text.replace("\nreleased: ", "\ndate: ", 1)
            (site / "content" / "episodes" / f"{folder.name}.md").write_text(text)


# --- the runs ---------------------------------------------------------------------------


def drop_page_cache() -> None:
    """Empty the kernel's page cache, so the next build reads the show from disk (root only)."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as control:
            control.write("3\n")
    except OSError as error:
        message = f"--cold-cache needs root to write /proc/sys/vm/drop_caches: {error}"
        raise SystemExit(message) from None


def edit_notes(show: Path, number: int, round_: int) -> None:
    path = synth.episode_folder(show, number) / "episode.md"
    text = path.read_text()
    path.write_text(text.replace("## Key points", f"## Key points (revised {round_})", 1))


def edit_template(show: Path, round_: int) -> None:
    """The show's own base.html: podfeed's, with a word changed in the footer."""
    from podfeed.pages import BUILTIN_TEMPLATES

    base = (BUILTIN_TEMPLATES / "base.html").read_text()
    (show / "templates").mkdir(exist_ok=True)
    edited = base.replace("Published by", f"Published (round {round_}) by", 1)
    assert edited != base, "base.html no longer says 'Published by'"
    (show / "templates" / "base.html").write_text(edited)


def set_aside(trash: Path, *paths: Path) -> None:
    """Move what a run left out of the way, to delete after the last run (see above)."""
    trash.mkdir(exist_ok=True)
    for path in paths:
        if path.exists():
            path.rename(trash / f"{len(list(trash.iterdir()))}-{path.name}")


def measure(
    n: int, rounds: int, base: Path, hugo: str | None, cold_cache: bool = False
) -> dict[str, list[Measure]]:
    show = synth.make_show(base / f"show-{n}", n)
    hugo_site = base / f"hugo-{n}"
    if hugo:
        make_hugo_site(show, hugo_site)
    results: dict[str, list[Measure]] = {}
    next_number = n + 1
    trash = base / "trash"
    podfeed_outputs = [show / "public", show / ".cache", show / ".podfeed-back-public"]
    settings = show / "podcast.yaml"
    for round_ in range(rounds):
        for step in ("podfeed", "hugo"):
            if step == "hugo":
                if hugo:
                    set_aside(trash, hugo_site / "public", hugo_site / "resources")
                    if cold_cache:
                        drop_page_cache()
                    results.setdefault("hugo cold", []).append(
                        run([hugo, "--quiet", "--source", str(hugo_site)], hugo_site)
                    )
                continue
            set_aside(trash, *podfeed_outputs)
            if cold_cache:
                drop_page_cache()
            results.setdefault("cold", []).append(run(PODFEED, show))
            results.setdefault("no-op", []).append(run(PODFEED, show))
            edit_notes(show, n // 2, round_)
            results.setdefault("edit (1st rebuild)", []).append(run(PODFEED, show))
            edit_notes(show, n // 2 + 1, round_)
            results.setdefault("edit", []).append(run(PODFEED, show))
            edit_notes(show, n, round_)  # the newest: in the feed, so feed and rules too
            results.setdefault("edit newest", []).append(run(PODFEED, show))
            synth.write_episode(show, next_number)
            next_number += 1
            results.setdefault("add episode", []).append(run(PODFEED, show))
            edit_template(show, round_)  # every page shows it: all rendered again
            results.setdefault("template edit", []).append(run(PODFEED, show))
            shutil.rmtree(show / "templates")
            # The same cold build with the show's audio linked into the site, not copied.
            set_aside(trash, *podfeed_outputs)
            plain = settings.read_text()
            settings.write_text(plain + "link_audio: true\n")
            if cold_cache:
                drop_page_cache()
            results.setdefault("cold, link_audio", []).append(run(PODFEED, show))
            settings.write_text(plain)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument(
        "--cold-cache",
        action="store_true",
        help="empty the page cache before each cold build, so it reads from disk (root only)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    byte_compile()
    hugo = shutil.which("hugo")
    if hugo is None:
        print("hugo is not installed (apt-get install hugo): measuring podfeed alone.\n")
    base = args.keep or Path(tempfile.mkdtemp(prefix="podfeed-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    table: dict[int, dict[str, Measure]] = {}
    try:
        for n in sizes:
            print(f"N = {n}: generating and building {args.rounds} rounds…", flush=True)
            results = measure(n, args.rounds, base, hugo, args.cold_cache)
            table[n] = {name: _medians(runs) for name, runs in results.items()}
    finally:
        shutil.rmtree(base / "trash", ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    report(table, args.rounds)


def _medians(runs: list[Measure]) -> Measure:
    seconds, mb, user, kernel = (statistics.median(c) for c in zip(*runs, strict=True))
    return seconds, mb, user, kernel


def report(table: dict[int, dict[str, Measure]], rounds: int) -> None:
    print(f"\nMedians of {rounds} rounds; ratio = podfeed / Hugo cold ({os.cpu_count()} cores)")
    # The interpreter decides much of podfeed's speed: a build without profile-guided
    # optimisation (pyenv's default) ran the same builds 10-25 % slower here.
    print(
        f"podfeed ran on {os.path.realpath(sys.executable)}, Python {platform.python_version()}\n"
    )
    header = (
        f"{'N':>6}  {'build':<20}{'time s':>9}{'× Hugo':>9}{'user s':>9}{'kernel s':>9}"
        f"{'peak MB':>9}{'× Hugo':>9}"
    )
    print(header)
    print("-" * len(header))
    for n, rows in table.items():
        hugo_time, hugo_mb, _, _ = rows.get("hugo cold", (math.nan, math.nan, 0.0, 0.0))
        for name, (seconds, mb, user, kernel) in rows.items():
            ratio_t = seconds / hugo_time if name != "hugo cold" else 1.0
            ratio_m = mb / hugo_mb if name != "hugo cold" else 1.0
            print(
                f"{n:>6}  {name:<20}{seconds:>9.3f}{ratio_t:>9.3f}{user:>9.2f}{kernel:>9.2f}"
                f"{mb:>9.0f}{ratio_m:>9.3f}"
            )
        print()
    sizes = sorted(table)
    if len(sizes) >= 2:
        xs = [math.log(n) for n in sizes]
        for name in ("cold", "hugo cold"):
            if all(name in table[n] for n in sizes):
                ys = [math.log(table[n][name][0]) for n in sizes]
                slope = _slope(xs, ys)
                upper = _slope(xs[-2:], ys[-2:])
                print(
                    f"scaling exponent of {name} time in N: {slope:.2f} over all sizes, "
                    f"{upper:.2f} from N={sizes[-2]} to N={sizes[-1]}"
                )


def _slope(xs: list[float], ys: list[float]) -> float:
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


if __name__ == "__main__":
    main()
