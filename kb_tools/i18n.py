"""One message catalog for everything a person reads (DESIGN §12): stdlib gettext, domain ``kb``.

Source strings are English msgids; ``kb_tools/locale/{ja,en}/LC_MESSAGES/kb.po`` hold the
translations (``en`` is the identity). The ``.mo`` files are compiled at build/install time
(``setup.py``) and, when one is missing or older than its ``.po`` (a fresh clone, an editable
install), compiled here on first use; if the package folder is read-only the catalog is
compiled in memory instead. Messages with values use named placeholders:
``_("link '{target}' points outside the docs folder").format(target=t)``.

The language follows ``theme.language`` in mkdocs.yml, overridden by ``KB_LANG`` and then by
``kb --lang``. A language without a catalog falls back to English. Codes, dotted rule names and
JSON keys never go through the catalog.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from kb_tools._io import atomic_write

DOMAIN = "kb"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("ja", "en")
DEFAULT = "en"

# "t": the catalog of "lang", loaded on the first message (None until then): a command sets the
# language twice (the shell's, then mkdocs.yml's theme.language) and loads only the one it uses.
_state: dict[str, object] = {"lang": DEFAULT, "t": _gettext.NullTranslations()}
_loaded: dict[str, _gettext.NullTranslations] = {}


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a msgid for extraction; it is translated later, where it is shown."""
    return message


def _(message: str) -> str:
    t = _state["t"]
    return (t if t is not None else _catalog()).gettext(message)  # type: ignore[attr-defined, no-any-return]


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def _catalog() -> _gettext.NullTranslations:
    t = _state["t"]
    if t is None:
        t = _state["t"] = translations(str(_state["lang"]))
    return t  # type: ignore[return-value]


def normalize(lang: str | None) -> str | None:
    """``ja``, ``ja_JP.UTF-8``, ``JA-jp`` -> ``ja``; ``None`` for a language without a catalog."""
    if not lang:
        return None
    base = str(lang).strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    return base if base in LANGUAGES else None


def current_language() -> str:
    return str(_state["lang"])


def set_language(lang: str | None) -> str:
    """Use ``lang`` from now on (unknown or missing -> English); returns the language set."""
    code = normalize(lang) or DEFAULT
    _state["lang"] = code
    _state["t"] = _loaded.get(code)  # else loaded by the first message (_catalog)
    return code


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Use ``lang`` inside the block, then the language before it (generated site pages are in
    the site's ``theme.language`` whatever the reader's shell says)."""
    before = current_language()
    code = set_language(lang)
    try:
        yield code
    finally:
        set_language(before)


def choose(cli: str | None = None, env: str | None = None, theme: str | None = None) -> str:
    """The language to use: ``--lang``, else ``KB_LANG``, else ``theme.language``, else English.

    An option given but unknown means English (it does not fall through to the next source).
    """
    for value in (cli, env, theme):
        if value:
            return normalize(value) or DEFAULT
    return DEFAULT


def env_language() -> str | None:
    return os.environ.get("KB_LANG") or None


def translations(lang: str) -> _gettext.NullTranslations:
    if lang not in _loaded:
        _loaded[lang] = _load(lang)
    return _loaded[lang]


def _load(lang: str) -> _gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if po.is_file() and (not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime):
        try:
            data = compile_po(po)
        except Exception:  # noqa: BLE001 - a broken catalog must not stop kb: English instead
            return _gettext.NullTranslations()
        try:
            atomic_write(mo, data)
        except OSError:  # read-only install: use the catalog compiled in memory
            return _gettext.GNUTranslations(io.BytesIO(data))
    if not mo.is_file():
        return _gettext.NullTranslations()
    with open(mo, "rb") as f:
        return _gettext.GNUTranslations(f)


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of one ``.po`` catalog (Babel's reader and writer)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as f:
        catalog = read_po(f, locale=po.parent.parent.name, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_all(dest: Path | None = None) -> list[Path]:
    """Compile every catalog (into ``dest``'s locale tree, default the package's own)."""
    written = []
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        target = (dest / po.relative_to(LOCALE_DIR)) if dest else po
        target = target.with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(compile_po(po))
        written.append(target)
    return written
