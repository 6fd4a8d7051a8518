"""Cost of the secret scan in ``kb check``: the same corpus with and without it, side by side.

    python bench/secret_scan.py [--pages 10000] [--seed 1] [--corpus DIR] [--runs 1]

Each measurement runs ``kb check --format json`` in a fresh process (so parse workers start as
they do for users): cold (``--no-cache``: every page parsed and scanned) and warm (the parse
cache holds the pages and their scan results). The scan is switched off with
``KB_SECRETS_SCAN=0`` (read by kb_tools.analyzers.secrets.scan in every worker); the two variants use
separate cache folders so that neither warms the other. Prints seconds and the overhead ratio;
the target is <= 20 %.
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
GEN = HERE / "corpus.py"  # the project's own deterministic generator


def run(corpus: Path, scan: bool, cold: bool) -> tuple[float, dict[str, int]]:
    env = dict(os.environ, KB_SECRETS_SCAN="1" if scan else "0")
    args = [sys.executable, "-c", "from kb_tools.cli import main; main()", "--no-progress", "check", "--format", "json", "--exit-zero"]
    if cold:
        args.append("--no-cache")
    t0 = time.perf_counter()
    p = subprocess.run(args, cwd=corpus, env=env, capture_output=True, text=True, check=False)
    dt = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise SystemExit(f"kb check failed ({p.returncode}): {p.stderr[-2000:]}")
    doc = json.loads(p.stdout)
    counts: dict[str, int] = {}
    for f in doc["findings"]:
        if f["rule"].startswith("secret."):
            counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    return dt, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", type=Path, help="an existing generated corpus (folder with mkdocs.yml)")
    ap.add_argument("--runs", type=int, default=1, help="runs per variant (median reported)")
    a = ap.parse_args()
    tmp = None
    if a.corpus:
        base = a.corpus
    else:
        tmp = Path(tempfile.mkdtemp(prefix="kb-bench-secrets-"))
        base = tmp / "corpus"
        print(f"generating {a.pages} pages (seed {a.seed})…", file=sys.stderr)
        subprocess.run([sys.executable, str(GEN), str(base), "--pages", str(a.pages), "--seed", str(a.seed)],
                       check=True, capture_output=True)
    # two copies of the mkdocs.yml folder sharing docs/ through a symlink: separate .kb caches
    work = Path(tempfile.mkdtemp(prefix="kb-bench-secrets-run-"))
    dirs = {}
    for name in ("with", "without"):
        d = work / name
        d.mkdir()
        shutil.copy(base / "mkdocs.yml", d / "mkdocs.yml")
        (d / "docs").symlink_to((base / "docs").resolve())
        dirs[name] = d
    n_pages = sum(1 for _ in (base / "docs").rglob("*.md"))
    mb = sum(p.stat().st_size for p in (base / "docs").rglob("*.md")) / 1e6
    times: dict[tuple[str, str], list[float]] = {}
    counts: dict[str, int] = {}
    try:
        for _ in range(a.runs):
            for phase in ("cold", "warm"):
                # alternate the variants so that machine noise hits both alike
                for name in ("without", "with"):
                    if phase == "warm" and (name, "warm") not in times:
                        run(dirs[name], name == "with", cold=False)  # fill the cache
                    dt, c = run(dirs[name], name == "with", cold=phase == "cold")
                    times.setdefault((name, phase), []).append(dt)
                    if name == "with":
                        counts = c
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"kb check --format json on {n_pages} pages ({mb:.0f} MB), {os.cpu_count()} CPUs, median of {a.runs}")
    print(f"{'':8}{'without scan':>14}{'with scan':>12}{'overhead':>10}")
    for phase in ("cold", "warm"):
        wo = statistics.median(times[("without", phase)])
        w = statistics.median(times[("with", phase)])
        print(f"{phase:8}{wo:13.2f}s{w:11.2f}s{(w / wo - 1) * 100:9.1f}%")
    print("secret findings (with scan):", json.dumps(counts, sort_keys=True) if counts else "none")


if __name__ == "__main__":
    main()
