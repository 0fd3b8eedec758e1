"""HTTP checks on the published site: HEAD, byte ranges, redirects and caching headers.

Apple refuses hosts that do not answer HEAD or that answer a `Range:` request with the
whole file; these are the requests Apple's own validator makes. Standard library only:
each answer becomes a sentence for a comms officer, never an exception.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from functools import lru_cache
from urllib.parse import urljoin

USER_AGENT = "podfeed-check (+https://podcastindex.org)"
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Answer:
    status: int  # 0 when the server could not be reached
    headers: Message
    body: bytes
    error: str = ""
    redirects: tuple[tuple[int, str], ...] = ()  # (status, location) of each hop


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Http:
    """A small HTTP client that remembers answers, so each URL is asked once per check."""

    def __init__(self, timeout: float = 15.0) -> None:
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)
        self.request = lru_cache(maxsize=None)(self._request)

    def _request(
        self, url: str, method: str = "GET", headers: tuple[tuple[str, str], ...] = ()
    ) -> Answer:
        hops: list[tuple[int, str]] = []
        for _ in range(MAX_REDIRECTS + 1):
            request = urllib.request.Request(
                url, method=method, headers={"User-Agent": USER_AGENT, **dict(headers)}
            )
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    body = response.read() if method != "HEAD" else b""
                    return Answer(response.status, response.headers, body, "", tuple(hops))
            except urllib.error.HTTPError as error:
                location = error.headers.get("Location")
                if error.code in (301, 302, 303, 307, 308) and location:
                    hops.append((error.code, location))
                    url = urljoin(url, location)
                    continue
                return Answer(error.code, error.headers, b"", "", tuple(hops))
            except (TimeoutError, urllib.error.URLError, OSError, ValueError) as error:
                reason = getattr(error, "reason", error)
                return Answer(0, Message(), b"", f"cannot be reached ({reason})", tuple(hops))
        return Answer(0, Message(), b"", "redirects too many times", tuple(hops))

    def fetch(self, url: str) -> bytes | None:
        answer = self.request(url)
        return answer.body if 200 <= answer.status < 300 else None

    def status(self, url: str) -> int:
        return self.request(url, "HEAD").status

    def header(self, url: str, name: str) -> str | None:
        answer = self.request(url, "HEAD")
        return answer.headers.get(name) if 200 <= answer.status < 300 else None

    def _problem(self, answer: Answer, what: str) -> str | None:
        if answer.error:
            return answer.error
        if not 200 <= answer.status < 300:
            return f"answers {what} with HTTP {answer.status}"
        return None

    def head_problem(self, url: str) -> str | None:
        return self._problem(self.request(url, "HEAD"), "HEAD")

    def get_problem(self, url: str) -> str | None:
        return self._problem(self.request(url), "GET")

    def range_problem(self, url: str) -> str | None:
        answer = self.request(url, "GET", (("Range", "bytes=0-1"),))
        if answer.error:
            return answer.error
        if answer.status != 206:
            return f"answers a byte-range request with HTTP {answer.status} instead of 206"
        if not answer.headers.get("Content-Range", "").startswith("bytes 0-1/"):
            return "answers a byte-range request without a matching Content-Range header"
        if answer.headers.get("Accept-Ranges", "bytes") != "bytes":
            return "does not say Accept-Ranges: bytes"
        return None

    def size(self, url: str) -> int | None:
        answer = self.request(url, "GET", (("Range", "bytes=0-1"),))
        total = answer.headers.get("Content-Range", "").rpartition("/")[2]
        if answer.status == 206 and total.isdigit():
            return int(total)
        length = self.header(url, "Content-Length")
        return int(length) if length and length.isdigit() else None

    def content_type(self, url: str) -> str | None:
        value = self.header(url, "Content-Type")
        return value.split(";")[0].strip() if value else None

    def redirect_problem(self, old: str, new: str) -> str | None:
        answer = self.request(old, "HEAD")
        if not answer.redirects:
            return "does not redirect to the new one"
        if len(answer.redirects) > 1 or answer.redirects[0][0] != 301:
            return "must redirect with a single 301 (permanent) to the new address"
        if urljoin(old, answer.redirects[0][1]) != new:
            return f"redirects to {answer.redirects[0][1]}, not {new}"
        return None

    def conditional_problem(self, url: str) -> str | None:
        first = self.request(url)
        if first.error or not 200 <= first.status < 300:
            return None  # reported by the reachability rule
        validators = []
        if first.headers.get("ETag"):
            validators.append(("If-None-Match", first.headers["ETag"]))
        if first.headers.get("Last-Modified"):
            validators.append(("If-Modified-Since", first.headers["Last-Modified"]))
        if not validators:
            return "has no ETag or Last-Modified header"
        again = self.request(url, "GET", tuple(validators))
        if again.status != 304:
            return f"answers a repeat request with HTTP {again.status}, not 304 Not Modified"
        return None
