"""Benchmark: `kb review` and `kb handover` on a large knowledge base with a long git history.

    /work/venv/bin/python bench/continuity.py [--pages 10000] [--commits 50000] [--keep DIR]

Generates a corpus with bench/corpus.py, builds a git history of N commits with
`git fast-import` (one process, no `git commit` per commit: each commit edits one page, by an
author drawn from the roster, dates rising over five years), then times, as subprocesses:

  peer   `git log --no-renames --name-only` over docs (the floor any git-facts pass pays)
  review `kb review --format json`        cold (no .kb cache) and cached
  handover `kb handover 担当者A`          cold (no .kb cache: parse + one git log) and cached

Target: < 3 s each (the issue's number), on 10,000 pages / 50,000 commits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GEN = HERE / "corpus.py"  # the project's own deterministic generator
KB = Path(sys.executable).parent / "kb"
PEOPLE = ["担当者A", "担当者B", "担当者C", "担当者D", "担当者E", "担当者F", "担当者X", "担当者Y", "担当者Z"]


def build_history(root: Path, commits: int, seed: int) -> float:
    """A git repository over ``root`` with ``commits`` commits, via one `git fast-import`."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    files = sorted(p.relative_to(root).as_posix() for p in (root / "docs").rglob("*") if p.is_file())
    pages = [f for f in files if f.endswith(".md")]
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, env=env)
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=root, stdin=subprocess.PIPE, env=env)
    w = proc.stdin
    assert w is not None
    marks: dict[str, tuple[int, int]] = {}  # page -> (mark of original blob, mark of edited blob)
    mark = 0
    for f in files:
        data = (root / f).read_bytes()
        mark += 1
        w.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
        orig = mark
        if f.endswith(".md"):
            edited = data + "\n<!-- 改訂 -->\n".encode()
            mark += 1
            w.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(edited)) + edited + b"\n")
            marks[f] = (orig, mark)
        else:
            marks[f] = (orig, orig)
    start = dt.datetime(2021, 11, 26, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    span = 5 * 365 * 24 * 3600
    state: dict[str, int] = {}

    def commit(who: str, when: int, changes: list[bytes], msg: str) -> None:
        # fast-import continues refs/heads/main from its previous commit: no "from" needed
        ident = f"{who} <kb@example.invalid> {when} +0900".encode()
        m = msg.encode()
        w.write(b"commit refs/heads/main\nauthor " + ident + b"\ncommitter " + ident + b"\ndata %d\n" % len(m) + m + b"\n")
        for c in changes:
            w.write(c)
        w.write(b"\n")

    base = int(start.timestamp())
    first = [b"M 100644 :%d %s\n" % (marks[f][0], f.encode()) for f in files]
    commit("bot", base, first, "initial import")
    for n in range(2, commits + 1):
        p = rng.choice(pages)
        state[p] = 1 - state.get(p, 0)
        when = base + span * n // commits
        commit(rng.choice(PEOPLE), when, [b"M 100644 :%d %s\n" % (marks[p][state[p]], p.encode())], f"edit {n}")
    last = [b"M 100644 :%d %s\n" % (marks[p][0], p.encode()) for p, s in sorted(state.items()) if s]
    commit("bot", base + span + 60, last, "restore generated content")
    w.write(b"done\n")
    w.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "reset", "-q"], cwd=root, check=True, env=env)  # index = HEAD (files are already there)
    return time.perf_counter() - t0


def timed(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    t0 = time.perf_counter()
    res = subprocess.run(args, cwd=cwd, capture_output=True)
    return time.perf_counter() - t0, res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--commits", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="build (or reuse) the corpus and repository here")
    a = ap.parse_args()
    tmp = None
    if a.keep:
        root = a.keep
    else:
        tmp = Path(tempfile.mkdtemp(prefix="kb-continuity-"))
        root = tmp / "site"
    try:
        if not (root / ".git").is_dir():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, str(GEN), str(root), "--pages", str(a.pages), "--seed", str(a.seed)],
                           check=True, capture_output=True)
            print(f"corpus: {a.pages} pages generated in {time.perf_counter() - t0:.1f} s")
            print(f"history: {a.commits} commits via git fast-import in {build_history(root, a.commits, a.seed):.1f} s")
        n = int(subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True).stdout)
        print(f"repository: {n} commits; machine: {os.cpu_count()} cores (shared, noisy)")
        peer, _ = timed(["git", "-c", "core.quotepath=false", "log", "--no-renames", "--name-only",
                         "--format=%x1e%as%x09%an", "HEAD", "--", "docs/"], root)
        rows = [("peer: git log --name-only (raw)", peer)]
        for label, args in (("kb review", [str(KB), "review", "--format", "json", "--today", "2026-11-26"]),
                            ("kb handover 担当者A", [str(KB), "handover", "担当者A", "--today", "2026-11-26"])):
            shutil.rmtree(root / ".kb", ignore_errors=True)
            cold, res = timed(args, root)
            if res.returncode not in (0, 1):
                raise SystemExit(f"{label} failed: {res.stderr.decode()[-500:]}")
            warm, res2 = timed(args, root)
            assert res.stdout == res2.stdout, "cold and cached output differ"
            rows += [(f"{label} (cold)", cold), (f"{label} (cached)", warm)]
        print(f"\n{'command':<36} {'seconds':>8} {'x git log':>10} {'target 3 s':>11}")
        for label, s in rows:
            ok = "" if label.startswith("peer") else ("ok" if s < 3 else "OVER")
            print(f"{label:<36} {s:>8.2f} {s / peer:>10.2f} {ok:>11}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
