"""Search speed: ``kb index`` cold on a generated corpus, a one-page update, index size, and
``kb search`` latency (warm: index built, process loaded, one query at a time through the batch
API) plus the end-to-end time of one ``kb search`` CLI call — side by side with two peers built
in the same run from the same page texts: a plain Whoosh CJK-bigram index (NgramTokenizer(2,2),
the usual recipe) and Whoosh's StandardAnalyzer, each searched with a MultifieldParser (OrGroup).

    python bench/search_speed.py [--pages 10000] [--peer-pages N] [--queries 300] [--corpus DIR]

Peers can be built on the first N pages only (``--peer-pages``) when their cold build is too
slow for the machine; the output says so and scales their build time linearly for the ratio.
Every figure is given as wall time and CPU time of this process (``time.process_time``): the
machine is shared, wall time is noisy; a cold build's CPU includes its worker processes.
``found@5`` is the share of the known-item queries (bench/queries.py) whose page is in the top 5.
With ``--peer-pages`` the peers get their own query sample drawn from their subset, and kb is
also indexed and searched on that same subset (the "kb on the peers' N pages" row) so that
found@5 compares like with like.
"""

from __future__ import annotations

import argparse
import copy
import os
import posixpath
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from queries import build_queries, pages_of  # noqa: E402
from whoosh import index as windex  # noqa: E402
from whoosh.analysis import NgramTokenizer, StandardAnalyzer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402
from whoosh.qparser import MultifieldParser, OrGroup  # noqa: E402

from kb_tools.config import load_config  # noqa: E402
from kb_tools.corpus import build_corpus  # noqa: E402
from kb_tools.search.document import page_document  # noqa: E402
from kb_tools.search.coldbuild import default_procs  # noqa: E402
from kb_tools.search.index import build_index, dir_size  # noqa: E402
from kb_tools.search.query import Searcher  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000


def peer(name: str, analyzer, docs: list[dict], queries: list[tuple[str, str]], tmp: Path) -> dict:
    schema = Schema(path=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer, field_boost=3.0),
                    headings=TEXT(analyzer=analyzer, field_boost=2.0), body=TEXT(analyzer=analyzer))
    d = tmp / name
    d.mkdir()
    ix = windex.create_in(str(d), schema)
    t0, c0 = time.perf_counter(), time.process_time()
    w = ix.writer(limitmb=128)
    for doc in docs:
        w.add_document(path=doc["path"], title=doc["title"], headings=doc["headings"], body=doc["body"])
    w.commit()
    build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    parser = MultifieldParser(["title", "headings", "body"], ix.schema, group=OrGroup)
    for plugin in list(parser.plugins):
        if type(plugin).__name__ in ("FieldsPlugin", "WildcardPlugin", "RangePlugin", "BoostPlugin"):
            parser.remove_plugin(plugin)
    times, found = [], 0
    paths = {doc["path"] for doc in docs}
    mine = [(q, t) for q, t in queries if t in paths]
    c0 = time.process_time()
    with ix.searcher() as s:
        for q, target in mine:
            t = time.perf_counter()
            res = s.search(parser.parse(q), limit=5)
            times.append(time.perf_counter() - t)
            found += any(r["path"] == target for r in res)
    cpu = (time.process_time() - c0) / max(len(mine), 1)
    return {"build": build, "build_cpu": build_cpu, "size": dir_size(d), "median": pct(times, 0.5),
            "p95": pct(times, 0.95), "cpu": cpu * 1000, "n": len(docs), "found": found / max(len(mine), 1),
            "nq": len(mine)}


def _children_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


def kb_subset(work: Path, corpus, subset: set[str], sample: list[tuple[str, str]]) -> dict:
    """kb's index and search on the same page subset as the peers (a second project root)."""
    root = work.parent / "site-subset"
    root.mkdir()
    (root / "mkdocs.yml").write_text((work / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    cfg = load_config(root / "mkdocs.yml")
    sub = copy.copy(corpus)
    sub.pages = {p: pg for p, pg in corpus.pages.items() if p in subset}
    t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
    rep = build_index(cfg, sub)
    build, build_cpu = time.perf_counter() - t0, time.process_time() - c0 + _children_cpu() - k0
    times, found = [], 0
    with Searcher(cfg) as s:
        c0 = time.process_time()
        for q, target in sample:
            t = time.perf_counter()
            res = s.search(q, limit=5)
            times.append(time.perf_counter() - t)
            found += any(h.path == target for h in res.hits)
        cpu = (time.process_time() - c0) / max(len(sample), 1)
    return {"build": build, "build_cpu": build_cpu, "size": rep.size_bytes, "median": pct(times, 0.5),
            "p95": pct(times, 0.95), "cpu": cpu * 1000, "n": len(sub.pages), "found": found / max(len(sample), 1),
            "nq": len(sample)}


from kbchild import KB_ENV, timed_child  # noqa: E402 - beside this file


def one_page_updates(work: Path, path: Path, original: bytes, runs: int = 3) -> list[tuple[float, float, float]]:
    """(wall s, CPU s, peak MB) of ``kb index`` CLI processes, each after one page changed."""
    kb = str(Path(sys.executable).parent / "kb")
    subprocess.run([kb, "--version"], env=KB_ENV, capture_output=True, check=False)  # bytecode, once
    out = []
    try:
        for i in range(runs):
            path.write_bytes(original + f"\n追記 {i}: 検索速度の計測用の一文。\n".encode())
            out.append(timed_child([kb, "--no-progress", "-q", "index"], work))
    finally:
        path.write_bytes(original)
        subprocess.run([kb, "--no-progress", "-q", "index"], cwd=work, env=KB_ENV, capture_output=True, check=False)
    return out


def machine() -> str:
    import platform


    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"Whoosh {'.'.join(map(str, __import__('whoosh').__version__))}, load average {load:.1f} at start")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--peer-pages", type=int, default=0, help="build peers on the first N pages only")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--corpus", type=Path, help="an existing generated corpus (else generated in a temp dir)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-speed-") as tmp_s:
        tmp = Path(tmp_s)
        corpus_dir = args.corpus
        if corpus_dir is None:
            corpus_dir = tmp / "corpus"
            subprocess.run([sys.executable, str(REPO / "bench" / "corpus.py"), str(corpus_dir),
                            "--pages", str(args.pages), "--seed", str(args.seed)], check=True, capture_output=True)
        work = tmp / "site"
        work.mkdir()
        text = (corpus_dir / "mkdocs.yml").read_text(encoding="utf-8")
        (work / "mkdocs.yml").write_text(text.replace("docs_dir: docs", "") + f"\ndocs_dir: {corpus_dir.resolve() / 'docs'}\n",
                                         encoding="utf-8")
        cfg = load_config(work / "mkdocs.yml")
        corpus = build_corpus(cfg)
        n = len(corpus.pages)
        print(f"corpus: {n} pages ({corpus_dir})", flush=True)
        print(machine(), flush=True)
        t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
        rep = build_index(cfg, corpus)
        cold, cold_cpu, kids = time.perf_counter() - t0, time.process_time() - c0, _children_cpu() - k0
        cold_cpu += kids
        print(f"kb index cold: {cold:.1f} s wall, {cold_cpu:.1f} s CPU ({kids:.1f} s of it in "
              f"{default_procs(n) - 1} worker process(es)), index {rep.size_bytes / 1e6:.1f} MB"
              + (f"; target <= 300 s at 50,000 pages: {'met' if cold <= 300 else 'NOT met'}" if n >= 50000 else ""), flush=True)
        # one-page update: change one file, re-parse (cached) and update
        ordinary = sorted(p for p in corpus.pages if posixpath.basename(p) != "index.md")
        victim = ordinary[len(ordinary) // 2]  # an ordinary page (the start page links to every page: its own row)
        path = cfg.docs_dir / victim
        original = path.read_bytes()
        try:
            path.write_bytes(original + "\n追記: 検索速度の計測用の一文。\n".encode())
            t0 = time.perf_counter()
            corpus2 = build_corpus(cfg)
            parse_s = time.perf_counter() - t0
            t1, c1 = time.perf_counter(), time.process_time()
            rep2 = build_index(cfg, corpus2)
            upd, upd_cpu = time.perf_counter() - t1, time.process_time() - c1
        finally:
            path.write_bytes(original)
        print(f"kb index one-page update: {upd:.2f} s wall / {upd_cpu:.2f} s CPU index write ({rep2.updated} updated) "
              f"+ {parse_s:.2f} s corpus re-scan; index {rep2.size_bytes / 1e6:.1f} MB", flush=True)
        for label, rel in ((victim, victim), ("index.md, linked to every page", "index.md")):
            if rel not in corpus.pages:
                continue
            page_file = cfg.docs_dir / rel
            e2e = one_page_updates(work, page_file, page_file.read_bytes())
            med = sorted(r[0] for r in e2e)[len(e2e) // 2]
            print(f"kb index one-page update end to end ({label}; one `kb index` process after it changed, {len(e2e)} runs): "
                  f"median {med:.2f} s wall, CPU {sorted(r[1] for r in e2e)[len(e2e) // 2]:.2f} s, "
                  f"peak {max(r[2] for r in e2e):.0f} MB; target <= 1 s: {'met' if med <= 1.0 else 'NOT met'} "
                  f"(load average {os.getloadavg()[0]:.1f})", flush=True)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process so far (corpus + cold index build, workers not included): {peak:.0f} MB",
              flush=True)
        items, _ = build_queries(pages_of(corpus))
        rnd = random.Random(args.seed)
        sample = [(i.query, i.target) for i in rnd.sample(items, min(args.queries, len(items)))]
        queries = [q for q, _ in sample]
        times, found = [], 0
        with Searcher(cfg) as s:
            for q in [i.query for i in rnd.sample(items, min(20, len(items)))]:
                s.search(q, limit=5)  # load the index files (OS cache), not these queries' postings
            c0 = time.process_time()
            for q, target in sample:
                t = time.perf_counter()
                res = s.search(q, limit=5)
                times.append(time.perf_counter() - t)
                found += any(h.path == target for h in res.hits)
            cpu = (time.process_time() - c0) / len(sample)
            cold_pl = []
            for q in queries[:100]:
                s.clear_caches()  # no decoded posting list or page feature kept from earlier queries
                t = time.perf_counter()
                s.search(q, limit=5)
                cold_pl.append(time.perf_counter() - t)
        print(f"kb search, caches cleared before each query (100 queries): median {pct(cold_pl, 0.5):.1f} ms, "
              f"p95 {pct(cold_pl, 0.95):.1f} ms", flush=True)
        ours = {"build": cold, "build_cpu": cold_cpu, "size": rep.size_bytes, "median": pct(times, 0.5),
                "p95": pct(times, 0.95), "cpu": cpu * 1000, "n": n, "found": found / len(sample), "nq": len(sample)}
        cli = []
        for q in queries[:5]:
            t = time.perf_counter()
            subprocess.run([str(Path(sys.executable).parent / "kb"), "-q", "search", "--no-update", "--format", "json",
                            "--limit", "5", q], cwd=work, check=True, capture_output=True)
            cli.append(time.perf_counter() - t)
        print(f"kb search end to end (one CLI process per query, --no-update, 5 queries): "
              f"median {pct(cli, 0.5):.0f} ms, max {max(cli) * 1000:.0f} ms", flush=True)
        docs = [page_document(corpus, corpus.pages[p]) for p in sorted(corpus.pages)]
        rows = {"kb (bigram + normaliser + rerank)": ours}
        peer_sample = sample
        if args.peer_pages and args.peer_pages < n:
            docs = docs[:args.peer_pages]
            subset = {d["path"] for d in docs}
            sub_items = [i for i in items if i.target in subset]
            peer_sample = [(i.query, i.target) for i in rnd.sample(sub_items, min(args.queries, len(sub_items)))]
            rows[f"kb on the peers' {len(docs)} pages"] = kb_subset(work, corpus, subset, peer_sample)
        print(f"peers on {len(docs)} pages{' (subset: --peer-pages)' if len(docs) < n else ''}", flush=True)
        rows["plain Whoosh bigram"] = peer("bigram", NgramTokenizer(2, 2), docs, peer_sample, tmp)
        rows["Whoosh StandardAnalyzer"] = peer("standard", StandardAnalyzer(), docs, peer_sample, tmp)
        print(f"\n| index | pages | cold build s (wall / CPU) | size MB | queries | median ms | p95 ms | CPU ms/query "
              "| found@5 |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, r in rows.items():
            print(f"| {name} | {r['n']} | {r['build']:.1f} / {r['build_cpu']:.1f} | {r['size'] / 1e6:.1f} | {r['nq']} "
                  f"| {r['median']:.1f} | {r['p95']:.1f} | {r['cpu']:.1f} | {r['found']:.2f} |")
        for peer_name in ("plain Whoosh bigram", "Whoosh StandardAnalyzer"):
            b = rows[peer_name]
            scale = n / b["n"]
            print(f"ratios kb / {peer_name}: build CPU {ours['build_cpu'] / (b['build_cpu'] * scale):.2f}"
                  f"{' (peer build scaled linearly to ' + str(n) + ' pages)' if scale != 1 else ''}, "
                  f"p95 {ours['p95'] / b['p95']:.2f}, CPU/query {ours['cpu'] / b['cpu']:.2f}"
                  f"{' (peer searched ' + str(b['n']) + ' pages)' if scale != 1 else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
