"""The one reader of ``docs/_data/*.yml`` (roster, taxonomy, …): never raises.

Every problem (unreadable file, YAML error, impossible date, wrong shape) becomes a
``ParseIssue`` with the file and line, reported by ``kb check`` as ``meta.registry``.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb_tools.i18n import _
from kb_tools.model import ParseIssue
from kb_tools.parse.frontmatter import InvalidDate


@dataclass(slots=True)
class Holder:
    person: str
    since: _dt.date | None = None
    leaving: _dt.date | None = None


@dataclass(slots=True)
class PastHolder:
    person: str
    start: _dt.date | None
    end: _dt.date | None


@dataclass(slots=True)
class Role:
    id: str
    name: str
    holders: list[Holder] = field(default_factory=list)
    past: list[PastHolder] = field(default_factory=list)
    line: int = 0
    mail: str = ""  # the role's shared mailbox (kb remind sends its digest there)


@dataclass(slots=True)
class Tag:
    id: str
    label: str
    reading: str = ""
    aliases: list[str] = field(default_factory=list)


@dataclass
class Registry:
    """Roster and taxonomy of one docs tree, with the problems found reading them."""

    roles: dict[str, Role] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    has_roster: bool = False
    has_taxonomy: bool = False  # a taxonomy file exists AND loaded (a broken one is one finding, not 1,000)
    present: bool = False  # a roster or taxonomy file exists (even a broken one)
    roster_path: str = ""
    taxonomy_path: str = ""
    issues: list[tuple[str, ParseIssue]] = field(default_factory=list)  # (path, issue)
    _alias: dict[str, str] = field(default_factory=dict)

    def resolve_tag(self, tag: str) -> str | None:
        if tag in self.tags:
            return tag
        return self._alias.get(tag)

    def tag_label(self, tag_id: str) -> str:
        t = self.tags.get(tag_id)
        return t.label if t else tag_id

    def suggest_tag(self, tag: str) -> str | None:
        keys = list(self.tags) + list(self._alias)
        m = difflib.get_close_matches(tag, keys, n=1, cutoff=0.6)
        if not m:
            low = {k.lower(): k for k in keys}
            m2 = difflib.get_close_matches(tag.lower(), list(low), n=1, cutoff=0.6)
            m = [low[m2[0]]] if m2 else []
        return m[0] if m else None

    def suggest_role(self, value: str) -> str | None:
        # A person's name written as owner: point at the role they hold.
        for r in self.roles.values():
            if any(h.person == value for h in r.holders):
                return r.id
        names = {r.name: r.id for r in self.roles.values()}
        if value in names:
            return names[value]
        m = difflib.get_close_matches(value, list(self.roles) + list(names), n=1, cutoff=0.6)
        if m:
            return names.get(m[0], m[0])
        return None

    def people(self) -> set[str]:
        out = set()
        for r in self.roles.values():
            out.update(h.person for h in r.holders)
            out.update(p.person for p in r.past)
        return out

    def roles_of(self, person: str) -> list[Role]:
        return [r for r in self.roles.values() if any(h.person == person for h in r.holders)]


def _date(v: Any) -> _dt.date | None:
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date) and not isinstance(v, InvalidDate):
        return v
    if isinstance(v, str):
        try:
            return _dt.date.fromisoformat(v)
        except ValueError:
            return None
    return None


def _load_yaml(path: Path, rel: str, reg: Registry) -> Any:
    from kb_tools.parse.frontmatter import _Loader  # the lenient-date SafeLoader

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reg.issues.append((rel, ParseIssue("meta.registry", 1, None or 1, f"not valid UTF-8: {exc.reason}")))
        return None
    except OSError as exc:
        reg.issues.append((rel, ParseIssue("meta.registry", 1, 1, f"cannot be read: {exc.strerror}")))
        return None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        reg.issues.append((rel, ParseIssue("meta.registry", (mark.line + 1) if mark else 1,
                                           (mark.column + 1) if mark else 1, f"not valid YAML: {exc.problem}")))
    except (yaml.YAMLError, ValueError) as exc:
        reg.issues.append((rel, ParseIssue("meta.registry", 1, 1, f"not valid YAML: {exc}")))
    return None


def _key_lines(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8-sig", errors="replace").splitlines(), 1):
            if line and not line[0].isspace() and not line.startswith("#") and ":" in line:
                out.setdefault(line.split(":", 1)[0].strip().strip("'\""), n)
    except OSError:
        pass
    return out


def load_registry(data_dir: Path, docs_dir: Path) -> Registry:
    reg = Registry()
    roster = data_dir / "roster.yml"
    taxonomy = data_dir / "taxonomy.yml"
    try:
        reg.roster_path = roster.relative_to(docs_dir).as_posix()
        reg.taxonomy_path = taxonomy.relative_to(docs_dir).as_posix()
    except ValueError:
        reg.roster_path, reg.taxonomy_path = str(roster), str(taxonomy)
    reg.present = roster.is_file() or taxonomy.is_file()
    if roster.is_file():
        n_issues = len(reg.issues)
        data = _load_yaml(roster, reg.roster_path, reg)
        reg.has_roster = len(reg.issues) == n_issues
        lines = _key_lines(roster)
        if isinstance(data, dict) and isinstance(data.get("roles"), dict):
            data = data["roles"]  # also accept a top-level "roles:" wrapper
        if data is not None and not isinstance(data, dict):
            reg.issues.append((reg.roster_path, ParseIssue("meta.registry", 1, 1, "roster must map role ids to {name, holders, past}")))
        for rid, body in (data or {}).items() if isinstance(data, dict) else []:
            rid = str(rid)
            line = lines.get(rid, 1)
            if not isinstance(body, dict):
                reg.issues.append((reg.roster_path, ParseIssue("meta.registry", line, 1, f"role '{rid}' must be a mapping with name, holders, past")))
                continue
            role = Role(rid, str(body.get("name") or rid), line=line, mail=str(body.get("mail") or "").strip())
            for h in body.get("holders") or []:
                if isinstance(h, dict) and h.get("person"):
                    role.holders.append(Holder(str(h["person"]), _date(h.get("since")), _date(h.get("leaving"))))
                elif isinstance(h, str):
                    role.holders.append(Holder(h))
                else:
                    reg.issues.append((reg.roster_path, ParseIssue("meta.registry", line, 1, f"role '{rid}': a holder needs 'person'")))
            for p in body.get("past") or []:
                if isinstance(p, dict) and p.get("person"):
                    role.past.append(PastHolder(str(p["person"]), _date(p.get("from")), _date(p.get("to"))))
                else:
                    reg.issues.append((reg.roster_path, ParseIssue("meta.registry", line, 1, f"role '{rid}': a past holder needs person, from, to")))
            reg.roles[rid] = role
    if taxonomy.is_file():
        n_issues = len(reg.issues)
        data = _load_yaml(taxonomy, reg.taxonomy_path, reg)
        reg.has_taxonomy = len(reg.issues) == n_issues
        lines = _key_lines(taxonomy)
        if isinstance(data, dict) and isinstance(data.get("tags"), dict):
            data = data["tags"]
        for tid, body in (data or {}).items() if isinstance(data, dict) else []:
            tid = str(tid)
            if isinstance(body, dict):
                aliases = body.get("aliases") or []
                if isinstance(aliases, str):
                    aliases = [aliases]
                tag = Tag(tid, str(body.get("label") or tid), str(body.get("reading") or ""), [str(a) for a in aliases])
            else:
                tag = Tag(tid, str(body or tid))
            reg.tags[tid] = tag
            for a in tag.aliases:
                if a in reg._alias and reg._alias[a] != tid:
                    reg.issues.append((reg.taxonomy_path, ParseIssue("meta.registry", lines.get(tid, 1), 1,
                                                                     f"alias '{a}' names two tags: '{reg._alias[a]}' and '{tid}'")))
                reg._alias.setdefault(a, tid)
    return reg


# --- data files read with lines (the system ledger): every mapping remembers where it was ---

MAX_DATA_BYTES = 4 * 1024 * 1024  # a larger data file is one finding, not a minute of YAML parsing


class LineDict(dict):  # type: ignore[type-arg]
    """A YAML mapping that knows its own line and the line of each key (1-based)."""

    line: int = 1
    key_lines: dict[Any, int]


_SCALARS = {
    "tag:yaml.org,2002:str": "construct_yaml_str", "tag:yaml.org,2002:int": "construct_yaml_int",
    "tag:yaml.org,2002:float": "construct_yaml_float", "tag:yaml.org,2002:bool": "construct_yaml_bool",
    "tag:yaml.org,2002:null": "construct_yaml_null", "tag:yaml.org,2002:timestamp": "construct_yaml_timestamp",
}


class _Builder:
    """Builds Python values from composed YAML nodes (C parser), keeping lines and duplicate keys.

    About twice as fast as PyYAML's constructor machinery on a 2,000-system ledger, and the only
    way to see duplicate keys (PyYAML keeps the last silently).
    """

    def __init__(self) -> None:
        self.c = yaml.constructor.SafeConstructor()
        self.duplicates: list[tuple[int, int, str, int]] = []

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            self.c.flatten_mapping(node)
            out = LineDict()
            out.line = node.start_mark.line + 1
            out.key_lines = {}
            for knode, vnode in node.value:
                key = self.build(knode)
                try:
                    hash(key)
                except TypeError:
                    key = str(key)
                kline = knode.start_mark.line + 1
                if key in out:
                    self.duplicates.append((kline, knode.start_mark.column + 1, str(key), out.key_lines[key]))
                out[key] = self.build(vnode)
                out.key_lines[key] = kline
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(n) for n in node.value]
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        method = _SCALARS.get(node.tag)
        if method is None:
            raise yaml.constructor.ConstructorError(None, None, f"unsupported tag {node.tag}", node.start_mark)
        try:
            return getattr(self.c, method)(node)
        except ValueError:
            if method == "construct_yaml_timestamp":
                return InvalidDate(node.value)  # 2027-02-30: kept for the check to report
            raise


def load_data_file(path: Path, rel: str, rule: str, max_bytes: int = MAX_DATA_BYTES) -> tuple[Any, list[ParseIssue]]:
    """A ``_data`` YAML file whose mappings are :class:`LineDict`; never raises.

    Problems (unreadable, too large, not UTF-8, YAML errors, duplicate keys) come back as
    ParseIssues of ``rule`` with the line; the data is None when the file cannot be used.
    """
    from kb_tools.parse.frontmatter import _BaseLoader  # the C parser when available

    issues: list[ParseIssue] = []
    try:
        size = path.stat().st_size
        if size > max_bytes:
            issues.append(ParseIssue(rule, 1, 1, _("{file} is {size:.1f} MB, over the {limit} MB limit for a data file; "
                                                     "it was not read").format(file=rel, size=size / 1048576,
                                                                               limit=max_bytes // 1048576),
                                     hint=_("split the file or move long notes into pages")))
            return None, issues
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [ParseIssue(rule, 1, 1, _("not valid UTF-8: {reason}").format(reason=exc.reason))]
    except OSError as exc:
        return None, [ParseIssue(rule, 1, 1, _("cannot be read: {reason}").format(reason=exc.strerror))]
    builder = _Builder()
    try:
        node = yaml.compose(text, Loader=_BaseLoader)  # noqa: S506 - composing only, no constructors
        data = builder.build(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        issues.append(ParseIssue(rule, (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1,
                                 _("not valid YAML: {problem}").format(problem=exc.problem)))
        return None, issues
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return None, [ParseIssue(rule, 1, 1, _("not valid YAML: {problem}").format(problem=exc))]
    for line, col, key, first in builder.duplicates:
        issues.append(ParseIssue(rule, line, col, _("duplicate key '{key}' (first at line {first}); YAML keeps only the last").format(
                                     key=key, first=first),
                                 target=key))
    return data, issues
