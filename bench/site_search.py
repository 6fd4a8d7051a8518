"""Site search in a real browser: kb's prebuilt sharded index beside stock Material, one run.

    python bench/site_search.py [--pages 100 1000 10000] [--quality PROJECT ...] [--json OUT]

For each size a corpus is generated (bench/corpus.py, deterministic) and built twice with
``mkdocs build`` (Material, ``navigation.prune``, offline plugin so the same build serves http and
file://): stock Material (``search: {lang: ja}``) and with the kb plugin (``japanese_search:
true``). Measured in headless Chromium with the cache disabled, on a closed network (no host but
127.0.0.1 resolves; no request is routed through Playwright: ``Session``), over loopback http
(Python's file server with keep-alive) and from file://, stock and kb page loads interleaved: the first
result — an exact-title query typed into the box at the end of the page's load event, timed in
the page (``performance.now()``: the frame after the answer was rendered, minus
``loadEventEnd``; median of ``--loads`` page loads), so Playwright's round trips are not in the
figure —, search bytes over http for the first query (everything search-related the page loaded until
then: client, manifest, shards, store chunks; for Material its index, worker and lunr) and for
later queries (from the previous answer to this one: background loads included), later-query
latency (typed → the frame after the answer, in the page; median and max of five queries), on the
first load typed ``--pause`` ms (1 s) after the previous answer, a reader's pace, and on the second
load typed as each answer shows (the worst case: the first answer's chunks and background files
still in flight), index size on disk, build wall and CPU time with the load average (plain
vs kb: the kb share, and the search-index part as a share of the plain build) and, on the
1,000-page corpus (or the largest below), the exact-title first-place rate. ``--reuse`` keeps
the builds in ``--work`` and rewrites kb's client and index from the current sources, and what
``search_glue.inject`` puts in every page (``search_glue.inject_site``). ``--quality``: recall@5 / MRR@5 per query kind through ``kb search`` and the
site (bench/search_quality.py): any MkDocs project passed by path (e.g. a checkout of FastAPI's
Japanese docs) and this repo; nothing outside the repository is read unless passed.

``run_site_queries(project_dir, queries, japanese_search)`` is the API bench/search_quality.py
and the tests use: ranked docs-relative .md paths per query.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import corpus as corpus_gen  # noqa: E402 - the project's generator, beside this file

MKDOCS = str(Path(sys.executable).with_name("mkdocs"))
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# The closed intranet: no host but the loopback file server resolves, so an outside request fails
# in the browser (and is recorded as failed) without routing requests through Playwright.
CLOSED_NETWORK = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
BOX = "input.md-search__input"
SEARCH_FILE = re.compile(r"kb-search/|search/search_index\.js|workers/search\.|/lunr/")

HOOK = '''\
"""Bench hook: records page url -> source path."""
import json, os
URLS = {}

def on_page_context(context, page, config, nav):
    URLS[page.url] = page.file.src_uri
    return context

def on_post_build(config):
    with open(os.environ["KB_BENCH_URLMAP"], "w", encoding="utf-8") as f:
        json.dump(URLS, f, ensure_ascii=False)
'''

PLAIN_YML = """\
site_name: bench
theme:
  name: material
  language: ja
  font: false
""" + corpus_gen.MARKDOWN_YML + """  - admonition
  - pymdownx.superfences
  - pymdownx.details
  - pymdownx.tabbed:
      alternate_style: true
"""


def build_site(project_dir: Path, out: Path, japanese_search: bool, reuse: bool = False) -> tuple[dict[str, str], float, float]:
    """Build project_dir into out/site; returns ({page url: src path}, build seconds, kb index seconds).

    ``reuse``: keep an earlier build of the same folder (its recorded build time), rewriting kb's
    client script and index from the current sources through the core, without MkDocs (measuring
    a changed client or index layout without a 10,000-page build); the index time is then the
    rewrite's."""
    done = out / "build.json"
    if reuse and done.is_file() and (out / "urls.json").is_file():
        rec = json.loads(done.read_text(encoding="utf-8"))
        urls = json.loads((out / "urls.json").read_text(encoding="utf-8"))
        if japanese_search:
            rec["index_s"] = rewrite_search(project_dir, out / "site", urls)
        return urls, rec["build_s"], rec["index_s"]
    from mkdocs.utils.yaml import yaml_load

    project_dir = project_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    src_yml = project_dir / "mkdocs.yml"
    plugins: list = [{"search": {"lang": "ja"}}, "offline"]
    if japanese_search:
        plugins.append({"kb": {"japanese_search": True, "strict": False}})
    child: dict = {"site_dir": str(out / "site"), "plugins": plugins, "hooks": [str(out / "kb_bench_hook.py")],
                   "strict": False}
    theme: dict = {"features": ["navigation.prune"], "font": False}  # no Google Fonts request
    if src_yml.is_file():
        with open(src_yml, encoding="utf-8") as f:
            parent = yaml_load(f) or {}
        child["INHERIT"] = str(src_yml)
        child["docs_dir"] = str((project_dir / parent.get("docs_dir", "docs")).resolve())
        ptheme = parent.get("theme") or {}
        if isinstance(ptheme, dict) and ptheme.get("custom_dir"):
            theme["custom_dir"] = str((project_dir / ptheme["custom_dir"]).resolve())
        if isinstance(ptheme, dict) and ptheme.get("features"):
            theme["features"] = sorted(set(ptheme["features"]) | {"navigation.prune"})
    else:
        child["docs_dir"] = str(project_dir / "docs")
    if src_yml.is_file():
        child["theme"] = theme
        yml = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in child.items())
    else:
        yml = PLAIN_YML.replace("  font: false\n", "  font: false\n  features: [navigation.prune]\n") + \
            "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in child.items())
    (out / "kb_bench_hook.py").write_text(HOOK, encoding="utf-8")
    cfg = out / "mkdocs.yml"
    cfg.write_text(yml, encoding="utf-8")
    env = dict(os.environ, KB_BENCH_URLMAP=str(out / "urls.json"), NO_MKDOCS_2_WARNING="1")
    t0, c0 = time.perf_counter(), _child_cpu()
    res = subprocess.run([MKDOCS, "build", "-f", str(cfg)], cwd=project_dir, env=env, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - t0, _child_cpu() - c0
    if res.returncode != 0:
        raise RuntimeError(f"mkdocs build failed for {project_dir}:\n{res.stderr[-3000:]}")
    m = re.search(r"site search index: .* in ([0-9.]+) s", res.stderr)
    index_s = float(m.group(1)) if m else 0.0
    done.write_text(json.dumps({"build_s": seconds, "index_s": index_s, "cpu_s": cpu,
                                "load": os.getloadavg()[0]}), encoding="utf-8")
    return json.loads((out / "urls.json").read_text(encoding="utf-8")), seconds, index_s


def _child_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def rewrite_search(project_dir: Path, site: Path, urls: dict[str, str]) -> float:
    """kb's client, index and page glue in a built ``site`` rewritten from the current sources;
    the index's seconds."""
    sys.path.insert(0, str(REPO))
    from kb_tools.config import load_config
    from kb_tools.corpus import build_corpus
    from kb_tools.site import search_glue

    cfg = load_config(project_dir / "mkdocs.yml")
    corpus = build_corpus(cfg)
    rep = search_glue.post_build(site, corpus, {src: url for url, src in urls.items()}, cfg.use_directory_urls)
    pages = search_glue.inject_site(site)  # what every page carries (script, head style), as on_post_page writes it
    if pages:
        print(f"reuse: {pages} pages of {site} given the current page glue", file=sys.stderr)
    return rep.seconds


# ``--old-harness``: this morning's harness (every request routed through Playwright, Nagle on),
# to compare figures across the change.
OLD_HARNESS = {"intercept_all": False}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Python's file server with HTTP/1.1 keep-alive, as every production web server has (1.0
    would open a TCP connection per request, six at a time)."""

    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as production servers set on keep-alive connections (nginx: tcp_nodelay on):
    # without it a response's header and body writes meet Nagle's algorithm and the client's
    # delayed ACK, and each small file waits ~40 ms on loopback.
    disable_nagle_algorithm = True

    def log_message(self, *args: object) -> None:
        pass


class _Nagle(_Quiet):
    disable_nagle_algorithm = False


class _Server(http.server.ThreadingHTTPServer):
    """A browser closing a keep-alive connection (a page closed mid-request) is no error to print."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextlib.contextmanager
def serve(folder: Path, prefix: str = "") -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (under the sub-path ``prefix``, e.g. "kb/", when given)."""
    root = folder
    tmp = None
    if prefix:
        tmp = tempfile.TemporaryDirectory(prefix="kb-subpath-")
        root = Path(tmp.name)
        (root / prefix.strip("/")).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(folder.resolve(), root / prefix.strip("/"))
    handler = _Nagle if OLD_HARNESS["intercept_all"] else _Quiet
    httpd = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/{prefix}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        if tmp is not None:
            tmp.cleanup()


def to_src(href: str, base: str, urls: dict[str, str]) -> str | None:
    path = unquote(urlparse(href).path)
    root = unquote(urlparse(base).path)
    if root.endswith(".html"):
        root = root.rsplit("/", 1)[0] + "/"
    rel = path[len(root):] if path.startswith(root) else path.lstrip("/")
    if rel in urls:
        return urls[rel]
    if rel.endswith("index.html") and rel[: -len("index.html")] in urls:
        return urls[rel[: -len("index.html")]]
    return None


RESULTS_JS = """
() => Array.from(document.querySelectorAll('.md-search-result__list > li'))
  .map(li => { const a = li.querySelector('a'); return a ? a.href : null; })
"""
# A result is rendered when Material's result meta or list changes after the query was typed
# (Material and kb both rewrite the meta on every answer, also for "nothing found").
# Counted only from the query's input event on: the previous answer may still grow (more results
# appended while the list does not fill the box) until the next query is typed.
MARK_JS = """() => { if (!window.__kbObs) { window.__kbMut = 0; window.__kbObs = new MutationObserver(() => window.__kbMut++);
  for (const el of document.querySelectorAll('.md-search-result__meta, .md-search-result__list'))
    window.__kbObs.observe(el, {childList: true, characterData: true, subtree: true});
  document.addEventListener('input', () => { window.__kbSeen = window.__kbMut }, true); }
  window.__kbSeen = Infinity; }"""
RENDERED_JS = "() => window.__kbMut > window.__kbSeen"

# Timing in the page, for the benchmark (figures without Playwright's round trips): the harness
# types a query as a reader would (focus, value, input + keyup events) — the first one right at
# the end of the load event — and the page stamps, with performance.now(), when it typed, when
# the answer was rendered (a mutation of Material's result meta or list after which the list
# holds results or the meta says "no result") and the next frame after it (the answer on
# screen). The first result is that frame minus loadEventEnd; a later query, that frame minus
# the moment it was typed.
TIMING_JS = """(() => {
  const B = window.__kbBench = {typed: 0, answer: 0, painted: 0};
  let armed = false;
  const none = () => { try { return JSON.parse(document.getElementById('__config').textContent)
    .translations['search.result.none'] } catch (e) { return null } };
  const watch = () => {
    const meta = document.querySelector('.md-search-result__meta'), list = document.querySelector('.md-search-result__list');
    if (!meta || !list || B.obs) return;
    B.obs = new MutationObserver(() => {
      if (!armed || !(list.querySelector('li') || meta.textContent === none())) return;
      armed = false; B.answer = performance.now();
      requestAnimationFrame(() => setTimeout(() => { B.painted = performance.now() }, 0));
    });
    for (const el of [meta, list]) B.obs.observe(el, {childList: true, characterData: true, subtree: true});
  };
  B.type = (q) => {
    watch();
    const box = document.querySelector('input.md-search__input');
    B.answer = B.painted = 0; armed = true;
    B.typed = performance.now();
    box.focus(); box.value = q;
    box.dispatchEvent(new Event('input', {bubbles: true}));
    box.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}));
  };
  const Q = %s;
  if (Q !== null) addEventListener('load', () => setTimeout(() => B.type(Q), 0));
})();"""
FIRST_JS = """() => { const nav = performance.getEntriesByType('navigation')[0], B = window.__kbBench;
  return {typed: B.typed - nav.loadEventEnd, answer: B.answer - nav.loadEventEnd, painted: B.painted - nav.loadEventEnd} }"""
LATER_JS = "() => { const B = window.__kbBench; return {answer: B.answer - B.typed, painted: B.painted - B.typed} }"
PAINTED_JS = "() => window.__kbBench && window.__kbBench.painted > 0"


class Session:
    """One page of a built site in Chromium (cache disabled, every outside request stopped).

    ``intercept`` (tests): every request leaving the site is routed through Playwright and
    aborted, and every request is recorded. The benchmark passes ``intercept=False``: nothing is
    routed or listened to per request — a routed request waits for Playwright's driver to let it
    go (measured: six store chunks in one hop, median 59.5 ms routed and recorded, 49.8 ms
    recorded, 38.5 ms neither, at load 6), which a reader's browser never does. The closed
    network is then the browser's (``chromium()``: no host but 127.0.0.1 resolves), an outside
    request shows as a failed one (``requestfailed``, recorded in ``outside``), and the search
    files a page loaded are read from its Resource Timing entries (http; a page opened from
    file:// lists none: its bytes are not measured)."""

    def __init__(self, browser: object, base: str, start: str = "", type_at_load: str | None = None,
                 timing: bool = False, intercept: bool = True) -> None:
        self.base = base
        self.ctx = browser.new_context()  # type: ignore[attr-defined]
        if timing or type_at_load is not None:
            self.ctx.add_init_script(TIMING_JS % json.dumps(type_at_load, ensure_ascii=False))
        self.outside: list[str] = []
        self._requests: list[str] = []
        self.intercept = intercept or OLD_HARNESS["intercept_all"]
        local = re.escape(self.base.split("#")[0].rsplit("/", 1)[0])
        if self.intercept:
            # Only requests leaving the site are intercepted (and aborted): routing every request
            # through Playwright would add a round trip to this process to each file the page loads.
            self.ctx.route("**/*" if OLD_HARNESS["intercept_all"] else re.compile(f"^(?!file:|data:|{local})"), self._route)
        else:
            self.ctx.add_init_script("performance.setResourceTimingBufferSize(1000000)")
        self.page = self.ctx.new_page()
        cdp = self.ctx.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if self.intercept:
            self.page.on("request", lambda r: self._requests.append(r.url))
        else:
            inside = re.compile(f"^(?:file:|data:|{local})")
            self.page.on("requestfailed", lambda r: None if inside.match(r.url) else self.outside.append(r.url))
        self.start = start or base

    @property
    def requests(self) -> list[str]:
        """The URLs the page requested, in order (without ``intercept``: its Resource Timing entries)."""
        if self.intercept:
            return self._requests
        return self.page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")

    def _route(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        local = url.startswith(self.base.split("#")[0].rsplit("/", 1)[0]) or url.startswith("data:")
        if url.startswith("file://") or local:
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    def open(self) -> float:
        t0 = time.perf_counter()
        self.page.goto(self.start, wait_until="load")
        self.page.click(BOX, timeout=30000)
        return t0

    def ask(self, query: str, timeout_ms: int = 120000) -> list[str]:
        self.page.evaluate(MARK_JS)
        self.page.fill(BOX, query)
        self.page.dispatch_event(BOX, "keyup")  # Material listens to keyup
        if query.strip():
            self.page.wait_for_function(RENDERED_JS, timeout=timeout_ms)
        return self.page.evaluate(RESULTS_JS)

    def first_answer(self, timeout_ms: int = 120000) -> dict[str, float]:
        """Load the page (the query given as ``type_at_load`` is typed at its load event); the
        in-page times of that first answer, in ms after loadEventEnd."""
        self.page.goto(self.start, wait_until="load")
        self.page.wait_for_function(PAINTED_JS, timeout=timeout_ms)
        return self.page.evaluate(FIRST_JS)

    def timed(self, query: str, timeout_ms: int = 120000) -> dict[str, float]:
        """Type ``query`` in the page; ms from typing to its answer and to the frame after it."""
        self.page.evaluate("q => window.__kbBench.type(q)", query)
        self.page.wait_for_function(PAINTED_JS, timeout=timeout_ms)
        return self.page.evaluate(LATER_JS)

    def meta(self) -> str:
        return self.page.inner_text(".md-search-result__meta")

    def close(self) -> None:
        self.ctx.close()


def ranked_paths(hrefs: list[str], base: str, urls: dict[str, str], limit: int) -> list[str]:
    out: list[str] = []
    for h in hrefs:
        src = to_src(h, base, urls) if h else None
        if src and src not in out:
            out.append(src)
    return out[:limit]


def query_page(browser: object, base: str, urls: dict[str, str], queries: list[str], limit: int,
               start: str = "") -> tuple[list[list[str]], float]:
    """Run queries through the search box; returns (ranked src paths, ms to the first result)."""
    s = Session(browser, base, start)
    try:
        t0 = s.open()
        out: list[list[str]] = []
        first_ms = 0.0
        last_q, last = None, []
        for q in queries:
            if q != last_q:
                last, last_q = ranked_paths(s.ask(q), base, urls, limit), q
                if not first_ms:
                    first_ms = (time.perf_counter() - t0) * 1000
            out.append(list(last))
        return out, first_ms
    finally:
        s.close()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + CLOSED_NETWORK)
        try:
            yield b
        finally:
            b.close()


def run_site_queries(project_dir: Path, queries: list[str], japanese_search: bool, limit: int = 5,
                     browser: object | None = None) -> list[list[str]]:
    """Ranked docs-relative .md paths per query, from the built site's search in Chromium."""
    with tempfile.TemporaryDirectory(prefix="kb-site-search-") as tmp:
        urls = build_site(Path(project_dir), Path(tmp), japanese_search)[0]
        with serve(Path(tmp) / "site") as base:
            if browser is not None:
                return query_page(browser, base, urls, queries, limit)[0]
            with chromium() as b:
                return query_page(b, base, urls, queries, limit)[0]


# ----------------------------------------------------------------------------- measuring


def _bytes(site: Path, base: str, urls: list[str]) -> int:
    total = 0
    root = unquote(urlparse(base).path)
    if root.endswith(".html"):
        root = root.rsplit("/", 1)[0] + "/"
    for u in urls:
        if not SEARCH_FILE.search(u):
            continue
        path = unquote(urlparse(u).path)
        rel = path[len(root):] if path.startswith(root) else path.lstrip("/")
        f = site / rel
        total += f.stat().st_size if f.is_file() else 0
    return total


START = {"page": "index.html"}  # --start
PAUSE = {"ms": 1000.0}  # --pause


def measure(browser: object, site: Path, urls: dict[str, str], first: str, later: list[str], loads: int,
            file_url: bool, timeout_s: float = 120, pause_ms: float = 0) -> dict[str, float]:
    """First result (typed at the load event; in-page times), its bytes; later queries (first load
    only), each typed ``pause_ms`` after the previous answer's frame: in-page latency, and the
    bytes loaded from the previous answer to this one (what loaded in the background included)."""
    ms, typed, first_b, later_b, later_ms, outside, found = [], [], [], [], [], [], []
    for i in range(loads):
        cm = None
        page = START["page"]
        if file_url:
            root = (site / "index.html").as_uri()
            s = Session(browser, root, (site / page).as_uri(), type_at_load=first, intercept=False)
        else:
            cm = serve(site)
            base = cm.__enter__()
            s = Session(browser, base, "" if page == "index.html" else base + page, type_at_load=first, intercept=False)
        try:
            t = s.first_answer(int(timeout_s * 1000))
            ms.append(t["painted"])
            typed.append(t["typed"])
            hits = s.page.evaluate(RESULTS_JS)
            base_url = s.base  # the site's root: the search files' paths are relative to it
            seen = s.requests
            first_b.append(_bytes(site, base_url, seen))
            if i == 0:
                for q in later:
                    n = len(seen)
                    if pause_ms:
                        s.page.wait_for_timeout(pause_ms)
                    later_ms.append(s.timed(q, int(timeout_s * 1000))["painted"])
                    seen = s.requests
                    later_b.append(_bytes(site, base_url, seen[n:]))
            outside += s.outside
            found.append(bool(hits))
        finally:
            s.close()
            if cm is not None:
                cm.__exit__(None, None, None)
    return {"first_ms": statistics.median(ms), "first_runs_ms": ms, "typed_ms": statistics.median(typed),
            "first_bytes": statistics.median(first_b),
            "later_bytes": statistics.median(later_b) if later_b else 0, "later_ms": statistics.median(later_ms) if later_ms else 0,
            "later_ms_max": max(later_ms) if later_ms else 0, "outside": len(outside),
            "first_found": all(found), "load": os.getloadavg()[0]}


def index_size(site: Path, kb: bool) -> int:
    if kb:
        return sum(p.stat().st_size for p in (site / "assets" / "kb-search").rglob("*") if p.is_file())
    return (site / "search" / "search_index.json").stat().st_size


def titles_of(corpus_dir: Path, n: int) -> list[tuple[str, str]]:
    out = []
    for p in sorted((corpus_dir / "docs").rglob("*.md")):
        if p.name in ("index.md", "README.md"):
            continue
        m = re.search(r"^title:\s*(.+)$", p.read_text(encoding="utf-8"), re.M)
        if m:
            out.append((m.group(1).strip(), p.relative_to(corpus_dir / "docs").as_posix()))
    step = max(1, len(out) // n)
    return out[::step][:n]


def exact_title_rate(browser: object, site: Path, urls: dict[str, str], items: list[tuple[str, str]]) -> float:
    titles = {}
    for t, _ in items:
        titles[t] = titles.get(t, 0) + 1
    items = [(t, p) for t, p in items if titles[t] == 1]
    with serve(site) as base:
        got = query_page(browser, base, urls, [t for t, _ in items], 5)[0]
    return sum(1 for (t, p), r in zip(items, got) if r[:1] == [p]) / max(len(items), 1)


LATER = ["サーバー 設定", "ﾈｯﾄﾜｰｸ", "ＡＷＳ", "障害", "申請予算"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, nargs="*", default=[100, 1000, 10000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--loads", type=int, default=3, help="page loads per measurement (median)")
    ap.add_argument("--titles", type=int, default=100, help="exact-title queries")
    ap.add_argument("--quality", type=Path, nargs="*", default=[], help="projects for bench/search_quality.py")
    ap.add_argument("--work", type=Path, default=None, help="keep corpora and builds here")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--timeout", type=float, default=120, help="seconds a page may take to answer (else: error)")
    ap.add_argument("--reuse", action="store_true", help="reuse the builds in --work (their recorded build times)")
    ap.add_argument("--start", default="index.html",
                    help="the page each load opens, relative to the site (default: the home page, which in a "
                         "generated corpus links to every page: 735 KB of HTML at 10,000 pages)")
    ap.add_argument("--pause", type=float, default=1000,
                    help="ms between an answer and the next query on the first load (a reader's pace; the second "
                         "load types each query as the answer shows)")
    ap.add_argument("--old-harness", action="store_true",
                    help="every request routed through Playwright and Nagle's algorithm on (the earlier harness)")
    args = ap.parse_args(argv)
    OLD_HARNESS["intercept_all"] = args.old_harness
    PAUSE["ms"] = args.pause
    START["page"] = args.start
    rows: list[dict] = []
    tmpdir = tempfile.TemporaryDirectory(prefix="kb-site-bench-") if args.work is None else None
    work = Path(tmpdir.name) if tmpdir else args.work
    work.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        for n in args.pages:
            rows += bench_size(browser, work, n, args)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.quality:
        sys.path.insert(0, str(REPO / "bench"))
        import search_quality

        for p in args.quality:
            search_quality.run(p.resolve(), True, 0, 0)
    return 0


def bench_size(browser: object, work: Path, n: int, args: argparse.Namespace) -> list[dict]:
    """Both builds of one size, then their page loads interleaved (stock, kb; http, file://)."""
    corpus = work / f"c{n}"
    if not (corpus / "mkdocs.yml").is_file():
        subprocess.run([sys.executable, str(REPO / "bench" / "corpus.py"), str(corpus), "--pages", str(n),
                        "--seed", str(args.seed)], check=True, capture_output=True)
    items = titles_of(corpus, args.titles)
    first = items[len(items) // 2][0]
    sites, rows, runs = {}, {}, {}
    for kb in (False, True):
        out = work / f"b{n}{'kb' if kb else 'stock'}"
        urls, build_s, index_s = build_site(corpus, out, kb, args.reuse)
        rec = json.loads((out / "build.json").read_text(encoding="utf-8"))
        sites[kb] = (out / "site", urls)
        rows[kb] = {"pages": n, "search": "kb" if kb else "stock", "build_s": build_s, "build_cpu_s": rec.get("cpu_s", 0),
                    "build_load": rec.get("load", 0), "index_s": index_s, "index_bytes": index_size(out / "site", kb)}
    for i in range(args.loads):
        for kb in (False, True):
            for proto in ("http", "file"):
                key = (kb, proto)
                if isinstance(runs.get(key), str):
                    continue
                try:
                    # later queries: on the first load at a reader's pace, on the second as each answer shows
                    r = measure(browser, sites[kb][0], sites[kb][1], first, LATER if i < 2 else [], 1, proto == "file",
                                args.timeout, args.pause if i == 0 else 0)
                except Exception as exc:  # noqa: BLE001 - a timeout is the finding
                    runs[key] = f"{type(exc).__name__}: {str(exc)[:200]}"
                    continue
                runs.setdefault(key, []).append(r)
    for kb in (False, True):
        for proto in ("http", "file"):
            got = runs.get((kb, proto), [])
            rows[kb][proto] = {"error": got} if isinstance(got, str) else _combine(got)
        if n == max([x for x in args.pages if x <= 1000] or args.pages[:1]):
            rows[kb]["exact_title_first"] = exact_title_rate(browser, sites[kb][0], sites[kb][1], items)
        print(json.dumps(rows[kb], ensure_ascii=False), flush=True)
    rows[True]["kb_share"] = (rows[True]["build_s"] - rows[False]["build_s"]) / rows[False]["build_s"]
    rows[True]["index_share"] = rows[True]["index_s"] / rows[False]["build_s"]
    return [rows[False], rows[True]]


def _combine(runs: list[dict]) -> dict:
    """One figure per measurement from single-load runs (the first carries the later queries typed
    at a reader's pace, the second those typed as each answer shows)."""
    out = dict(runs[0])
    if len(runs) > 1:
        out["later_now_ms"], out["later_now_ms_max"] = runs[1]["later_ms"], runs[1]["later_ms_max"]
        out["later_now_bytes"] = runs[1]["later_bytes"]
    out["first_runs_ms"] = [r["first_ms"] for r in runs]
    out["first_ms"] = statistics.median(out["first_runs_ms"])
    out["typed_ms"] = statistics.median(r["typed_ms"] for r in runs)
    out["first_bytes"] = statistics.median(r["first_bytes"] for r in runs)
    out["outside"] = sum(r["outside"] for r in runs)
    out["first_found"] = all(r["first_found"] for r in runs)
    out["load"] = statistics.median(r["load"] for r in runs)
    return out


def _secs(r: dict) -> str:
    return "error" if "error" in r else f"{r['first_ms'] / 1000:.2f} s (load {r['load']:.1f})"


def print_table(rows: list[dict]) -> None:
    print("\n| pages | search | first result, http | first result, file:// | later query, median / max: typed "
          f"{PAUSE['ms'] / 1000:g} s after the answer, http / file:// | typed as the answer shows, http / file:// | "
          "bytes, first query | bytes, later query | index on disk | build | exact title first |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        h, f = r["http"], r["file"]
        build = f"{r['build_s']:.0f} s (CPU {r.get('build_cpu_s', 0):.0f} s, load {r.get('build_load', 0):.1f})"
        if "kb_share" in r:
            build += (f"; kb {r['kb_share'] * 100:+.0f} %, search index {r['index_s']:.1f} s = "
                      f"{r['index_share'] * 100:.1f} % of plain")
        et = f"{r['exact_title_first'] * 100:.0f} %" if "exact_title_first" in r else ""
        later = " / ".join("error" if "error" in x else f"{x['later_ms']:.0f} / {x['later_ms_max']:.0f} ms" for x in (h, f))
        now = " / ".join("error" if "error" in x else f"{x['later_now_ms']:.0f} / {x['later_now_ms_max']:.0f} ms"
                         if "later_now_ms" in x else "n/a" for x in (h, f))
        fb = "error" if "error" in h else f"{h['first_bytes'] / 1e3:,.0f} KB"
        lb = "error" if "error" in h else f"{h['later_bytes'] / 1e3:,.1f} KB"
        print(f"| {r['pages']:,} | {r['search']} | {_secs(h)} | {_secs(f)} | {later} | {now} | {fb} | {lb} | "
              f"{r['index_bytes'] / 1e6:.1f} MB | {build} | {et} |")


if __name__ == "__main__":
    raise SystemExit(main())
