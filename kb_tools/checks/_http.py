"""External (http/https) link checking, offline-first.

A bounded thread pool, a per-host rate limit that honours ``Retry-After``, HEAD then GET,
timeouts, redirects followed by hand (so they can be reported), and a cache
(``.kb/cache/links.json``, written atomically) that keeps the last known good time per URL.
A URL checked within ``max_age_days`` is not requested again. Network failures (no route, DNS,
timeout, reset) never count as broken links: the result is "unchecked", with the last good
date when there is one, so a run on a machine without internet reports instead of failing.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from kb_tools.options import ExternalOptions
from kb_tools._io import atomic_write

log = logging.getLogger(__name__)

CACHE_VERSION = 1
DEFAULTS: dict[str, Any] = ExternalOptions().model_dump()
_UA = "kb-tools link checker (+https://example.invalid/kb-tools)"


@dataclass
class LinkResult:
    url: str
    status: str  # ok | redirect | broken | unchecked
    code: int | None = None
    final_url: str | None = None  # where a redirect leads
    checked: str | None = None  # ISO time of this result's request (None: from nothing)
    last_good: str | None = None  # ISO time of the last ok/redirect result
    reason: str | None = None  # why broken / unchecked
    cached: bool = False


def normalize(url: str) -> str:
    """The URL that is requested: without its fragment."""
    p = urlsplit(url.strip())
    return urlunsplit((p.scheme.lower(), p.netloc, p.path or "/", p.query, ""))


# --------------------------------------------------------------------------- cache


class LinkCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        if path and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("version") == CACHE_VERSION and isinstance(data.get("urls"), dict):
                    self.entries = {k: v for k, v in data["urls"].items() if isinstance(v, dict)}
            except (OSError, ValueError) as exc:
                log.warning("link cache %s unreadable (%s); starting a new one", path, exc)

    def save(self) -> None:
        if not self.path:
            return
        try:
            atomic_write(self.path, json.dumps({"version": CACHE_VERSION, "urls": self.entries},
                                               ensure_ascii=False, indent=1, sort_keys=True))
        except OSError as exc:
            log.warning("cannot write link cache %s: %s", self.path, exc)


# --------------------------------------------------------------------------- rate limit


class HostLimiter:
    """At most ``rps`` requests per second per host; ``Retry-After`` pushes the host's next slot."""

    def __init__(self, rps: float) -> None:
        self.interval = 1.0 / rps if rps > 0 else 0.0
        self.next_at: dict[str, float] = {}
        self.lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at.get(host, now))
            self.next_at[host] = at + self.interval
        if at > now:
            time.sleep(at - now)

    def back_off(self, host: str, seconds: float) -> None:
        with self.lock:
            self.next_at[host] = max(self.next_at.get(host, 0.0), time.monotonic() + seconds)


# --------------------------------------------------------------------------- requests


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102 - report, don't follow
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _retry_after(value: str | None, cap: float) -> float:
    if not value:
        return 1.0
    try:
        return min(max(float(value), 0.0), cap)
    except ValueError:
        try:
            when = _dt.datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=_dt.timezone.utc)
            return min(max((when - _dt.datetime.now(_dt.timezone.utc)).total_seconds(), 0.0), cap)
        except ValueError:
            return 1.0


def _request(url: str, method: str, timeout: float) -> tuple[int, dict[str, str]]:
    """One request, no redirect following: (status, headers). Raises OSError on network failure."""
    req = urllib.request.Request(url, method=method, headers={"User-Agent": _UA, "Accept": "*/*"})
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            if method == "GET":
                resp.read(1024)
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as exc:
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        exc.close()
        return exc.code, headers


def _one(url: str, opts: dict[str, Any], limiter: HostLimiter) -> tuple[str, int | None, str | None, str | None]:
    """(status, code, final_url, reason) for one URL, following redirects by hand."""
    timeout = float(opts["timeout"])
    current = url
    first_redirect: int | None = None
    for _hop in range(int(opts["max_redirects"]) + 1):
        host = urlsplit(current).netloc.lower()
        code, headers = 0, {}
        for attempt in range(2):
            limiter.wait(host)
            try:
                code, headers = _request(current, "HEAD", timeout)
                if code in (400, 403, 405, 406, 501) or (code >= 500 and code != 503):
                    limiter.wait(host)
                    code, headers = _request(current, "GET", timeout)
            except (socket.timeout, TimeoutError):
                return "unchecked", None, None, f"no answer within {timeout:g} s"
            except urllib.error.URLError as exc:
                return "unchecked", None, None, f"network error: {getattr(exc, 'reason', exc)}"
            except (OSError, ValueError, http_client_errors()) as exc:
                return "unchecked", None, None, f"connection failed: {type(exc).__name__}: {exc}".rstrip(": ")
            if code in (429, 503) and attempt == 0:
                wait = _retry_after(headers.get("retry-after"), float(opts["max_retry_after"]))
                limiter.back_off(host, wait)
                continue
            break
        if code in (301, 302, 303, 307, 308) and headers.get("location"):
            if first_redirect is None:
                first_redirect = code
            current = urljoin(current, headers["location"])
            continue
        if code in (429, 503):
            return "unchecked", code, None, f"rate limited or unavailable (HTTP {code})"
        if 200 <= code < 300:
            if first_redirect in (301, 308):
                return "redirect", first_redirect, current, None
            return "ok", code, None, None
        if code in (401, 403):
            return "unchecked", code, None, f"access denied (HTTP {code})"
        if code >= 500:
            return "unchecked", code, None, f"server error (HTTP {code})"
        return "broken", code, (current if current != url else None), f"HTTP {code}"
    return "broken", first_redirect, current, "too many redirects"


def http_client_errors() -> type[Exception]:
    import http.client

    return http.client.HTTPException


# --------------------------------------------------------------------------- driver


def options(raw: dict[str, Any] | ExternalOptions | None) -> dict[str, Any]:
    """The ``external:`` options as a plain dict, validated (ValueError names a bad option)."""
    if isinstance(raw, ExternalOptions):
        return raw.model_dump()
    return ExternalOptions.model_validate(dict(raw or {})).model_dump()


def check_urls(
    urls: Iterable[str], *, cache_path: Path | None, opts: dict[str, Any] | None = None,
    now: _dt.datetime | None = None, progress: Callable[[int, int], None] | None = None,
) -> dict[str, LinkResult]:
    """Check each URL (normalised, fragments dropped); results by normalised URL."""
    o = options(opts)
    now = now or _dt.datetime.now(_dt.timezone.utc)
    cache = LinkCache(cache_path)
    max_age = _dt.timedelta(days=float(o["max_age_days"]))
    results: dict[str, LinkResult] = {}
    todo: list[str] = []
    for u in sorted({normalize(u) for u in urls}):
        ent = cache.entries.get(u)
        if ent and ent.get("checked") and ent.get("status") in ("ok", "redirect", "broken"):
            try:
                fresh = now - _dt.datetime.fromisoformat(ent["checked"]) <= max_age
            except (TypeError, ValueError):
                fresh = False
            if fresh:
                results[u] = LinkResult(u, ent["status"], ent.get("code"), ent.get("final_url"), ent["checked"],
                                        ent.get("last_good"), ent.get("reason"), cached=True)
                continue
        todo.append(u)
    limiter = HostLimiter(float(o["per_host_rps"]))
    stamp = now.isoformat(timespec="seconds")
    done = 0
    lock = threading.Lock()

    def work(u: str) -> LinkResult:
        nonlocal done
        try:
            status, code, final, reason = _one(u, o, limiter)
        except Exception as exc:  # noqa: BLE001 - a hostile server must not stop the run
            status, code, final, reason = "unchecked", None, None, f"internal error: {type(exc).__name__}: {exc}"
        with lock:
            done += 1
            if progress:
                progress(done, len(todo))
        prev = cache.entries.get(u, {})
        last_good = stamp if status in ("ok", "redirect") else prev.get("last_good")
        return LinkResult(u, status, code, final, stamp, last_good, reason)

    if todo:
        with ThreadPoolExecutor(max_workers=min(int(o["workers"]), len(todo))) as ex:
            for r in ex.map(work, todo):
                results[r.url] = r
                if r.status == "unchecked":
                    if r.url in cache.entries:
                        cache.entries[r.url]["last_attempt"] = stamp
                    continue  # keep the last definite result
                ent = asdict(r)
                ent.pop("cached")
                ent.pop("url")
                cache.entries[r.url] = ent
        cache.save()
    return results
