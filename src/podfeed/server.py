"""`podfeed serve`: a local preview that rebuilds when a file changes and reloads the page.

The site is built with every draft and scheduled episode (a preview) into
.cache/podfeed/preview, never into public/ where a deploy would find it, served on
127.0.0.1 only, and rebuilt whenever a file under the show changes. Pages served here
get a small script that asks the server for its build number and reloads when it
changes; the script is added to responses only, never written into the output. A build
that fails leaves the last good site on disk and shows its problems on every page
(and in the terminal) until the next edit fixes them.
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import watchfiles

from podfeed.build import build
from podfeed.cache import CACHE_DIR
from podfeed.errors import PodfeedError, Problem

HOST = "127.0.0.1"
VERSION_PATH = "/__podfeed__/version"
POLL_MILLISECONDS = 700
RELOAD_SCRIPT = f"""<script>
(function () {{
  var seen = null;
  function check() {{
    fetch("{VERSION_PATH}", {{cache: "no-store"}}).then(function (r) {{ return r.json(); }})
      .then(function (d) {{
        if (seen !== null && d.version !== seen) {{ location.reload(); }}
        seen = d.version;
      }}).catch(function () {{}})
      .finally(function () {{ setTimeout(check, {POLL_MILLISECONDS}); }});
  }}
  check();
}})();
</script>
"""

Log = Callable[[str], None]


@dataclass(frozen=True)
class BuildState:
    version: int
    problems: tuple[Problem, ...]  # empty after a good build
    episodes: int = 0


# Drafts and 127.0.0.1 links must never sit in public/, where a deploy would pick them up.
PREVIEW_OUT = f"{CACHE_DIR}/preview"


class PreviewServer:
    """Build, serve and watch; `start()` returns at once, `stop()` ends every thread."""

    def __init__(self, root: Path, port: int = 8000, out: Path | None = None, log: Log = print):
        self.root = root.absolute()
        self.out = (out or self.root / PREVIEW_OUT).absolute()
        self.log = log
        self._lock = threading.Lock()
        self.state = BuildState(0, ())
        self._stop = threading.Event()
        handler = partial(_Handler, self)
        self.httpd = ThreadingHTTPServer((HOST, port), handler)
        self.httpd.daemon_threads = True
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def rebuild(self) -> BuildState:
        try:
            result = build(self.root, self.out, site_url=self.url.rstrip("/"), preview=True)
        except PodfeedError as error:
            problems = error.problems
            self.log(f"Build failed: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
            for problem in problems:
                self.log(f"  {problem}")
            episodes = 0
        else:
            problems = ()
            episodes = result.episodes
            self.log(f"Built {episodes} episodes (preview: drafts and scheduled included).")
        with self._lock:
            self.state = BuildState(self.state.version + 1, tuple(problems), episodes)
            return self.state

    def start(self) -> None:
        self.rebuild()
        for target in (self.httpd.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _watch(self) -> None:
        for _changes in watchfiles.watch(
            self.root,
            watch_filter=self._relevant,
            stop_event=self._stop,
            debounce=200,
            step=50,
            rust_timeout=500,
            yield_on_timeout=False,
        ):
            self.log("Change seen; rebuilding…")
            self.rebuild()

    def _relevant(self, change: watchfiles.Change, name: str) -> bool:
        path = Path(name)
        if path.is_relative_to(self.out) or any(
            part.startswith(".") for part in path.relative_to(self.root).parts
        ):
            return False
        return not any(
            p.name.startswith(f".podfeed-{self.out.name}") for p in [path, *path.parents]
        )


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, server_state: PreviewServer, *args: Any, **kwargs: Any) -> None:
        self.preview = server_state
        super().__init__(*args, directory=str(server_state.out), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not worth a line each in the terminal."""

    def do_GET(self) -> None:
        state = self.preview.state
        if self.path.split("?")[0] == VERSION_PATH:
            self._send(200, "application/json", json.dumps({"version": state.version}).encode())
            return
        if state.problems and self._wants_html():
            self._send(500, "text/html; charset=utf-8", _error_page(state.problems))
            return
        if self._wants_html():
            page = self._html_file()
            if page is not None:
                self._send(200, "text/html; charset=utf-8", _inject(page.read_bytes()))
                return
        super().do_GET()

    def _wants_html(self) -> bool:
        path = self.path.split("?")[0]
        return path.endswith(("/", ".html"))

    def _html_file(self) -> Path | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def _inject(page: bytes) -> bytes:
    script = RELOAD_SCRIPT.encode()
    marker = page.lower().rfind(b"</body>")
    return page[:marker] + script + page[marker:] if marker != -1 else page + script


def _error_page(problems: tuple[Problem, ...]) -> bytes:
    items = "\n".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems)
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>Build failed: podfeed preview</title></head>\n<body>\n"
        "<main><h1>The preview could not be built</h1>\n"
        f"<p>podfeed found {len(problems)} problem{'s' if len(problems) != 1 else ''}. "
        "Fix the file and save it; this page reloads by itself.</p>\n"
        f'<ul id="problems">\n{items}\n</ul></main>\n</body>\n</html>\n'
    )
    return _inject(page.encode("utf-8"))
