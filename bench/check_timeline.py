#!/usr/bin/env python3
"""The timeline of one cold `kb check`: where the main process spends its time and CPU.

    python bench/check_timeline.py CORPUS            # CORPUS: a folder with mkdocs.yml (bench/corpus.py)
    python bench/check_timeline.py CORPUS --runs 3   # medians of the phases
    python bench/check_timeline.py CORPUS --serial   # one process (os.cpu_count = 1): no workers
    python bench/check_timeline.py CORPUS --edit index.md --runs 5   # the one-page re-check

Each run is a child process (bytecode as an installed kb has it, bench/kbchild.py) that removes
CORPUS/.kb, wraps the loader's and the checker's phases with timestamps and runs `kb check
--format json`. Printed per run: wall and main-process CPU at each mark (start-up, each chunk's
results arriving, the parse's end, the caches, the checks, the report) and the workers' CPU;
then the phases — start-up before the workers, the parse (main-process CPU during it), the tail
after it — with the load average before the run. With ``--edit PAGE`` the run is a re-check
after PAGE (under docs/) changed: the cache is brought up to date first, a line is appended to
PAGE, the timed run keeps .kb, then PAGE is restored (and the cache with it). The wall times are noisy on a shared machine:
compare CPU, and run peers side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kbchild import KB_ENV  # noqa: E402 - beside this file

CHILD = r'''
import json, os, resource, shutil, sys, time
T0, C0 = time.perf_counter(), time.process_time()
marks = []
def mark(name):
    marks.append((name, time.perf_counter() - T0, time.process_time() - C0))
os.chdir(sys.argv[1])
if sys.argv[4] == "cold":
    shutil.rmtree(".kb", ignore_errors=True)
if sys.argv[2] == "serial":
    os.cpu_count = lambda: 1
import kb_tools.cli as cli
mark("import cli")
import kb_tools.commands._shared as shared, kb_tools.config as config_mod
mark("import commands")
import kb_tools.corpus as corpus_mod, kb_tools.pageparse as pp, kb_tools.checks.engine as eng
import kb_tools.parse.cache as pc, kb_tools.checks.pagerun as pr, kb_tools.replay as rp
mark("imports")
def wrap(owner, attr, name):
    fn = getattr(owner, attr, None)
    if fn is None:
        return
    def wrapped(*a, **k):
        mark(name + " >")
        try:
            return fn(*a, **k)
        finally:
            mark(name + " <")
    setattr(owner, attr, wrapped)
for owner, attr, name in ((rp, "replay", "replay"), (config_mod, "load_config", "config"),
                          (corpus_mod, "build_corpus", "corpus"),
                          (rp, "snapshot_for_store", "walk (manifest)"), (corpus_mod, "excluded_paths", "exclude_docs"),
                          (corpus_mod, "load_registry", "registry"), (corpus_mod, "_parse_all", "parse"),
                          (pc.ParseCache, "save", "parse cache save"),
                          (eng, "run_checks", "run_checks"), (pr.PageRunner, "run", "page records"),
                          (pr.PageRunner, "run_site", "site passes"), (pr.PageRunner, "save", "findings save"),
                          (rp, "store", "manifest store")):
    wrap(owner, attr, name)
tell = pp._tell  # the page job's meanwhile() and arrived(batch, said), called in this process
def on_tell(job, method, *args):
    if method == "arrived":
        mark(f"chunk of {len(args[0])} arrived")
        return tell(job, method, *args)
    mark(method + " >")
    try:
        return tell(job, method, *args)
    finally:
        mark(method + " <")
pp._tell = on_tell
try:
    cli.run(["--no-progress", "check", "--format", "json"])  # (the report to stdout: the manifest is stored)
except SystemExit:
    pass
mark("end")
t = os.times()
with open(sys.argv[3], "w") as f:
    json.dump({"marks": marks, "workers_cpu": t.children_user + t.children_system,
               "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, f)
'''


def _kb_check(corpus: Path) -> None:
    subprocess.run([sys.executable, "-c", "import sys; from kb_tools.cli import run; run(sys.argv[1:])",
                    "--no-progress", "check", "--format", "json"], cwd=corpus, env=KB_ENV,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def one_run(corpus: Path, serial: bool, edit: str | None = None) -> dict:
    import tempfile

    page = corpus / "docs" / edit if edit else None
    original = page.read_bytes() if page else b""
    if page:
        _kb_check(corpus)  # the cache up to date before the edit
        page.write_bytes(original + f"\n追記した段落 {time.time_ns()}。\n".encode())
    load = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "timeline.json"
            subprocess.run([sys.executable, "-c", CHILD, str(corpus), "serial" if serial else "workers", str(out),
                            "edit" if page else "cold"],
                           env=KB_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            res = json.loads(out.read_text(encoding="utf-8"))
    finally:
        if page:
            page.write_bytes(original)
            _kb_check(corpus)
    res["load"] = load
    at = {name: (t, c) for name, t, c in res["marks"]}
    start, end = at.get("parse >", (0.0, 0.0)), at.get("parse <", (0.0, 0.0))
    fin = at["end"]
    res["phases"] = {"start-up": start, "parse": (end[0] - start[0], end[1] - start[1]),
                     "tail": (fin[0] - end[0], fin[1] - end[1]), "total": fin}
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--serial", action="store_true", help="parse in one process (no workers)")
    ap.add_argument("--edit", metavar="PAGE", help="time the re-check after PAGE (under docs/) changed")
    args = ap.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parent.parent / "kb_tools")],
                   env=KB_ENV, stdout=subprocess.DEVNULL)
    runs = [one_run(args.corpus, args.serial, args.edit) for _ in range(args.runs)]
    for i, res in enumerate(runs, 1):
        print(f"run {i} (load {res['load']:.1f}): wall s / main-process CPU s")
        for name, t, c in res["marks"]:
            print(f"  {name:28s} {t:7.3f}  {c:7.3f}")
        print(f"  workers' CPU {res['workers_cpu']:.2f} s, main process peak {res['peak_mb']:.0f} MB")
    print("\nphase (median of %d)        wall s   main CPU s" % len(runs))
    for phase in ("start-up", "parse", "tail", "total"):
        print(f"  {phase:26s} {statistics.median(r['phases'][phase][0] for r in runs):7.3f}  "
              f"{statistics.median(r['phases'][phase][1] for r in runs):7.3f}")
    print(f"  workers' CPU {statistics.median(r['workers_cpu'] for r in runs):.2f} s; load "
          + "/".join(f"{r['load']:.1f}" for r in runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
