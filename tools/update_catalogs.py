"""Extract the kb domain's msgids and merge them into the catalogs (like ``pybabel update``).

    python tools/update_catalogs.py            # rewrite kb_tools/locale/*/LC_MESSAGES/kb.po
    python tools/update_catalogs.py --check    # exit 1 when a catalog lacks a msgid

Msgids come from two places: the code (Babel's Python extractor with babel.cfg: ``_()``,
``N_()``, ``ngettext()``) and the rule documentation (``declare(doc=...)``, translated at
display time, so it is taken from the registry). Existing translations are kept; a new msgid
gets an empty ``ja`` entry (to be written by a person) and the identity in ``en``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "kb_tools" / "locale"


def extract() -> dict[str, list[tuple[str, int]]]:
    """Every msgid with where it is used."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    out: dict[str, list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
            str(ROOT), method_map, options_map, keywords={"_": None, "N_": None, "ngettext": (1, 2)}):
        msgid = message if isinstance(message, str) else message[0]
        out.setdefault(msgid, []).append((filename, lineno))
    sys.path.insert(0, str(ROOT))
    import kb_tools.checks
    from kb_tools.checks.registry import all_rules

    for info in all_rules():
        if info.doc:
            out.setdefault(info.doc, []).append((f"rule {info.code} {info.name}", 0))
    del kb_tools
    return out


def _read(lang: str) -> Catalog:
    po = LOCALE / lang / "LC_MESSAGES" / "kb.po"
    if po.is_file():
        with open(po, "rb") as f:
            return read_po(f, locale=lang, domain="kb")
    return Catalog(locale=lang, domain="kb", project="kb-tools")


def update(msgids: dict[str, list[tuple[str, int]]], lang: str, extra: dict[str, str] | None = None) -> Catalog:
    old = _read(lang)
    new = Catalog(locale=lang, domain="kb", project="kb-tools", fuzzy=False)
    for msgid in sorted(msgids):
        prev = old.get(msgid)
        text = (extra or {}).get(msgid) or (prev.string if prev is not None else "")
        if lang == "en":
            text = msgid
        new.add(msgid, text, locations=sorted(set(msgids[msgid])))
    return new


def main(argv: list[str]) -> int:
    msgids = extract()
    if "--check" in argv:
        missing = {lang: [m for m in msgids if not (_read(lang).get(m) and _read(lang).get(m).string)]
                   for lang in ("ja", "en")}
        for lang, ms in missing.items():
            for m in ms:
                print(f"{lang}: missing {m!r}")
        return 1 if any(missing.values()) else 0
    for lang in ("ja", "en"):
        cat = update(msgids, lang)
        po = LOCALE / lang / "LC_MESSAGES" / "kb.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        with open(po, "wb") as f:
            write_po(f, cat, width=100, sort_output=True)
    print(f"{len(msgids)} msgids")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
