"""Compile the message catalogs (kb_tools/locale/*/LC_MESSAGES/kb.po -> .mo) when building.

Everything else is in pyproject.toml. The .mo files are not in git: this hook writes them into
the build (or, for an editable install, beside the .po), and kb_tools.i18n compiles a missing
or outdated one on first use.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent


def _i18n():  # loaded by path: the package itself is not importable before it is built
    spec = importlib.util.spec_from_file_location("_kb_i18n", HERE / "kb_tools" / "i18n.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


class BuildPyWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        i18n = _i18n()
        if getattr(self, "editable_mode", False):
            i18n.compile_all()
        else:
            i18n.compile_all(Path(self.build_lib) / "kb_tools" / "locale")


setup(cmdclass={"build_py": BuildPyWithCatalogs})
