#!/usr/bin/env python3
"""The kb plugin's share of one `mkdocs build`, timed inside the build: every KbPlugin hook and
MkDocs' own work on the generated pages (``_populate_page`` / ``_build_page`` of pages with
``generated_by``) as process CPU, plus importing the plugin. Run it on a mkdocs.yml with the kb
plugin, and on the same project without it, interleaved (bench/build.py makes such variants):

    python bench/plugin_share.py path/to/mkdocs-kb.yml

Prints the build's total process CPU and wall time, each part, and kb's share in per cent
(wall time on a shared machine is noisy; this share is not, as it is CPU within one process).
"""
import sys, time, collections, functools
c_start = time.process_time()
import mkdocs.plugins, mkdocs.config, mkdocs.structure.files, mkdocs.exceptions  # noqa: E401 - plain has these
c_mk = time.process_time()
from kb_tools.site import plugin as P
c_kb = time.process_time()
import mkdocs.commands.build as B
acc = collections.Counter(); calls = collections.Counter()
def timed(owner, name, key):
    fn = getattr(owner, name)
    @functools.wraps(fn)
    def w(*a, **k):
        c = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            kk = key(a, k) if callable(key) else key
            acc[kk] += time.process_time() - c; calls[kk] += 1
    setattr(owner, name, w)
for name in dir(P.KbPlugin):
    if name.startswith("on_"):
        timed(P.KbPlugin, name, "kb." + name)
def gen_key(prefix):
    return lambda a, k: prefix + (" generated" if (a[0].file.generated_by if a else k["page"].file.generated_by) else " docs")
timed(B, "_populate_page", gen_key("populate"))
timed(B, "_build_page", gen_key("build_page"))
t0 = time.perf_counter()
from mkdocs.__main__ import cli
try:
    cli(["build", "-q", "-f", sys.argv[1]])
except SystemExit:
    pass
total = time.process_time()
print(f"total process CPU {total:.2f} s (wall {time.perf_counter()-t0:.1f}); import kb_tools.site.plugin {c_kb-c_mk:.2f} s", file=sys.stderr)
for k, v in sorted(acc.items()):
    print(f"  {k:<28} {v:7.2f} s  x{calls[k]}", file=sys.stderr)
kb = sum(v for k, v in acc.items() if k.startswith("kb.")) + sum(v for k, v in acc.items() if k.endswith("generated"))
print(f"  kb share (hooks + generated pages + import) {kb + c_kb - c_mk:.2f} s = {100*(kb + c_kb - c_mk)/total:.1f} % of the build", file=sys.stderr)
