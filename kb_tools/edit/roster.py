"""``kb roster assign``: change a role's holder in roster.yml byte-minimally, history kept.

The new holder replaces the old one's item in ``holders`` (same position, same YAML style: a
flow ``- {person: …, since: …}`` or a block item); the old holder is appended to ``past`` with
``from`` (their ``since``) and ``to`` (the day before the new holder starts). Every other byte —
comments, other roles, key order — stays as it was, and the result is verified by loading it
again: it must equal the old roster with exactly that change, or nothing is written.
Pages are never touched, so no page's review date changes.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from kb_tools.fuzzy import did_you_mean
from kb_tools.edit.files import EditError, decode, render, split_lines
from kb_tools.parse.frontmatter import _Loader, load_date


class RosterError(Exception):
    """The roster cannot be changed as asked (message names the file and the problem)."""


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _indent(line: str) -> int:
    b = _body(line)
    return len(b) - len(b.lstrip(" "))


def _meaningful(line: str) -> bool:
    s = _body(line).strip()
    return bool(s) and not s.startswith("#")


def _load(text: str, label: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RosterError(f"{label}:{(mark.line + 1) if mark else 1}: not valid YAML; fix it first") from exc


@dataclass
class _Seq:
    key_line: int  # index of "holders:" / "past:"
    start: int  # first line after the key line
    end: int  # one past the last line of the last item (trailing comments/blank lines excluded)
    items: list[tuple[int, int]]  # (first, end) line ranges of each "- " item
    inline: str  # text after "key:" on the key line ("" for a block sequence)


def _find_key(lines: list[str], lo: int, hi: int, key: str, indent: int | None) -> int | None:
    rx = re.compile(rf"^( *)(?:{re.escape(key)}|'{re.escape(key)}'|\"{re.escape(key)}\")[ \t]*:(?=[ \t]|$)")
    for i in range(lo, hi):
        m = rx.match(_body(lines[i]))
        if m and (indent is None or len(m.group(1)) == indent):
            return i
    return None


def _block_end(lines: list[str], start: int, hi: int, indent: int, allow_dash_at_indent: bool) -> int:
    """First line index >= start that ends a block whose parent key sits at ``indent``."""
    last = start
    for i in range(start, hi):
        if not _meaningful(lines[i]):
            continue
        ind = _indent(lines[i])
        if ind > indent or (allow_dash_at_indent and ind == indent and _body(lines[i]).lstrip().startswith("-")):
            last = i + 1
            continue
        break
    return last


def _seq(lines: list[str], key_line: int, hi: int) -> _Seq:
    kin = _indent(lines[key_line])
    inline = _body(lines[key_line]).split(":", 1)[1].strip()
    end = _block_end(lines, key_line + 1, hi, kin, True)
    items: list[tuple[int, int]] = []
    dash_indent = None
    for i in range(key_line + 1, end):
        b = _body(lines[i])
        if not _meaningful(lines[i]):
            continue
        if b.lstrip().startswith("-") and (dash_indent is None or _indent(lines[i]) == dash_indent):
            dash_indent = _indent(lines[i])
            if items:
                items[-1] = (items[-1][0], _last_meaningful(lines, items[-1][0], i) + 1)
            items.append((i, end))
    if items:
        items[-1] = (items[-1][0], _last_meaningful(lines, items[-1][0], end) + 1)
    return _Seq(key_line, key_line + 1, items[-1][1] if items else key_line + 1, items, inline)


def _last_meaningful(lines: list[str], lo: int, hi: int) -> int:
    for i in range(hi - 1, lo - 1, -1):
        if _meaningful(lines[i]):
            return i
    return lo


def _item(fields: list[tuple[str, Any]], flow: bool, indent: int, nl: str) -> list[str]:
    if flow:
        inner = ", ".join(f"{k}: {render(v)}" for k, v in fields)
        return [" " * indent + "- {" + inner + "}" + nl]
    out = []
    for n, (k, v) in enumerate(fields):
        prefix = " " * indent + ("- " if n == 0 else "  ")
        out.append(f"{prefix}{k}: {render(v)}{nl}")
    return out


def _person(item: Any) -> str | None:
    if isinstance(item, dict) and item.get("person") is not None:
        return str(item["person"])
    if isinstance(item, str):
        return item
    return None


def _apply(lines: list[str], edits: list[tuple[int, int, list[str]]]) -> str:
    """Apply (start, end, replacement lines) edits bottom-up, so earlier offsets stay valid."""
    for a, b, repl in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[a:b] = repl
    return "".join(lines)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else ("\r" if "\r" in text and "\n" not in text else "\n")


def _predecessor(label: str, role: str, names: list[Any], replace: str | None) -> int | None:
    """Index of the holder who hands over (``--replace``, or the only holder)."""
    if replace is not None:
        if replace not in names:
            m = did_you_mean(replace, [n for n in names if n])
            raise RosterError(f"{label}: {replace} does not hold '{role}' (holders: {', '.join(map(str, names)) or 'none'})"
                              + (f"; did you mean '{m}'?" if m else ""))
        return names.index(replace)
    if len(names) == 1:
        return 0
    if len(names) > 1:
        raise RosterError(f"'{role}' has several holders ({', '.join(map(str, names))}): say who hands over with "
                          "--replace PERSON, or add a holder with --add")
    return None


def assign(data: bytes, role: str, person: str, day: _dt.date, *, replace: str | None = None,
           add: bool = False, label: str = "roster.yml") -> tuple[bytes, str | None]:
    """New roster bytes with ``person`` holding ``role`` from ``day``; returns (bytes, moved person)."""
    try:
        bom, text = decode(data, label)
    except EditError as exc:
        raise RosterError(str(exc)) from exc
    doc = _load(text, label)
    roles = doc.get("roles") if isinstance(doc, dict) and isinstance(doc.get("roles"), dict) else doc
    if not isinstance(roles, dict) or not isinstance(roles.get(role), dict):
        raise RosterError(f"{label}: no role '{role}'")
    body = roles[role]
    holders = body.get("holders") or []
    if not isinstance(holders, list):
        raise RosterError(f"{label}: role '{role}': holders is not a list; edit it by hand")
    names = [_person(h) for h in holders]
    if person in names:
        raise RosterError(f"{label}: {person} already holds '{role}'")
    old_idx = None if add else _predecessor(label, role, names, replace)
    old = holders[old_idx] if old_idx is not None else None
    old_since = _date(old.get("since")) if isinstance(old, dict) else None
    if old_since is not None and day <= old_since:
        raise RosterError(f"{label}: --from-date {day} is not after {names[old_idx]}'s start ({old_since})")  # type: ignore[index]

    lines = split_lines(text)
    nl = _newline(text)
    rl = _find_key(lines, 0, len(lines), role, 0 if roles is doc else None)
    if rl is None:
        raise RosterError(f"{label}: cannot find the line of role '{role}'; edit it by hand")
    rend = _block_end(lines, rl + 1, len(lines), _indent(lines[rl]), False)
    child = next((_indent(lines[i]) for i in range(rl + 1, rend) if _meaningful(lines[i])), _indent(lines[rl]) + 2)
    hl = _find_key(lines, rl + 1, rend, "holders", child)
    pl = _find_key(lines, rl + 1, rend, "past", child)
    new_fields: list[tuple[str, Any]] = [("person", person), ("since", day)]
    past_fields: list[tuple[str, Any]] = []
    moved = None
    if old is not None:
        moved = names[old_idx]  # type: ignore[index]
        past_fields = [("person", moved)]
        if old_since is not None:
            past_fields.append(("from", old_since))
        past_fields.append(("to", day - _dt.timedelta(days=1)))
    edits: list[tuple[int, int, list[str]]] = []  # (start, end, replacement lines), applied bottom-up

    def seq_style(seq: _Seq | None, default_indent: int) -> tuple[bool, int]:
        if seq and seq.items:
            first = _body(lines[seq.items[-1][0]])
            return first.lstrip()[1:].lstrip().startswith("{"), _indent(lines[seq.items[-1][0]])
        return True, default_indent

    hseq = _seq(lines, hl, rend) if hl is not None else None
    if hseq is None or (hseq.inline not in ("", "[]") and not hseq.inline.startswith("#")):
        raise RosterError(f"{label}: role '{role}' has no block list of holders; edit it by hand")
    flow, ind = seq_style(hseq, child + 2)
    if old_idx is not None and hseq.items:
        a, b = hseq.items[old_idx]
        flow_old = _body(lines[a]).lstrip()[1:].lstrip().startswith("{")
        edits.append((a, b, _item(new_fields, flow_old, _indent(lines[a]), nl)))
    else:
        if hseq.inline == "[]":
            edits.append((hl, hl + 1, [_body(lines[hl]).replace("[]", "", 1).rstrip() + nl]))
        at = hseq.end
        edits.append((at, at, _item(new_fields, flow, ind, nl)))
    if past_fields:
        pseq = _seq(lines, pl, rend) if pl is not None else None
        if pseq is not None and pseq.inline not in ("", "[]") and not pseq.inline.startswith("#"):
            raise RosterError(f"{label}: role '{role}': past is not a block list; edit it by hand")
        pflow, pind = seq_style(pseq, ind) if pseq is not None and pseq.items else (flow, ind)
        if pseq is None:
            at = hseq.end
            edits.append((at, at, [" " * child + "past:" + nl] + _item(past_fields, pflow, pind, nl)))
        else:
            if pseq.inline == "[]":
                edits.append((pl, pl + 1, [_body(lines[pl]).replace("[]", "", 1).rstrip() + nl]))
            edits.append((pseq.end, pseq.end, _item(past_fields, pflow, pind, nl)))
    out = _apply(lines, edits)
    if not out.endswith(("\n", "\r")) and text.endswith(("\n", "\r")):
        out += nl
    _verify(doc, roles, role, old_idx, new_fields, past_fields, out, label)
    return (bom + out).encode("utf-8"), moved


def _date(v: Any) -> _dt.date | None:
    return load_date(v, allow_text=True)


def _verify(doc: Any, roles: dict[str, Any], role: str, old_idx: int | None, new_fields: list[tuple[str, Any]],
            past_fields: list[tuple[str, Any]], out: str, label: str) -> None:
    import copy

    expected_doc = copy.deepcopy(doc)
    exp_roles = expected_doc["roles"] if roles is not doc else expected_doc
    body = exp_roles[role]
    holders = list(body.get("holders") or [])
    if old_idx is not None:
        holders[old_idx] = dict(new_fields)
    else:
        holders.append(dict(new_fields))
    body["holders"] = holders
    if past_fields:
        body["past"] = list(body.get("past") or []) + [dict(past_fields)]
    got = _load(out, label)
    if got != expected_doc:
        raise RosterError(f"{label}: the roster's layout is too unusual to edit safely; edit role '{role}' by hand")
