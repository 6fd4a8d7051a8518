"""External link checking against a real local http.server on 127.0.0.1 (never the network):
200, 404, 301, 429 with Retry-After, a slow handler, a server that drops the connection, and a
dead port for "offline"; the cache keeps the last good date."""

from __future__ import annotations

import datetime as _dt
import json
import socket
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from conftest import serve_http
from kb_tools.checks import _http as external


class _Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}
    methods: list[tuple[str, str]] = []

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _answer(self, body: bool) -> None:
        type(self).methods.append((self.command, self.path))
        n = type(self).hits[self.path] = type(self).hits.get(self.path, 0) + 1
        p = self.path
        if p == "/ok":
            self._send(200, body)
        elif p == "/missing":
            self._send(404, body)
        elif p == "/moved":
            self._send(301, body, {"Location": "/ok"})
        elif p == "/temp":
            self._send(302, body, {"Location": "/ok"})
        elif p == "/moved-to-missing":
            self._send(301, body, {"Location": "/missing"})
        elif p == "/busy":  # 429 the first time, then fine
            if n == 1:
                self._send(429, body, {"Retry-After": "1"})
            else:
                self._send(200, body)
        elif p == "/always-busy":
            self._send(429, body, {"Retry-After": "1"})
        elif p == "/no-head":
            if self.command == "HEAD":
                self._send(405, body)
            else:
                self._send(200, body)
        elif p == "/slow":
            time.sleep(2.0)
            self._send(200, body)
        elif p == "/drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._send(404, body)

    def _send(self, code: int, body: bool, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        data = b"hello" if body else b""
        self.send_header("Content-Length", "5")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)


@pytest.fixture(name="server")
def fixture_server(monkeypatch: pytest.MonkeyPatch):
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(k, raising=False)
    _Handler.hits = {}
    _Handler.methods = []
    with serve_http(_Handler) as url:
        yield url


def _dead_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


OPTS = {"timeout": 0.7, "workers": 4, "per_host_rps": 50, "max_retry_after": 2}


def test_statuses(server: str, tmp_path: Path) -> None:
    urls = [f"{server}/{p}" for p in ("ok", "missing", "moved", "temp", "moved-to-missing", "no-head", "slow", "drop")]
    res = external.check_urls(urls + [f"{server}/ok#frag"], cache_path=tmp_path / "links.json", opts=OPTS)
    by = {u.rsplit("/", 1)[1]: r for u, r in res.items()}
    assert len(res) == 8  # the fragment is not a second URL
    assert by["ok"].status == "ok" and by["ok"].code == 200
    assert by["missing"].status == "broken" and by["missing"].code == 404
    assert by["moved"].status == "redirect" and by["moved"].code == 301 and by["moved"].final_url == f"{server}/ok"
    assert by["temp"].status == "ok"  # temporary redirects are not worth a finding
    assert by["moved-to-missing"].status == "broken"
    assert by["no-head"].status == "ok" and ("GET", "/no-head") in _Handler.methods  # HEAD then GET
    assert by["slow"].status == "unchecked" and "no answer" in (by["slow"].reason or "")
    assert by["drop"].status == "unchecked"


def test_retry_after_is_honoured(server: str, tmp_path: Path) -> None:
    t0 = time.monotonic()
    res = external.check_urls([f"{server}/busy", f"{server}/always-busy"], cache_path=None, opts=OPTS)
    assert res[f"{server}/busy"].status == "ok"
    assert _Handler.hits["/busy"] == 2
    assert res[f"{server}/always-busy"].status == "unchecked" and res[f"{server}/always-busy"].code == 429
    assert time.monotonic() - t0 >= 1.0  # waited for Retry-After: 1


def test_per_host_rate_limit(server: str) -> None:
    t0 = time.monotonic()
    external.check_urls([f"{server}/ok?{i}" for i in range(5)], cache_path=None,
                        opts={**OPTS, "per_host_rps": 10, "workers": 5})
    assert time.monotonic() - t0 >= 0.35  # 5 requests at 10/s: the 5th no earlier than 0.4 s


def test_cache_fresh_results_are_not_requested_again(server: str, tmp_path: Path) -> None:
    cache = tmp_path / "links.json"
    external.check_urls([f"{server}/ok", f"{server}/missing"], cache_path=cache, opts=OPTS)
    before = dict(_Handler.hits)
    res = external.check_urls([f"{server}/ok", f"{server}/missing"], cache_path=cache, opts=OPTS)
    assert _Handler.hits == before
    assert all(r.cached for r in res.values()) and res[f"{server}/missing"].status == "broken"
    data = json.loads(cache.read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["urls"][f"{server}/ok"]["last_good"]
    assert not list(tmp_path.glob(".links-*"))  # atomic write left no temp file


def test_offline_reports_last_good(tmp_path: Path) -> None:
    port = _dead_port()
    url = f"http://127.0.0.1:{port}/page"
    cache = tmp_path / "links.json"
    cache.write_text(json.dumps({"version": 1, "urls": {url: {
        "status": "ok", "code": 200, "checked": "2026-01-05T09:00:00+00:00", "last_good": "2026-01-05T09:00:00+00:00"}}}))
    now = _dt.datetime(2026, 3, 1, tzinfo=_dt.timezone.utc)  # the cached result is stale
    res = external.check_urls([url], cache_path=cache, opts=OPTS, now=now)
    r = res[url]
    assert r.status == "unchecked" and r.last_good.startswith("2026-01-05")
    kept = json.loads(cache.read_text())["urls"][url]
    assert kept["status"] == "ok" and kept["last_good"].startswith("2026-01-05")  # last good kept


def test_corrupt_cache_is_rebuilt(server: str, tmp_path: Path) -> None:
    cache = tmp_path / "links.json"
    cache.write_text("{not json")
    res = external.check_urls([f"{server}/ok"], cache_path=cache, opts=OPTS)
    assert res[f"{server}/ok"].status == "ok"
    assert json.loads(cache.read_text())["version"] == 1


def test_kb_check_external_end_to_end(server: str, make_docs, run_kb) -> None:
    dead = f"http://127.0.0.1:{_dead_port()}/x"
    yml = ("site_name: t\nplugins:\n  - kb:\n      external: {timeout: 0.7, per_host_rps: 50, skip: ['https://intra.']}\n")
    root = make_docs({"index.md": f"""\
        # 外部リンク

        [ok]({server}/ok) [404]({server}/missing)

        [移転]({server}/moved) <{dead}>

        [社内](https://intra.example.invalid/)
        """}, mkdocs_yml=yml)
    plain = json.loads(run_kb(root, "check", "--format", "json").stdout)
    assert not any(f["rule"].startswith("link.external") for f in plain["findings"])  # never by default
    before = dict(_Handler.hits)
    res = run_kb(root, "check", "--external", "--format", "json")
    doc = json.loads(res.stdout)
    got = {(f["rule"], f["line"], f["severity"]) for f in doc["findings"] if f["rule"].startswith("link.external")}
    assert got == {("link.external-broken", 3, "error"), ("link.external-redirect", 5, "info"),
                   ("link.external-unchecked", 5, "info")}
    assert res.exit_code == 1
    assert before != _Handler.hits
    unchecked = next(f for f in doc["findings"] if f["rule"] == "link.external-unchecked")
    assert "never checked successfully" in unchecked["message"]
    assert (root / ".kb" / "cache" / "links.json").is_file()


def test_bad_external_config(make_docs, run_kb) -> None:
    root = make_docs({"index.md": "[x](https://example.invalid/)\n"},
                     mkdocs_yml="site_name: t\nplugins:\n  - kb:\n      external: {colour: 1}\n")
    res = run_kb(root, "check", "--external", "--format", "json")
    assert res.exit_code == 2 and "external.colour" in res.stderr
