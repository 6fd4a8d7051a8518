"""The system ledger (``docs/_data/systems.yml``, 情報資産台帳): model and loader. Never raises.

Read through the one ``_data`` reader (:func:`kb_tools.datadir.load_data_file`, which keeps
lines and reports duplicate keys) and validated with the pydantic model declared once in
:mod:`kb_tools.schema`. Every problem is a ParseIssue of ``system.invalid`` or
``system.duplicate-id`` with its line; ``checks/systems.py`` turns them into findings.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb_tools.datadir import BAD_DATE, MAX_DATA_BYTES, LineDict, load_data_file
from kb_tools.i18n import _, current_language
from kb_tools.model import Page, ParseIssue

if TYPE_CHECKING:
    from kb_tools.schema import SystemModel

LEDGER_FILE = "systems.yml"
INVALID, DUPLICATE = "system.invalid", "system.duplicate-id"
LIVE_STATUSES = ("planned", "active", "migrating")
_REQUIRED = ("id", "name", "category", "owner", "status")


@dataclass(slots=True)
class System:
    id: str
    name: str
    category: str
    owner: str
    status: str
    deputy: str | None = None
    tier: str | None = None
    hosting: str | None = None
    vendor: str | None = None
    contract_number: str | None = None
    contract_start: _dt.date | None = None
    contract_end: _dt.date | None = None
    notice_days: int = 180  # the entry's own, or the plugin default
    support_end: _dt.date | None = None
    runbooks: dict[str, str] = field(default_factory=dict)
    notes: str | None = None
    line: int = 1
    lines: dict[str, int] = field(default_factory=dict)  # field -> line ("contract.end" for nested)

    def line_of(self, key: str) -> int:
        return self.lines.get(key) or self.lines.get(key.split(".")[0]) or self.line

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def review_by(self) -> _dt.date | None:
        """contract.end − notice_days (契約更新前の見直し), for a system still in use."""
        if not self.live or self.contract_end is None:
            return None
        return self.contract_end - _dt.timedelta(days=self.notice_days)


@dataclass
class Ledger:
    present: bool = False  # the file exists (even a broken one)
    path: str = "_data/" + LEDGER_FILE
    systems: list[System] = field(default_factory=list)
    by_id: dict[str, System] = field(default_factory=dict)
    known_ids: dict[str, int] = field(default_factory=dict)  # id -> line, even of invalid entries
    issues: list[ParseIssue] = field(default_factory=list)
    loaded: bool = False  # the file was read and had the right shape

    def pages_of(self) -> dict[str, list[System]]:
        """Runbook path -> systems that list it."""
        out: dict[str, list[System]] = {}
        for s in self.systems:
            for p in s.runbooks.values():
                out.setdefault(normalise(p), []).append(s)
        return out


@functools.lru_cache(maxsize=100_000)  # runbook paths repeat across systems; bounded under `mkdocs serve`
def normalise(path: str) -> str:
    """A runbook path as a docs path (``./a/../b.md`` → ``b.md``); "" when it leaves docs_dir."""
    return _normalise(path)


def _normalise(path: str) -> str:
    p = path.strip().replace("\\", "/")
    if p.startswith("/") or (len(p) > 1 and p[1] == ":"):
        return ""
    parts: list[str] = []
    for seg in p.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if not parts:
                return ""
            parts.pop()
        else:
            parts.append(seg)
    return "/".join(parts)


def page_systems(page: Page) -> list[str] | None:
    """The ids a page names in ``systems:`` (a single string counts); None when not a list."""
    v = page.meta.get("systems")
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return list(v)
    return None


def _lines(entry: LineDict) -> dict[str, int]:
    out = {k if k.__class__ is str else str(k): v for k, v in entry.key_lines.items()}
    for name in ("contract", "runbooks"):
        c = entry.get(name)
        if isinstance(c, LineDict):
            prefix = name + "."
            for k, v in c.key_lines.items():
                out[prefix + (k if k.__class__ is str else str(k))] = v
    return out


def _validate(entry: dict[str, Any], lines: dict[str, int], line: int, sid: str,
              issues: list[ParseIssue]) -> SystemModel | None:
    from pydantic import ValidationError  # only when the ledger is read, not from its cache

    from kb_tools.schema import SystemModel

    data = dict(entry)
    for _attempt in range(3):
        try:
            return SystemModel.model_validate(data)
        except ValidationError as exc:
            drop = set()
            for e in exc.errors():
                loc = ".".join(str(x) for x in e["loc"])
                where = lines.get(loc) or lines.get(str(e["loc"][0])) if e["loc"] else line
                issues.append(ParseIssue(INVALID, where or line, 1, _("system '{id}': {field}: {problem}").format(
                    id=sid, field=loc or "entry", problem=e["msg"]), target=sid))
                if e["loc"]:
                    drop.add(str(e["loc"][0]))
            if drop & set(_REQUIRED) or not drop:
                return None
            data = {k: v for k, v in data.items() if k not in drop}  # keep the rest of the entry
    return None


def _system(m: SystemModel, line: int, lines: dict[str, int], notice_default: int) -> System:
    c = m.contract
    return System(
        id=m.id, name=m.name, category=m.category, owner=m.owner, status=m.status, deputy=m.deputy,
        tier=m.tier, hosting=m.hosting, vendor=m.vendor,
        contract_number=c.number if c else None, contract_start=c.start if c else None,
        contract_end=c.end if c else None,
        notice_days=c.notice_days if c and c.notice_days is not None else notice_default,
        support_end=m.support_end, runbooks=dict(m.runbooks), notes=m.notes, line=line, lines=lines,
    )


def _entries(data: Any, ledger: Ledger) -> list[Any]:
    if isinstance(data, dict) and set(data) <= {"systems"}:
        entries = data.get("systems") or []
        if not isinstance(entries, list):
            line = getattr(data, "key_lines", {}).get("systems", 1)
            ledger.issues.append(ParseIssue(INVALID, line, 1, _("'systems:' must be a list of entries")))
            return []
        return entries
    if isinstance(data, list):
        ledger.issues.append(ParseIssue(INVALID, 1, 1, _("the ledger must be a mapping with one key 'systems:' "
                                                          "holding the list; read as a bare list"),
                                        hint=_("indent the list under a first line 'systems:'")))
        return data
    if isinstance(data, dict):
        extra = sorted(str(k) for k in data if k != "systems")
        ledger.issues.append(ParseIssue(INVALID, data.key_lines.get(extra[0], 1) if isinstance(data, LineDict) else 1, 1,
                                        _("unknown top-level key '{key}' (the ledger has one key: 'systems:')").format(
                                            key=extra[0])))
        return list(data.get("systems") or []) if isinstance(data.get("systems"), list) else []
    ledger.issues.append(ParseIssue(INVALID, 1, 1, _("the ledger must be a mapping with one key 'systems:', not {kind}").format(
        kind=type(data).__name__)))
    return []


LEDGER_VERSION = 1  # bump when Ledger/System change: invalidates the cached ledger


def _cache_key(data: bytes, notice_default: int) -> str:
    # messages are stored translated: the language is part of the key
    return hashlib.blake2b(data + f"|{LEDGER_VERSION}|{notice_default}|{current_language()}".encode(),
                           digest_size=16).hexdigest()


def _read(file: Path) -> bytes | None:
    """The ledger's bytes, read once for the cache key and the parse; None when absent, unreadable
    or too large (the reader then reports why)."""
    try:
        if file.stat().st_size > MAX_DATA_BYTES:
            return None
        return file.read_bytes()
    except OSError:
        return None


def load_ledger(data_dir: Path, docs_dir: Path, notice_default: int = 180, cache_dir: Path | None = None) -> Ledger:
    """Read ``data_dir/systems.yml``; an absent file is an empty ledger (``present`` False).

    With ``cache_dir`` the result is kept there by content hash, so an unchanged 2,000-system
    ledger is not parsed again (about 0.5 s cold).
    """
    file = data_dir / LEDGER_FILE
    raw = _read(file)
    key = _cache_key(raw, notice_default) if cache_dir is not None and raw is not None else None
    cached = cache_dir / "ledger.pickle" if cache_dir is not None else None
    if key is not None and cached is not None:
        try:
            with open(cached, "rb") as f:
                stored_key, ledger = pickle.load(f)  # noqa: S301 - our own cache file
            if stored_key == key and isinstance(ledger, Ledger):
                return ledger
        except Exception:  # noqa: BLE001 - a missing or corrupt cache is rebuilt
            pass
    ledger = _load(file, docs_dir, notice_default, raw)
    if key is not None and cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                pickle.dump((key, ledger), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cached)
        except OSError:
            pass
    return ledger


def _load(file: Path, docs_dir: Path, notice_default: int, raw: bytes | None = None) -> Ledger:
    ledger = Ledger()
    try:
        ledger.path = file.relative_to(docs_dir).as_posix()
    except ValueError:
        ledger.path = str(file)
    if not file.is_file():
        return ledger
    ledger.present = True
    data, issues = load_data_file(file, ledger.path, INVALID, raw=raw)
    for i in issues:  # duplicate keys are invalid entries; file-level problems too
        if i.message == BAD_DATE:
            continue  # the entry's own validation names the system and the field of an impossible date
        ledger.issues.append(i)
    if data is None:
        return ledger
    entries = _entries(data, ledger)
    ledger.loaded = True
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            ledger.issues.append(ParseIssue(INVALID, 1, 1, _("entry {n} is not a mapping of fields").format(n=n)))
            continue
        line = getattr(entry, "line", 1)
        lines = _lines(entry) if isinstance(entry, LineDict) else {}
        raw_id = entry.get("id")
        sid = str(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else f"#{n}"
        if sid in ledger.known_ids:
            ledger.issues.append(ParseIssue(DUPLICATE, lines.get("id", line), 1, _(
                "system id '{id}' is used twice (first at line {first})").format(
                id=sid, first=ledger.known_ids[sid]), target=sid))
            continue
        if not sid.startswith("#"):
            ledger.known_ids[sid] = line
        model = _validate(entry, lines, line, sid, ledger.issues)
        if model is None:
            continue
        system = _system(model, line, lines, notice_default)
        ledger.systems.append(system)
        ledger.by_id[system.id] = system
    return ledger
