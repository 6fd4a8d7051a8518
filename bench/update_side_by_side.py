"""One-page ``kb index`` (or ``kb check``) runs of several kb builds, interleaved in one run.

    python bench/update_side_by_side.py --docs DOCS --runs 5 \\
        before=/path/to/old/kb:/tmp/x/work-old  after=.venv/bin/kb:/tmp/x/work-new  [--command check]

Each variant is ``NAME=KB_EXECUTABLE:WORK_DIR``; every work dir holds a ``mkdocs.yml`` whose
``docs_dir`` is DOCS (the same pages for all) and its own ``.kb`` (index and caches, built once
before the run). For each run and page (an ordinary page, the middle one in path order, and
``index.md``, which links to every page of a generated corpus), each variant in turn: the page
gets one more paragraph, one ``kb`` process runs (timed: wall, and CPU of the child), the page
is put back and ``kb`` runs again (not timed) so the next run starts from the same state.
Prints the medians, every run, and the load average: on a shared machine compare variants of
the same run, not runs of different times.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import subprocess
import sys
from pathlib import Path

from kbchild import KB_ENV as ENV, timed_child  # noqa: E402 - beside this file


def pages(docs: Path) -> dict[str, str]:
    rels = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md") if "_data" not in p.parts)
    ordinary = [r for r in rels if posixpath.basename(r) != "index.md"]
    return {"ordinary page": ordinary[len(ordinary) // 2], "index.md": "index.md"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variants", nargs="+", help="NAME=KB_EXECUTABLE:WORK_DIR")
    ap.add_argument("--docs", type=Path, required=True, help="the docs folder every work dir's mkdocs.yml names")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--command", default="index", choices=["index", "check"])
    args = ap.parse_args(argv)
    variants = []
    for v in args.variants:
        name, _, rest = v.partition("=")
        kb, _, work = rest.rpartition(":")
        variants.append((name, kb, work))
    cmd_tail = ["--no-progress", "-q", args.command]
    for _name, kb, work in variants:  # caches and bytecode in step with the pages as they are
        subprocess.run([kb, *cmd_tail], cwd=work, env=ENV, capture_output=True, check=False)
    chosen = pages(args.docs)
    results: dict[tuple[str, str], list[tuple[float, float]]] = {(n, k): [] for n, _, _ in variants for k in chosen}
    loads = []
    for i in range(args.runs):
        for label, rel in chosen.items():
            for name, kb, work in variants:
                path = args.docs / rel
                original = path.read_bytes()
                try:
                    path.write_bytes(original + f"\n追記 {i}: 計測用の一文。\n".encode())
                    results[(name, label)].append(timed_child([kb, *cmd_tail], work)[:2])
                finally:
                    path.write_bytes(original)
                    subprocess.run([kb, *cmd_tail], cwd=work, env=ENV, capture_output=True, check=False)
        loads.append(os.getloadavg()[0])
    print(f"kb {args.command}, one page changed, {args.runs} runs per variant and page ({chosen['ordinary page']} "
          f"and index.md), interleaved")
    for (name, label), runs in results.items():
        walls, cpus = sorted(r[0] for r in runs), sorted(r[1] for r in runs)
        print(f"{name:>10} {label:14}: median {walls[len(walls) // 2]:.2f} s wall, {cpus[len(cpus) // 2]:.2f} s CPU"
              f"  (walls {' '.join(f'{w:.2f}' for w in walls)}; CPU {' '.join(f'{c:.2f}' for c in cpus)})")
    print(f"load average during the runs: {min(loads):.1f}-{max(loads):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
