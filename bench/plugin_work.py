#!/usr/bin/env python3
"""The kb plugin's own work per build, without MkDocs: what ``on_files`` does (load the corpus,
generate the pages under ``kb/``, run the checks), cold and then as rebuilds — for corpus sizes
where a full ``mkdocs build`` is out of reach (50,000 pages) and to see the generated pages'
share.

    python bench/plugin_work.py CORPUS_DIR [--today 2026-11-26] [--repeats 3]

Phases "cold", "next build, nothing changed" and "next build, one page changed" each run in a
fresh process (the caches under .kb/ are shared, as between two ``mkdocs build``); "kb serve
rebuild" runs in one process that stays loaded, as ``kb serve`` does, and edits one page before
each rebuild. Every figure is the median of ``--repeats`` runs: wall and CPU seconds of the
plugin's work (imports excluded), the generated pages' part of it, peak RSS, and which parts of
the generated pages were rendered again (the rest replayed from the cache). The load average is
printed with each phase: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from kbchild import KB_ENV  # beside this file

REPO = Path(__file__).resolve().parent.parent

CHILD = r"""
import datetime, os, resource, sys, time
from pathlib import Path
from kb_tools.config import load_config
from kb_tools.corpus import build_corpus
from kb_tools.checks.engine import run_checks
from kb_tools.site.pages import generate

cfg = load_config(sys.argv[1])
today = datetime.date.fromisoformat(sys.argv[2])
victim = Path(sys.argv[3]) if len(sys.argv) > 3 else None
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 1
use_cache = os.environ.get("KB_BENCH_GENERATED_CACHE", "1") == "1"


def work():
    t0, c0 = time.perf_counter(), time.process_time()
    corpus = build_corpus(cfg)
    t1, c1 = time.perf_counter(), time.process_time()
    pages = generate(corpus, today, use_cache=use_cache)
    t2, c2 = time.perf_counter(), time.process_time()
    corpus.generated.update(pages)
    result = run_checks(corpus, today=today)
    t3, c3 = time.perf_counter(), time.process_time()
    rendered = ",".join(corpus.stats.get("generated_rendered", [])) or "-"
    print(f"{t3 - t0:.3f} {c3 - c0:.3f} {t2 - t1:.3f} {c2 - c1:.3f} "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} {len(result.findings)} {rendered}", flush=True)


if victim is None:
    work()
else:  # kb serve: one process, one page edited before each rebuild
    original = victim.read_bytes()
    try:
        work()  # the first build of the session
        for i in range(rounds):
            victim.write_bytes(original + f"\n追記した段落 {i}。\n".encode())
            work()
    finally:
        victim.write_bytes(original)
"""

HEADER = (f"{'phase (plugin work, no MkDocs)':<36} {'wall s':>7} {'CPU s':>7} {'gen wall':>8} {'gen CPU':>8} "
          f"{'peak MB':>8} {'findings':>8}  parts rendered   load")


def _env() -> dict[str, str]:
    env = dict(KB_ENV)
    env["PYTHONPATH"] = str(REPO)
    return env


def _run(args: list[str]) -> list[list[str]]:
    out = subprocess.run([sys.executable, "-c", CHILD, *args], env=_env(), capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines() if line.strip()]


def _print(name: str, rows: list[list[str]]) -> None:
    def med(i: int) -> float:
        return statistics.median(float(r[i]) for r in rows)

    parts = sorted({r[6] for r in rows})
    print(f"{name:<36} {med(0):7.2f} {med(1):7.2f} {med(2):8.3f} {med(3):8.3f} {med(4):8.0f} {rows[0][5]:>8}  "
          f"{'/'.join(parts):<16} {os.getloadavg()[0]:.1f}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--today", default="2026-11-26")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cold-repeats", type=int, help="cold runs (default: --repeats); each parses every page")
    ap.add_argument("--no-generated-cache", action="store_true",
                    help="render the generated pages every build (the figure before the cache)")
    args = ap.parse_args()
    if args.no_generated_cache:
        os.environ["KB_BENCH_GENERATED_CACHE"] = "0"
    cfg = str(args.corpus / "mkdocs.yml")
    docs = sorted(p for p in (args.corpus / "docs").rglob("*.md") if "_data" not in p.parts)
    victim = docs[len(docs) // 2]
    print(f"corpus: {len(docs)} pages ({args.corpus}); machine: {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}; median of {args.repeats}; generated pages "
          f"{'rendered every build' if args.no_generated_cache else 'cached by their inputs'}")
    print(HEADER)
    cold = []
    for _ in range(args.cold_repeats or args.repeats):
        shutil.rmtree(args.corpus / ".kb", ignore_errors=True)
        cold += _run([cfg, args.today])
    _print(f"cold (no caches), {args.cold_repeats or args.repeats} run(s)", cold)
    _print("next build, nothing changed", [r for _ in range(args.repeats) for r in _run([cfg, args.today])])
    original = victim.read_bytes()
    rows = []
    try:
        for i in range(args.repeats):
            victim.write_bytes(original + f"\n追記した段落 {i}。\n".encode())
            rows += _run([cfg, args.today])
    finally:
        victim.write_bytes(original)
    _print("next build, one page changed", rows)
    serve = _run([cfg, args.today, str(victim), str(args.repeats)])
    _print("kb serve rebuild, one page changed", serve[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
