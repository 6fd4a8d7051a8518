"""`mkdocs build` with the kb plugin vs without, side by side on one generated corpus.

    python bench/build.py [--pages 1000] [--seed 1] [--repeats 3] [--prune-pages 200]

Generates a corpus with bench/corpus.py into bench/out/ (ignored by git), writes
four copies of its mkdocs.yml (plain; + kb; + kb with japanese_search; + kb without
generated pages) and builds each
`--repeats` times in turn (alternating, after one warm-up each), printing the median wall time
and the ratio to the plain build. The kb plugin's first build with an empty parse cache is
reported separately (cold). With `--prune-pages N` > 0 it also builds an N-page corpus with and
without Material's `navigation.prune` and prints the site sizes (a 1,000-page site without
prune is ~450 MB and slow, so it is measured on a smaller corpus).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GEN = HERE / "corpus.py"  # the project's own deterministic generator
MKDOCS = [sys.executable, "-m", "mkdocs"]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KB_TODAY": "2026-11-26"}


def generate(out: Path, pages: int, seed: int) -> None:
    if (out / "mkdocs.yml").is_file() and (out / ".pages").read_text() == f"{pages} {seed}":
        return
    if out.exists():
        shutil.rmtree(out)
    subprocess.run([sys.executable, str(GEN), str(out), "--pages", str(pages), "--seed", str(seed)],
                   check=True, capture_output=True)
    (out / ".pages").write_text(f"{pages} {seed}")


def variant(root: Path, name: str, plugin: str | None, prune: bool = True) -> Path:
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    if plugin:
        text = text.replace("plugins:\n  - search:\n      lang: ja\n", f"plugins:\n  - search:\n      lang: ja\n{plugin}")
        assert plugin in text, "corpus.py's mkdocs.yml changed: update bench/build.py"
    if not prune:
        text = text.replace("  features:\n    - navigation.prune\n", "")
    text = text.replace("site_dir: site\n", f"site_dir: site-{name}\n")
    path = root / f"mkdocs-{name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


CPU: dict[str, list[float]] = {}


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def build(cfg: Path) -> float:
    """Wall seconds of one `mkdocs build`; its CPU seconds (with its workers) go to CPU[cfg.name]."""
    c0 = _children_cpu()
    t0 = time.perf_counter()
    res = subprocess.run([*MKDOCS, "build", "-q", "-f", str(cfg)], env=ENV, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(f"build failed for {cfg.name}:\n{res.stderr[-2000:]}")
    CPU.setdefault(cfg.name, []).append(_children_cpu() - c0)
    return dt


def size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--prune-pages", type=int, default=200, help="corpus size for the prune/no-prune size check (0: skip)")
    args = ap.parse_args()

    root = HERE / "out" / f"build-{args.pages}-{args.seed}"
    generate(root, args.pages, args.seed)
    variants = {
        "plain": variant(root, "plain", None),
        "kb": variant(root, "kb", "  - kb:\n      japanese_search: false\n"),
        "kb+search": variant(root, "kb+search", "  - kb:\n      japanese_search: true\n"),
        # the adapter and the checks alone, without the generated dashboards and tag index
        "kb-no-pages": variant(root, "kb-no-pages", "  - kb:\n      japanese_search: false\n      generated_pages: false\n"),
    }
    shutil.rmtree(root / ".kb", ignore_errors=True)
    print(f"corpus: {args.pages} pages (seed {args.seed}), {os.cpu_count()} CPUs, mkdocs build, median of {args.repeats}")
    cold = build(variants["kb"])
    times: dict[str, list[float]] = {k: [] for k in variants}
    for name, cfg in variants.items():  # warm-up (imports, page cache)
        build(cfg)
    CPU.clear()
    for _ in range(args.repeats):
        for name, cfg in variants.items():
            times[name].append(build(cfg))
    base = statistics.median(times["plain"])
    cpu_base = statistics.median(CPU[variants["plain"].name])
    print("wall time is what a user waits; CPU time (user+sys of mkdocs and its workers) is far less")
    print("disturbed by other processes on a shared machine, so the CPU ratio is the better figure here.")
    print(f"{'variant':<12} {'wall s':>8} {'runs':>20} {'ratio':>7} {'CPU s':>8} {'CPU ratio':>10}")
    for name, ts in times.items():
        med = statistics.median(ts)
        cpu = statistics.median(CPU[variants[name].name])
        runs = " ".join(f"{t:.1f}" for t in ts)
        print(f"{name:<12} {med:8.2f} {runs:>20} {med / base:7.3f} {cpu:8.2f} {cpu / cpu_base:10.3f}")
    print(f"kb (cold parse cache, first build): {cold:.2f} s ({cold / base:.3f} x plain)")
    print(f"site size: plain {size_mb(root / 'site-plain'):.1f} MB, kb {size_mb(root / 'site-kb'):.1f} MB")

    if args.prune_pages > 0:
        small = HERE / "out" / f"build-{args.prune_pages}-{args.seed}"
        generate(small, args.prune_pages, args.seed)
        with_prune = variant(small, "prune", None, prune=True)
        without = variant(small, "noprune", None, prune=False)
        t1, t2 = build(with_prune), build(without)
        s1, s2 = size_mb(small / "site-prune"), size_mb(small / "site-noprune")
        print(f"navigation.prune at {args.prune_pages} pages: with {s1:.1f} MB / {t1:.1f} s, "
              f"without {s2:.1f} MB / {t2:.1f} s ({s2 / s1:.1f}x size)")


if __name__ == "__main__":
    main()
