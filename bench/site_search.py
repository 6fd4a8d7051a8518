"""Site search in a real browser: Material's own search UI and worker, with or without kb's
Japanese override.

``run_site_queries(project_dir, queries, japanese_search, limit=5)`` builds the MkDocs project at
project_dir (its mkdocs.yml through ``INHERIT``, or a plain Material ``language: ja`` site when it
has none, e.g. ../shared/corpora/ja-fastapi) into a temp dir, serves it on 127.0.0.1, types every
query into Material's search box in headless Chromium and returns the ranked pages (docs-relative
``.md`` paths) per query. ``japanese_search=False`` is stock Material with ``search: {lang: ja}``.

``python bench/site_search.py`` (main) measures, at 100 / 1,000 / 5,000 generated pages, the
search index size and the time from page load to the first result, stock vs kb side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parent.parent
MKDOCS = str(Path(sys.executable).with_name("mkdocs"))
CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

HOOK = '''\
"""Bench hook: records page url -> source path; installs kb's search override when asked."""
import json, os
from kb_tools.search import site as kb_site

ON = os.environ.get("KB_BENCH_JA") == "1"
URLS = {}

def on_config(config):
    if ON:
        kb_site.configure(config)
    return config

def on_page_context(context, page, config, nav):
    URLS[page.url] = page.file.src_uri
    return context

def on_post_build(config):
    if ON:
        kb_site.post_build(config)
    with open(os.environ["KB_BENCH_URLMAP"], "w", encoding="utf-8") as f:
        json.dump(URLS, f, ensure_ascii=False)
'''

PLAIN_YML = """\
site_name: bench
theme:
  name: material
  language: ja
  font: false
markdown_extensions:
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - attr_list
  - admonition
  - pymdownx.superfences
  - pymdownx.details
  - pymdownx.tabbed:
      alternate_style: true
"""

# Counts the search worker's RESULT messages (type 3) so a query's answer is known to be rendered.
INIT_SCRIPT = """
(() => {
  const Native = window.Worker;
  window.__kbResults = 0; window.__kbReady = 0; window.__kbT0 = performance.now();
  window.Worker = class extends Native {
    constructor(...a) {
      super(...a);
      this.addEventListener("message", ev => {
        if (ev.data && ev.data.type === 1) window.__kbReady = performance.now();
        if (ev.data && ev.data.type === 3) { window.__kbResults++; window.__kbLast = performance.now(); }
      });
    }
  };
})();
"""


def build_site(project_dir: Path, out: Path, japanese_search: bool) -> dict[str, str]:
    """Build project_dir into out/site; returns {page url: src path}."""
    from mkdocs.utils.yaml import yaml_load

    project_dir = project_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    src_yml = project_dir / "mkdocs.yml"
    plugins: list = [{"search": {"lang": "ja"}}]
    child: dict = {
        "site_dir": str(out / "site"),
        "plugins": plugins,
        "hooks": [str(out / "kb_bench_hook.py")],
        "strict": False,
    }
    if src_yml.is_file():
        with open(src_yml, encoding="utf-8") as f:
            parent = yaml_load(f) or {}
        child["INHERIT"] = str(src_yml)
        child["docs_dir"] = str((project_dir / parent.get("docs_dir", "docs")).resolve())
        theme = parent.get("theme") or {}
        if isinstance(theme, dict) and theme.get("custom_dir"):
            child["theme"] = {"custom_dir": str((project_dir / theme["custom_dir"]).resolve())}
    else:
        child["docs_dir"] = str(project_dir / "docs")
    lines = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in child.items())
    yml = lines if src_yml.is_file() else PLAIN_YML + lines
    (out / "kb_bench_hook.py").write_text(HOOK, encoding="utf-8")
    cfg = out / "mkdocs.yml"
    cfg.write_text(yml, encoding="utf-8")
    env = dict(os.environ, KB_BENCH_JA="1" if japanese_search else "0", KB_BENCH_URLMAP=str(out / "urls.json"))
    res = subprocess.run([MKDOCS, "build", "-q", "-f", str(cfg)], cwd=project_dir, env=env,
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"mkdocs build failed for {project_dir}:\n{res.stderr[-3000:]}")
    return json.loads((out / "urls.json").read_text(encoding="utf-8"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def to_src(href: str, base: str, urls: dict[str, str]) -> str | None:
    path = unquote(urlparse(href).path)
    root = unquote(urlparse(base).path)
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


def _ask(page, query: str, timeout_ms: int = 15000) -> list[str]:
    n = page.evaluate("window.__kbResults")
    page.fill("input[data-md-component=search-query]", query)
    page.dispatch_event("input[data-md-component=search-query]", "keyup")  # Material listens to keyup
    if query.strip():
        page.wait_for_function(f"window.__kbResults > {n}", timeout=timeout_ms)
    return page.evaluate(RESULTS_JS)


def query_page(browser, base: str, urls: dict[str, str], queries: list[str], limit: int) -> tuple[list[list[str]], float]:
    """Run queries through Material's search box; returns (ranked src paths, ms to first result)."""
    ctx = browser.new_context()
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
              else route.abort())  # no request to any other host
    ctx.add_init_script(INIT_SCRIPT)
    page = ctx.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(base, wait_until="domcontentloaded")
        page.click("input[data-md-component=search-query]", timeout=30000)
        page.wait_for_function("window.__kbReady > 0", timeout=120000)
        probe = queries[0] if queries else "設定"
        hrefs = _ask(page, probe, timeout_ms=120000)
        first_ms = (time.perf_counter() - t0) * 1000
        out: list[list[str]] = []
        last_q: str | None = None
        last: list[str] = []
        for q in queries:
            if q != last_q:
                if q != probe or last_q is not None:
                    hrefs = _ask(page, q)
                ranked: list[str] = []
                for h in hrefs:
                    src = to_src(h, base, urls) if h else None
                    if src and src not in ranked:
                        ranked.append(src)
                last, last_q = ranked[:limit], q
            out.append(list(last))
        return out, first_ms
    finally:
        ctx.close()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def run_site_queries(project_dir: Path, queries: list[str], japanese_search: bool, limit: int = 5,
                     browser: object | None = None) -> list[list[str]]:
    """Ranked docs-relative .md paths per query, from the built site's search in Chromium."""
    with tempfile.TemporaryDirectory(prefix="kb-site-search-") as tmp:
        urls = build_site(Path(project_dir), Path(tmp), japanese_search)
        with serve(Path(tmp) / "site") as base:
            if browser is not None:
                return query_page(browser, base, urls, queries, limit)[0]
            with chromium() as b:
                return query_page(b, base, urls, queries, limit)[0]


def _size(site: Path) -> tuple[int, int]:
    import gzip

    data = (site / "search" / "search_index.json").read_bytes()
    return len(data), len(gzip.compress(data, 6))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, nargs="*", default=[100, 1000, 5000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--queries", nargs="*", default=["サーバー 設定", "ﾈｯﾄﾜｰｸ", "ＡＷＳ"])
    args = ap.parse_args(argv)
    rows = []
    with chromium() as browser, tempfile.TemporaryDirectory(prefix="kb-site-bench-") as tmp:
        for n in args.pages:
            corpus = Path(tmp) / f"c{n}"
            subprocess.run([sys.executable, str(REPO / "bench" / "corpus.py"), str(corpus), "--pages", str(n),
                            "--seed", str(args.seed)], check=True, capture_output=True)
            for ja in (False, True):
                out = Path(tmp) / f"b{n}{int(ja)}"
                t = time.perf_counter()
                urls = build_site(corpus, out, ja)
                build_s = time.perf_counter() - t
                raw, gz = _size(out / "site")
                with serve(out / "site") as base:
                    try:
                        res, first_ms = query_page(browser, base, urls, args.queries, 5)
                        hits = sum(1 for r in res if r)
                    except Exception as exc:  # a timeout here is the finding: the index is unusable
                        first_ms, hits = float("nan"), f"error: {type(exc).__name__}"
                rows.append((n, "kb" if ja else "stock", raw, gz, first_ms, build_s, hits))
                print(f"{n:>6} pages  {'kb' if ja else 'stock':5}  index {raw / 1e6:7.2f} MB ({gz / 1e6:6.2f} MB gzip)"
                      f"  first result {first_ms / 1000:7.2f} s  build {build_s:6.1f} s  queries with hits {hits}",
                      flush=True)
    print("\n| pages | search | search_index.json | gzip | page load → first result |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for n, kind, raw, gz, ms, _b, _h in rows:
        print(f"| {n:,} | {kind} | {raw / 1e6:.1f} MB | {gz / 1e6:.2f} MB | {ms / 1000:.1f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
