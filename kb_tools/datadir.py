"""The one reader of ``docs/_data/*.yml`` (roster, taxonomy, …): never raises.

Every problem (unreadable file, YAML error, impossible date, wrong shape) becomes a
``ParseIssue`` with the file and line, reported by ``kb check`` as ``meta.registry``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb_tools.i18n import N_
from kb_tools.model import ParseIssue
from kb_tools.parse import blockyaml
from kb_tools.parse.blockyaml import LineDict
from kb_tools.parse.frontmatter import InvalidDate, load_date
from kb_tools.fuzzy import did_you_mean


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
        return did_you_mean(tag, keys)

    def suggest_role(self, value: str) -> str | None:
        # A person's name written as owner: point at the role they hold.
        for r in self.roles.values():
            if any(h.person == value for h in r.holders):
                return r.id
        names = {r.name: r.id for r in self.roles.values()}
        if value in names:
            return names[value]
        m = did_you_mean(value, list(self.roles) + list(names))
        return names.get(m, m) if m else None

    def people(self) -> set[str]:
        out = set()
        for r in self.roles.values():
            out.update(h.person for h in r.holders)
            out.update(p.person for p in r.past)
        return out


def _date(v: Any) -> _dt.date | None:
    return load_date(v, allow_text=True)


BAD_DATE = N_("'{value}' is not a real calendar date")
MAX_DATA_BYTES = 4 * 1024 * 1024  # a larger data file is one finding, not a minute of YAML parsing


def read_yaml(path: Path, rel: str, rule: str = "meta.registry",
              max_bytes: int = MAX_DATA_BYTES, raw: bytes | None = None) -> tuple[Any, list[ParseIssue]]:
    """The one way kb reads a ``_data`` YAML file: (data or None, problems with lines). Never raises.

    Mappings come back as :class:`LineDict` (their own line and each key's line). Problems
    (unreadable, too large, not UTF-8, YAML errors, duplicate keys, impossible dates such as
    ``2025-02-29``, which PyYAML turns into a plain ValueError) are ParseIssues of ``rule`` at
    their line; one bad value never hides the whole file. ``raw``: the file's bytes, already read.
    """
    try:
        size = path.stat().st_size if raw is None else len(raw)
        if size > max_bytes:
            return None, [ParseIssue(rule, 1, 1, N_("{file} is {size} MB, over the {limit} MB limit for a data file; "
                                                    "it was not read"),
                                     hint=N_("split the file or move long notes into pages"),
                                     args={"file": rel, "size": f"{size / 1048576:.1f}", "limit": max_bytes // 1048576})]
        text = (path.read_bytes() if raw is None else raw).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [ParseIssue(rule, 1, 1, N_("not valid UTF-8: {error}"), args={"error": exc.reason})]
    except OSError as exc:
        return None, [ParseIssue(rule, 1, 1, N_("cannot be read: {error}"), args={"error": exc.strerror})]
    return parse_yaml(text, rule)


def parse_yaml(text: str, rule: str = "meta.registry") -> tuple[Any, list[ParseIssue]]:
    """``read_yaml`` for text already read (page analyzers get data files as bytes)."""
    fast = blockyaml.load(text)  # plain block YAML, line by line: the same values, lines and problems
    if fast is not None:
        return fast[0], _problems(rule, fast[1], fast[2])
    try:
        data, bad_dates, duplicates = compose_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        return None, [ParseIssue(rule, (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1,
                                 N_("not valid YAML: {error}"), args={"error": exc.problem})]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        return None, [ParseIssue(rule, 1, 1, N_("not valid YAML: {error}"), args={"error": str(exc)})]
    return data, _problems(rule, bad_dates, duplicates)


def compose_yaml(text: str) -> tuple[Any, list[tuple[int, int, str]], list[tuple[int, int, str, int]]]:
    """The composing reader (the C parser when available, then ``_Builder``): (data, impossible
    dates, duplicate keys); raises what PyYAML raises. ``blockyaml`` is held equal to it."""
    from kb_tools.parse.frontmatter import _BaseLoader  # the C parser when available

    builder = _Builder()
    node = yaml.compose(text, Loader=_BaseLoader)  # noqa: S506 - composing only, no constructors
    data = builder.build(node) if node is not None else None
    return data, builder.bad_dates, builder.duplicates


def _problems(rule: str, bad_dates: list[tuple[int, int, str]],
              duplicates: list[tuple[int, int, str, int]]) -> list[ParseIssue]:
    issues = [ParseIssue(rule, line, col, BAD_DATE, args={"value": value}) for line, col, value in bad_dates]
    issues += [ParseIssue(rule, line, col, N_("duplicate key '{key}' (first at line {first}); YAML keeps only the last"),
                          target=key, args={"key": key, "first": first})
               for line, col, key, first in duplicates]
    return issues


load_data_file = read_yaml  # the ledger's name for the same reader


def _load_yaml(path: Path, rel: str, reg: Registry) -> Any:
    data, issues = read_yaml(path, rel)
    reg.issues.extend((rel, i) for i in issues)
    return data


def _key_lines(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8-sig", errors="replace").splitlines(), 1):
            if line and not line[0].isspace() and not line.startswith("#") and ":" in line:
                out.setdefault(line.split(":", 1)[0].strip().strip("'\""), n)
    except OSError:
        pass
    return out


ROSTER_FILE = "roster.yml"  # under data_dir: people and roles
TAXONOMY_FILE = "taxonomy.yml"  # under data_dir: tags


def load_registry(data_dir: Path, docs_dir: Path) -> Registry:
    reg = Registry()
    roster = data_dir / ROSTER_FILE
    taxonomy = data_dir / TAXONOMY_FILE
    try:
        reg.roster_path = roster.relative_to(docs_dir).as_posix()
        reg.taxonomy_path = taxonomy.relative_to(docs_dir).as_posix()
    except ValueError:
        reg.roster_path, reg.taxonomy_path = str(roster), str(taxonomy)
    reg.present = roster.is_file() or taxonomy.is_file()
    if roster.is_file():
        data = _load_yaml(roster, reg.roster_path, reg)
        reg.has_roster = data is not None
        lines = _key_lines(roster)
        if isinstance(data, dict) and isinstance(data.get("roles"), dict):
            data = data["roles"]  # also accept a top-level "roles:" wrapper
        if data is not None and not isinstance(data, dict):
            reg.issues.append((reg.roster_path, ParseIssue("meta.registry", 1, 1, N_("roster must map role ids to name, holders, past"))))
        for rid, body in (data or {}).items() if isinstance(data, dict) else []:
            rid = str(rid)
            line = lines.get(rid, 1)
            if not isinstance(body, dict):
                reg.issues.append((reg.roster_path, ParseIssue("meta.registry", line, 1, N_("role '{role}' must be a mapping with name, holders, past"), args={"role": rid})))
                continue
            role = Role(rid, str(body.get("name") or rid), line=line, mail=str(body.get("mail") or "").strip())
            for h in body.get("holders") or []:
                if isinstance(h, dict) and h.get("person"):
                    role.holders.append(Holder(str(h["person"]), _date(h.get("since")), _date(h.get("leaving"))))
                elif isinstance(h, str):
                    role.holders.append(Holder(h))
                else:
                    reg.issues.append((reg.roster_path, ParseIssue("meta.registry", line, 1, N_("role '{role}': a holder needs 'person'"), args={"role": rid})))
            for p in body.get("past") or []:
                if isinstance(p, dict) and p.get("person"):
                    role.past.append(PastHolder(str(p["person"]), _date(p.get("from")), _date(p.get("to"))))
                else:
                    reg.issues.append((reg.roster_path, ParseIssue("meta.registry", line, 1, N_("role '{role}': a past holder needs person, from, to"), args={"role": rid})))
            reg.roles[rid] = role
    if taxonomy.is_file():
        data = _load_yaml(taxonomy, reg.taxonomy_path, reg)
        reg.has_taxonomy = data is not None
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
                                                                     N_("alias '{alias}' names two tags: '{first}' and '{second}'"),
                                                                     args={"alias": a, "first": reg._alias[a], "second": tid})))
                reg._alias.setdefault(a, tid)
    for name in OTHER_DATA_FILES:  # read by search and the site; their YAML problems are findings too
        path = data_dir / name
        if path.is_file():
            _load_yaml(path, _rel(path, docs_dir), reg)
    return reg


OTHER_DATA_FILES = ("synonyms.yml", "glossary.yml")


def _rel(path: Path, docs_dir: Path) -> str:
    try:
        return path.relative_to(docs_dir).as_posix()
    except ValueError:
        return str(path)


# --- data files read with lines (the system ledger): every mapping remembers where it was ---

BAD_DATE = N_("'{value}' is not a real calendar date")
MAX_DATA_BYTES = 4 * 1024 * 1024  # a larger data file is one finding, not a minute of YAML parsing


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
        self.bad_dates: list[tuple[int, int, str]] = []

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
            if method == "construct_yaml_timestamp":  # 2027-02-30: kept as text, reported at its line
                self.bad_dates.append((node.start_mark.line + 1, node.start_mark.column + 1, node.value))
                return InvalidDate(node.value)
            raise
