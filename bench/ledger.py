#!/usr/bin/env python3
"""What the system ledger costs: kb check and the kb plugin's build, with and without a ledger.

    python bench/ledger.py --workdir /tmp/BRANCH            # 10,000 pages, 2,000 systems; build 1,000
    python bench/ledger.py --pages 1000 --systems 200 --build-pages 200 --runs 5

Two corpora from bench/corpus.py with the same seed: identical pages, except that the second
has ``_data/systems.yml`` (N systems) and names systems in some pages' front matter. Runs, side
by side and interleaved, each cold (no ``.kb``): ``kb check --no-cache`` on each, and ``mkdocs
build`` with the kb plugin on smaller copies (``--build-pages``). Prints every run with the load
average, then medians: wall and CPU seconds (the child's user+sys, workers included) and the
ledger's extra cost in percent beside the target (at most 5 %). For the check it also prints the
kb process's own CPU apart from its parse workers' (the ledger is read and checked in the main
process; the workers parse the same pages either way), for the build the CPU spent in the kb
plugin's hooks apart from MkDocs, the theme and the search plugin (which render the ledger's
generated pages). CPU is the better figure on a shared machine; on a loaded one the workers'
CPU alone varies by ±10 % between identical runs.
"""

from __future__ import annotations

import argparse
import json
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


PROBE = """
import json, resource, sys, time
from mkdocs.commands.build import build
from mkdocs.config import load_config
from kb_tools.site.plugin import KbPlugin
spent = [0.0]
def cpu():
    r, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime
def timed(fn):
    def wrapper(*a, **k):
        t = cpu()
        try:
            return fn(*a, **k)
        finally:
            spent[0] += cpu() - t
    return wrapper
for name in dir(KbPlugin):
    if name.startswith("on_") and callable(getattr(KbPlugin, name)):
        setattr(KbPlugin, name, timed(getattr(KbPlugin, name)))
build(load_config("mkdocs.yml", site_dir=sys.argv[1]))
open(sys.argv[2], "w").write(json.dumps({"plugin_cpu": spent[0]}))
"""


CHECK = """
import json, resource, sys
from kb_tools.cli import main
try:
    main(["check", "--no-cache", "-qq"])
except SystemExit:
    pass
me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(json.dumps({"main_cpu": me.ru_utime + me.ru_stime,
                                         "workers_cpu": workers.ru_utime + workers.ru_stime}))
"""


def check_cmd(out: Path) -> list[str]:
    """``kb check --no-cache -qq`` (the command's own function) in a child that notes its own CPU
    apart from its parse workers' in ``out``: the ledger's work is all in the main process."""
    return [sys.executable, "-c", CHECK, str(out)]


def build_cmd(site: Path, out: Path) -> list[str]:
    """``mkdocs build`` in a child that also notes the CPU spent in the kb plugin's event hooks
    (its own work: corpus, checks, generated pages, per-page view) in ``out``."""
    return [sys.executable, "-c", PROBE, str(site), str(out)]


def pct(a: float, b: float) -> str:
    return f"{100 * (b - a) / a:+.1f} %"


def measure(label: str, cmds: dict[str, tuple[list[str], Path]], runs: int,
            probes: dict[str, Path] | None = None) -> None:
    """Runs each command ``runs`` times, interleaved (both see the same machine load); prints
    each run, the medians and the ledger's extra cost beside the target."""
    got: dict[str, list[tuple[float, float, float | None]]] = {k: [] for k in cmds}
    part = "kb plugin CPU" if label.startswith("mkdocs") else "kb process (not its workers) CPU"
    for n in range(runs):
        for name, (cmd, cwd) in cmds.items():
            shutil.rmtree(cwd / ".kb", ignore_errors=True)  # cold: no parse cache, no cached ledger
            wall, cpu = run(cmd, cwd)
            own = None
            if probes:
                data = json.loads(probes[name].read_text())
                own = data.get("plugin_cpu", data.get("main_cpu"))
            got[name].append((wall, cpu, own))
            extra = f"   {part} {own:6.2f} s" if own is not None else ""
            print(f"  run {n + 1} {label:<26} {name:<15} wall {wall:7.2f} s   CPU {cpu:7.2f} s{extra}"
                  f"   load {os.getloadavg()[0]:.1f}", flush=True)
    med = {name: [statistics.median(r[i] for r in rows) if rows[0][i] is not None else None for i in range(3)]
           for name, rows in got.items()}
    for name, (wall, cpu, own) in med.items():
        extra = f"   {part} {own:6.2f} s   the rest {cpu - own:6.2f} s" if own is not None else ""
        print(f"{label:<28} {name:<15} median wall {wall:7.2f} s   CPU {cpu:7.2f} s{extra}")
    (aw, ac, ap), (bw, bc, bp) = med["without ledger"], med["with ledger"]
    print(f"{label:<28} ledger's extra: wall {pct(aw, bw)}, CPU {pct(ac, bc)} (median of {runs}; target ≤ +5 %)")
    if ap is not None and bp is not None:
        rest = "MkDocs and the theme rendering the ledger's pages" if label.startswith("mkdocs") else \
            "the parse workers (same pages; noise)"
        print(f"{label:<28} of which {part.replace(' CPU', '')}: {bp - ap:+.2f} s CPU ({100 * (bp - ap) / ac:+.1f} % of the "
              f"total without ledger; target ≤ +5 %), {rest}: {(bc - bp) - (ac - ap):+.2f} s CPU "
              f"({100 * ((bc - bp) - (ac - ap)) / ac:+.1f} %)")


def corpora(work: Path, pages: int, seed: int, systems: int, tag: str) -> tuple[Path, Path]:
    """The two corpora (without and with a ledger), generated once per parameters under ``work``."""
    out = []
    for name, n in (("plain", 0), ("ledger", systems)):
        root = work / f"{tag}-{name}-{pages}p-{n}s-seed{seed}"
        stamp = root / ".generated"
        if not stamp.is_file():
            shutil.rmtree(root, ignore_errors=True)
            make(root, pages, seed, n)
            stamp.write_text("ok\n")
        out.append(root)
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--systems", type=int, default=2000)
    ap.add_argument("--build-pages", type=int, default=1000, help="pages of the corpora built with mkdocs (0: skip)")
    ap.add_argument("--build-systems", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None,
                    help="keep the generated corpora here (e.g. /tmp/BRANCH); default: a temporary folder")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-ledger-") as tmp:
        t = Path(tmp)
        work = a.workdir or t
        work.mkdir(parents=True, exist_ok=True)
        print(f"machine: {os.cpu_count()} cores (shared, noisy); load average {os.getloadavg()[0]:.1f}")
        if a.pages:
            plain, ledger = corpora(work, a.pages, a.seed, a.systems, "check")
            print(f"kb check cold: {a.pages} pages; ledger of {a.systems} systems")
            probes = {"without ledger": t / "check-a.json", "with ledger": t / "check-b.json"}
            measure("kb check --no-cache", {"without ledger": (check_cmd(probes["without ledger"]), plain),
                                            "with ledger": (check_cmd(probes["with ledger"]), ledger)}, a.runs, probes)
        if a.build_pages:
            bp, bl = corpora(work, a.build_pages, a.seed, a.build_systems, "build")
            print(f"mkdocs build: {a.build_pages} pages; ledger of {a.build_systems} systems (its pages generated)")
            probes = {"without ledger": t / "probe-a.json", "with ledger": t / "probe-b.json"}
            measure("mkdocs build + kb plugin",
                    {"without ledger": (build_cmd(t / "site-a", probes["without ledger"]), bp),
                     "with ledger": (build_cmd(t / "site-b", probes["with ledger"]), bl)}, a.runs, probes)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
