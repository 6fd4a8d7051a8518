"""kb imports Whoosh without urllib.request and asyncio (kb_tools/search/_whoosh.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import kb_tools

KB = Path(kb_tools.__file__).parent


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_whoosh_loads_without_urllib_request_and_asyncio(tmp_path) -> None:
    src = tmp_path / "src.txt"
    src.write_text("中身", encoding="utf-8")
    out = _python(f"""
import functools, sys
import kb_tools.search.query, kb_tools.search.index, kb_tools.search.coldbuild
print(sorted(m for m in ("urllib.request", "asyncio", "cached_property", "http.client") if m in sys.modules))
import whoosh.compat, whoosh.reading
print(whoosh.reading.cached_property is functools.cached_property)
import urllib.request  # the real package, imported afresh
print(urllib.request.__file__ is not None and hasattr(urllib.request, "urlopen"))
whoosh.compat.urlretrieve({src.as_uri()!r}, {str(tmp_path / "dest.txt")!r})  # the stand-in calls the real one
print(open({str(tmp_path / "dest.txt")!r}, encoding="utf-8").read())
""")
    assert out.split("\n")[:4] == ["[]", "True", "True", "中身"], out


def test_nothing_is_replaced_when_the_packages_are_loaded_first() -> None:
    out = _python("""
import urllib.request, cached_property
import kb_tools.search.query, whoosh.compat, whoosh.reading
print(whoosh.compat.urlretrieve is urllib.request.urlretrieve, whoosh.reading.cached_property is cached_property.cached_property)
""")
    assert out.split() == ["True", "True"], out


def test_every_module_importing_whoosh_imports_the_stand_ins_first() -> None:
    """A module importing Whoosh before ``_whoosh`` would load urllib.request and asyncio again."""
    first_whoosh = re.compile(r"^\s*(?:from whoosh[ .]|import whoosh)", re.M)
    for path in KB.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        m = first_whoosh.search(text)
        if m is None or path.name == "_whoosh.py":
            continue
        before = text[:m.start()]
        assert "from kb_tools.search import _whoosh" in before, f"{path.relative_to(KB)} imports whoosh before _whoosh"
