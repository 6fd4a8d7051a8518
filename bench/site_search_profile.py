"""Where a site-search answer's time goes, in a built site (headless Chromium, cache disabled).

    python bench/site_search_profile.py SITE_DIR PROJECT_DIR [--first QUERY] [--file] [--client] [--start PAGE]

Loads SITE_DIR's home page (``--start``: another page of it) over loopback http (``--file``: from file://) with the client's debug
marks on (``self.__kbSearchDebug``: ``performance.mark("kb:…")`` at each stage), types ``--first``
at the load event, then each later query of bench/site_search.py, and prints per query a
timeline in ms after it was typed: every search file requested (start, response end, bytes), its
callback having run (evaluation done), the decode of each term's postings, ranking and
rendering, and the frame after the answer. ``--client`` first rewrites SITE_DIR's client script
from the current sources (PROJECT_DIR's house dictionary), without touching the index.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))
import site_search as ss  # noqa: E402 - beside this file

DEBUG_JS = "self.__kbSearchDebug = true;"
TIMELINE_JS = """(t0) => {
  const out = [];
  for (const e of performance.getEntriesByType('resource')) {
    if (!/kb-search\\//.test(e.name) || e.startTime < t0 - 1) continue;
    out.push({at: e.startTime - t0, end: e.responseEnd - t0, what: 'file ' + e.name.replace(/^.*kb-search\\//, ''),
              bytes: e.encodedBodySize || e.decodedBodySize || 0});
  }
  for (const m of performance.getEntriesByType('mark')) {
    if (!m.name.startsWith('kb:') || m.startTime < t0 - 1) continue;
    out.push({at: m.startTime - t0, what: m.name.slice(3)});
  }
  out.sort((a, b) => a.at - b.at);
  return out;
}"""


METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "LayoutCount",
           "RecalcStyleCount", "Nodes")


def metrics(cdp: object) -> dict[str, float]:
    got = cdp.send("Performance.getMetrics")["metrics"]  # type: ignore[attr-defined]
    return {m["name"]: m["value"] for m in got}


def rewrite_client(site: Path, project: Path) -> None:
    from kb_tools.config import load_config
    from kb_tools.search.normalize import export_data
    from kb_tools.site import search_glue

    data = export_data(load_config(project / "mkdocs.yml"))
    (site / search_glue.CLIENT).write_text(search_glue.client_source(data), encoding="utf-8")


def timeline(s: ss.Session, t0: float, painted: float) -> list[str]:
    rows = s.page.evaluate(TIMELINE_JS, t0)
    lines = []
    for r in rows:
        end = f" → {r['end']:7.1f}  {r['bytes'] / 1e3:6.1f} KB" if "end" in r else ""
        lines.append(f"  {r['at']:7.1f}{end}  {r['what']}")
    lines.append(f"  {painted:7.1f}  frame after the answer")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("project", type=Path)
    ap.add_argument("--first", default="")
    ap.add_argument("--file", action="store_true")
    ap.add_argument("--client", action="store_true")
    ap.add_argument("--later", nargs="*", default=ss.LATER)
    ap.add_argument("--pause", type=float, default=0, help="ms between an answer and the next query (default: none)")
    ap.add_argument("--url", default="", help="the site served elsewhere at this URL (else: served here)")
    ap.add_argument("--start", default="", help="the page to load, relative to the site (default: the home page)")
    args = ap.parse_args(argv)
    if args.client:
        rewrite_client(args.site, args.project)
    print(f"load average {os.getloadavg()[0]:.2f}")
    with ss.chromium() as browser:
        cm = None
        if args.url:
            base = args.url
        elif args.file:
            base = (args.site / "index.html").as_uri()
        else:
            cm = ss.serve(args.site)
            base = cm.__enter__()
        try:
            page = base
            if args.start:
                page = (args.site / args.start).as_uri() if args.file and not args.url else base + args.start
            s = ss.Session(browser, base, page, type_at_load=args.first or None, timing=True, intercept=False)
            s.ctx.add_init_script(DEBUG_JS)
            if args.first:
                t = s.first_answer()
                nav = s.page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
                print(f"first query {args.first!r}: painted {t['painted']:.1f} ms after loadEventEnd "
                      f"(typed at +{t['typed']:.1f})")
                print("\n".join(timeline(s, 0, t["painted"] + nav)))
            else:
                s.page.goto(page, wait_until="load")
            cdp = s.ctx.new_cdp_session(s.page)
            cdp.send("Performance.enable")
            for q in args.later:
                if args.pause:
                    s.page.wait_for_timeout(args.pause)
                m0 = metrics(cdp)
                t = s.timed(q)
                m1 = metrics(cdp)
                typed = s.page.evaluate("() => window.__kbBench.typed")
                print(f"later {q!r}: painted {t['painted']:.1f} ms (answer {t['answer']:.1f}); main thread: " +
                      ", ".join(f"{k} {(m1[k] - m0[k]) * (1000 if 'Duration' in k else 1):.0f}" for k in METRICS))
                print("\n".join(timeline(s, typed, t["painted"])))
            s.close()
        finally:
            if cm is not None:
                cm.__exit__(None, None, None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
