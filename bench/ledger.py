#!/usr/bin/env python3
"""What the system ledger costs: kb check and the kb plugin's build, with and without a ledger.

    python bench/ledger.py                                   # 10,000 pages, 2,000 systems
    python bench/ledger.py --pages 1000 --systems 200 --build-pages 1000

Two corpora from bench/corpus.py with the same seed: identical pages, except that the second
has ``_data/systems.yml`` (N systems) and names systems in some pages' front matter. Runs, side
by side and interleaved: ``kb check --no-cache`` (cold) on each, and ``mkdocs build`` with the kb
plugin on smaller copies (``--build-pages``). Prints wall and CPU seconds (the child's user+sys)
and the ledger's extra cost in percent (target: at most 5 %). CPU is the better figure on a
shared machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import corpus as gen  # noqa: E402 - the project's own generator, beside this file

PLUGIN = "  - kb:\n      data_dir: _data\n"


def run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one command; fails loudly on a crash."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty build must not block on it
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} exited {code}: {err.read().decode('utf-8', 'replace')[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime


def make(root: Path, pages: int, seed: int, systems: int) -> Path:
    gen.generate(root, pages, seed, systems)
    yml = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(yml.replace("plugins:\n  - search:\n      lang: ja\n",
                                                 "plugins:\n  - search:\n      lang: ja\n" + PLUGIN), encoding="utf-8")
    return root


def kb() -> list[str]:
    exe = shutil.which("kb", path=str(Path(sys.executable).parent)) or shutil.which("kb")
    return [exe] if exe else [sys.executable, "-m", "kb_tools.cli"]


def measure(label: str, cmds: dict[str, tuple[list[str], Path]], runs: int) -> None:
    got: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, (cmd, cwd) in cmds.items():  # interleaved: both see the same machine load
            shutil.rmtree(cwd / ".kb", ignore_errors=True)
            got[name].append(run(cmd, cwd))
    base, led = got["without ledger"], got["with ledger"]
    for name, rows in got.items():
        print(f"{label:<28} {name:<16} wall {statistics.median(r[0] for r in rows):7.2f} s   "
              f"CPU {statistics.median(r[1] for r in rows):7.2f} s   (median of {runs})")
    for i, what in ((0, "wall"), (1, "CPU")):
        a, b = statistics.median(r[i] for r in base), statistics.median(r[i] for r in led)
        print(f"{label:<28} ledger's extra {what}: {100 * (b - a) / a:+.1f} %  (target ≤ +5 %)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--systems", type=int, default=2000)
    ap.add_argument("--build-pages", type=int, default=1000, help="pages of the corpora built with mkdocs (0: skip)")
    ap.add_argument("--build-systems", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-ledger-") as tmp:
        t = Path(tmp)
        plain, ledger = make(t / "plain", a.pages, a.seed, 0), make(t / "ledger", a.pages, a.seed, a.systems)
        print(f"{a.pages} pages; ledger of {a.systems} systems; machine: {os.cpu_count()} cores (shared, noisy)")
        measure("kb check --no-cache", {"without ledger": (kb() + ["check", "--no-cache", "-qq"], plain),
                                        "with ledger": (kb() + ["check", "--no-cache", "-qq"], ledger)}, a.runs)
        if a.build_pages:
            bp = make(t / "bplain", a.build_pages, a.seed, 0)
            bl = make(t / "bledger", a.build_pages, a.seed, a.build_systems)
            mk = [sys.executable, "-m", "mkdocs", "build", "-q", "-d"]
            print(f"build: {a.build_pages} pages; ledger of {a.build_systems} systems (ledger pages generated)")
            measure("mkdocs build + kb plugin", {"without ledger": (mk + [str(t / "site-a")], bp),
                                                 "with ledger": (mk + [str(t / "site-b")], bl)}, a.runs)


if __name__ == "__main__":
    main()
