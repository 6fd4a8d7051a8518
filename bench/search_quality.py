"""Search quality: known-item queries (bench/queries.py) through ``kb search`` (in process, one
index load, like ``kb search --batch``) and through the built site in headless Chromium, with
kb's Japanese override and with stock Material (``lang: ja``), side by side in one run.

    python bench/search_quality.py PROJECT [PROJECT...] [--no-site] [--site-max N]

PROJECT: a folder with mkdocs.yml, or a folder with docs/ and no mkdocs.yml (a plain Material
``language: ja`` config is generated, in a temp dir, never inside PROJECT). The CLI index is
always written in a temp dir. Prints recall@1 / recall@5 / MRR@5 per query kind.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from queries import KINDS, build_queries, pages_of, score  # noqa: E402

from kb_tools.config import load_config  # noqa: E402
from kb_tools.corpus import build_corpus  # noqa: E402
from kb_tools.search.index import build_index  # noqa: E402
from kb_tools.search.normalize import export_data, read_synonyms  # noqa: E402
from kb_tools.search.query import Searcher  # noqa: E402

PLAIN_YML = """\
site_name: bench
docs_dir: {docs}
theme:
  name: material
  language: ja
markdown_extensions:
  - toc:
      permalink: true
  - attr_list
"""


def temp_config(project: Path, tmp: Path) -> Path:
    """A mkdocs.yml in ``tmp`` pointing at PROJECT's docs (so .kb/index lands in tmp)."""
    src = project / "mkdocs.yml"
    if src.is_file():
        text = src.read_text(encoding="utf-8")
        m = re.search(r"^docs_dir:\s*(\S+)\s*$", text, re.M)
        docs = (project / (m.group(1) if m else "docs")).resolve()
        text = re.sub(r"^docs_dir:.*$", "", text, flags=re.M) + f"\ndocs_dir: {docs}\n"
    else:
        text = PLAIN_YML.format(docs=(project / "docs").resolve())
    (tmp / "mkdocs.yml").write_text(text, encoding="utf-8")
    return tmp / "mkdocs.yml"


def cli_ranked(cfg, corpus, queries: list[str]) -> tuple[list[list[str]], list[float], float]:
    t0 = time.perf_counter()
    rep = build_index(cfg, corpus)
    build_s = time.perf_counter() - t0
    out, times = [], []
    with Searcher(cfg) as s:
        for q in queries:
            t = time.perf_counter()
            res = s.search(q, limit=5)
            times.append(time.perf_counter() - t)
            out.append([h.path for h in res.hits])
    print(f"  kb index: {rep.pages} pages in {build_s:.1f} s, {rep.size_bytes / 1e6:.1f} MB", flush=True)
    return out, times, build_s


def table(name: str, results: dict[str, dict[str, tuple[float, float, float, int]]]) -> None:
    cols = list(results)
    print(f"\n### {name}: recall@1 / recall@5 / MRR@5 (n)\n")
    print("| kind | " + " | ".join(cols) + " |")
    print("| --- | " + " | ".join("---" for _ in cols) + " |")
    for kind in [*KINDS, "all"]:
        cells = []
        for c in cols:
            r = results[c].get(kind)
            cells.append(f"{r[0]:.2f} / {r[1]:.2f} / {r[2]:.2f} ({r[3]})" if r else "–")
        if any(c != "–" for c in cells):
            print(f"| {kind} | " + " | ".join(cells) + " |")


def run(project: Path, site: bool, site_max: int, show_misses: int) -> None:
    print(f"\n## {project}", flush=True)
    with tempfile.TemporaryDirectory(prefix="kb-quality-") as tmp:
        cfg = load_config(temp_config(project, Path(tmp)))
        corpus = build_corpus(cfg, use_cache=False)
        syn, _ = read_synonyms(cfg.data_path / "synonyms.yml")
        items, stats = build_queries(pages_of(corpus), syn)
        print(f"  {len(corpus.pages)} pages, {len(items)} queries ({stats})", flush=True)
        queries = [i.query for i in items]
        results = {}
        ranked, times, _ = cli_ranked(cfg, corpus, queries)
        times.sort()
        print(f"  kb search: median {times[len(times) // 2] * 1000:.1f} ms, "
              f"p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms", flush=True)
        results["kb search (CLI)"] = score([(i.kind, i.target, r) for i, r in zip(items, ranked)])
        misses = [(i, r) for i, r in zip(items, ranked) if i.target not in r[:5]]
        for i, r in misses[:show_misses]:
            print(f"  miss [{i.kind}] {i.query!r} → want {i.target}, got {r[:3]}")
        if site:
            try:
                from site_search import run_site_queries
            except ImportError as exc:
                print(f"  site: not measured (bench/site_search.py unavailable: {exc})")
                run_site_queries = None
            if run_site_queries is not None:
                sub = items[:site_max] if site_max else items
                sq = [i.query for i in sub]
                for label, ja in (("site + kb override", True), ("stock Material (lang: ja)", False)):
                    t0 = time.perf_counter()
                    try:
                        ranked_site = run_site_queries(project, sq, japanese_search=ja, limit=5)
                    except Exception as exc:  # noqa: BLE001 - report, keep the CLI figures
                        print(f"  {label}: not measured ({type(exc).__name__}: {exc})")
                        continue
                    print(f"  {label}: {len(sq)} queries in {time.perf_counter() - t0:.0f} s", flush=True)
                    results[label] = score([(i.kind, i.target, r) for i, r in zip(sub, ranked_site)])
                if site_max and site_max < len(items):
                    sub_cli = score([(i.kind, i.target, r) for i, r in zip(sub, ranked[:len(sub)])])
                    results[f"kb search, same {len(sub)} queries"] = sub_cli
        else:
            print("  site: not measured (--no-site)")
        table(project.name or str(project), results)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("projects", nargs="+", type=Path)
    ap.add_argument("--no-site", action="store_true", help="CLI only")
    ap.add_argument("--site-max", type=int, default=0, help="at most N queries through the browser")
    ap.add_argument("--show-misses", type=int, default=0)
    args = ap.parse_args(argv)
    for p in args.projects:
        run(p.resolve(), not args.no_site, args.site_max, args.show_misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
