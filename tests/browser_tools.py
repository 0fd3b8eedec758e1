"""A real browser over the built site: a Range-capable local server and Debian's Chromium.

Used by tests/test_browser.py and by `make screenshots` (run as a script). The browser is
driven by tests/browser/driver.mjs with playwright-core; this module serves the site and
passes it one JSON request.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DRIVER = REPO / "tests" / "browser" / "driver.mjs"
CHROMIUM = os.environ.get("PODFEED_CHROMIUM", "/usr/bin/chromium")
SCREENSHOT_EPISODE = "tackling-hospital-backlogs"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def missing_tools() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    if not Path(CHROMIUM).is_file():
        return f"{CHROMIUM} not found (Debian package chromium)"
    if shutil.which("node") is None:
        return "node not found"
    for package in ("playwright-core", "axe-core"):
        if not (REPO / "node_modules" / package / "package.json").is_file():
            return f"node_modules/{package} not installed (run npm ci)"
    return None


class SiteHandler(SimpleHTTPRequestHandler):
    """A static host in miniature: byte ranges for audio seeking, 404.html for unknown paths."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        self._remaining: int | None = None
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            return super().send_head()
        if not path.is_file():
            return self._not_found()
        size = path.stat().st_size
        match = _RANGE.match(self.headers.get("Range", "").strip())
        if not match or not any(match.groups()):
            return super().send_head()
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:
            start, end = max(size - int(last), 0), size - 1
        if start >= size or start > end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def end_headers(self) -> None:
        if not self.headers.get("Range"):
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            super().copyfile(source, outputfile)
            return
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)

    def _not_found(self) -> Any:
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"Not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 at a free port; yields the base URL (no trailing slash)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def drive(request: dict[str, Any], timeout: float = 120) -> Any:
    """Run one request through the browser driver and return its JSON answer."""
    result = subprocess.run(
        ["node", str(DRIVER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"browser driver failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


def screenshots(out: Path) -> list[Path]:
    """PNGs of the home page and an episode page at phone and desktop widths."""
    sys.path.insert(0, str(REPO / "src"))
    from podfeed.build import build

    reason = missing_tools()
    if reason:
        raise SystemExit(f"make screenshots needs a browser: {reason}")
    out.mkdir(parents=True, exist_ok=True)
    site = out / ".site"
    shutil.rmtree(site, ignore_errors=True)
    build(REPO, site)
    episodes = sorted(p.name for p in (site / "episodes").iterdir())
    episode = SCREENSHOT_EPISODE if SCREENSHOT_EPISODE in episodes else episodes[0]
    shots = []
    with serve(site) as base:
        for name, path in (("home", ""), ("episode", f"episodes/{episode}/")):
            for width in (390, 1280):
                for scheme in ("light", "dark"):
                    suffix = "" if scheme == "light" else "-dark"
                    target = out / f"{name}-{width}{suffix}.png"
                    shots.append(
                        {
                            "url": f"{base}/{path}",
                            "width": width,
                            "scheme": scheme,
                            "path": str(target),
                        }
                    )
        drive({"mode": "screenshots", "shots": shots})
    shutil.rmtree(site, ignore_errors=True)
    return [Path(shot["path"]) for shot in shots]


if __name__ == "__main__":
    for written in screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "screenshots")):
        print(written.relative_to(REPO) if written.is_relative_to(REPO) else written)
