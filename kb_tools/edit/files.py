"""Byte-exact edits of front matter and small YAML files, written atomically.

``set_fields(data, {"last_reviewed": date})`` changes exactly the bytes of that value (or
inserts one line when the key is missing) and nothing else: key order, comments, quoting,
CRLF or lone-CR line ends, a UTF-8 BOM, trailing spaces and the body (which may itself contain
``---``) are all preserved. Every edit is verified by parsing the result again: the front
matter must equal the old one with only the requested keys changed, or the edit is refused.

Why not python-frontmatter here: it loads and re-dumps the YAML, which reorders keys, drops
comments and re-quotes values — the opposite of what an edit to a shared page may do.

``Snapshot`` + ``write_atomic`` refuse a file that changed on disk since it was read, and
write through a temporary file in the same folder and ``os.replace``.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb_tools.parse import frontmatter
from kb_tools._io import atomic_write

BOM = "\ufeff"
_LINE_SPLIT = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")
_DELIM = re.compile(r"^(?:-{3}|\.{3})[ \t]*$")
_OPEN = re.compile(r"^-{3}[ \t]*$")
_CONFLICT = re.compile(r"^(?:<{7}|>{7})(?: |$)", re.MULTILINE)
_UNUSUAL_START = set("[{|>&*!%@`")
# Where a missing key goes (after the first of these keys found on a one-line value).
INSERT_AFTER = {"last_reviewed": ("status", "deputy", "owner"), "reviewed_by": ("last_reviewed",)}


class EditError(Exception):
    """The file cannot be edited safely; the message says why (and names the file)."""


def split_lines(text: str) -> list[str]:
    """Lines with their endings (``\\n``, ``\\r\\n`` or a lone ``\\r``); ``"".join`` gives ``text``."""
    parts = _LINE_SPLIT.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _ending(line: str) -> str:
    return line[len(_body(line)):]


@dataclass(frozen=True)
class Snapshot:
    """A file's bytes as read, to detect a change on disk before writing."""

    path: Path
    data: bytes
    mode: int

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Snapshot:
        p = Path(path)
        try:
            with open(p, "rb") as f:
                data = f.read()
            return cls(p, data, os.stat(p).st_mode & 0o7777)
        except OSError as exc:
            raise EditError(f"{p}: cannot be read: {exc.strerror}") from exc


def decode(data: bytes, label: str) -> tuple[str, str]:
    """(bom, text) of UTF-8 bytes; refuses other encodings and conflict markers."""
    bom = ""
    if data.startswith(b"\xef\xbb\xbf"):
        bom, data = BOM, data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EditError(f"{label}: not valid UTF-8 (byte offset {exc.start + len(bom.encode())}); not edited") from exc
    m = _CONFLICT.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise EditError(f"{label}:{line}: has unresolved merge conflict markers; resolve them first")
    return bom, text


def _front_matter_bounds(lines: list[str], label: str) -> int:
    """Index of the closing delimiter line, with MkDocs' rules (see frontmatter.YAML_RE)."""
    if not lines or not _OPEN.match(_body(lines[0])) or not _ending(lines[0]):
        raise EditError(f"{label}: has no front matter (a first line '---'); add one before editing it")
    for i in range(2, len(lines)):
        if _DELIM.match(_body(lines[i])) and _ending(lines[i]):
            return i
    raise EditError(f"{label}:1: front matter is never closed with '---' or '...' (followed by a line end)")


def _parse(lines: list[str], close: int, label: str) -> dict[str, Any]:
    text = "".join(lines[: close + 1]).replace("\r\n", "\n").replace("\r", "\n")
    fm = frontmatter.split(text)
    if not fm.present or fm.error:
        where = f":{fm.error[0]}" if fm.error else ""
        raise EditError(f"{label}{where}: front matter cannot be parsed "
                        f"({fm.error_message() if fm.error else 'not a mapping'}); fix it first")
    if fm.invalid_dates:
        raise EditError(f"{label}:{fm.meta_lines.get(fm.invalid_dates[0], 1)}: '{fm.invalid_dates[0]}' is not a "
                        "real date; fix it first")
    return fm.meta


def _key_re(key: str) -> re.Pattern[str]:
    k = re.escape(key)
    return re.compile(rf"^(?:{k}|'{k}'|\"{k}\")[ \t]*:(?=[ \t]|$)")


def _key_lines(lines: list[str], close: int, key: str) -> list[int]:
    rx = _key_re(key)
    return [i for i in range(1, close) if rx.match(_body(lines[i]))]


def _continues(lines: list[str], i: int, close: int) -> bool:
    """Whether the value of the key on line i continues on the next lines."""
    for j in range(i + 1, close):
        b = _body(lines[j])
        if not b.strip():
            continue
        return b[0] in " \t" or b.startswith("- ") or b == "-"
    return False


def plain_ok(value: str) -> bool:
    """Whether ``value`` may be written as a YAML plain scalar and read back as the same string."""
    if not value or value != value.strip() or any(c in value for c in "\r\n\t#\"'") or ": " in value:
        return False
    try:
        return yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        return False


def render(value: Any, quote: str = "") -> str:
    """A scalar as YAML text: plain when possible, else in ``quote`` style (default double)."""
    if isinstance(value, _dt.date):
        s = value.isoformat()
    else:
        s = str(value)
    if quote == "'":
        return s.replace("'", "''")
    if quote == '"':
        return json.dumps(s, ensure_ascii=False)[1:-1]
    if isinstance(value, _dt.date) or plain_ok(s):
        return s
    return json.dumps(s, ensure_ascii=False)


def _replace_value(line: str, key: str, value: Any, label: str, lineno: int) -> str:
    body, end = _body(line), _ending(line)
    m = _key_re(key).match(body)
    assert m is not None
    i = m.end()
    while i < len(body) and body[i] in " \t":
        i += 1
    rest = body[i:]
    if not rest or rest.startswith("#"):  # empty value (null), maybe with a comment
        pad = "" if i > m.end() else " "
        new = render(value)
        if rest:
            new += " "
        return body[:i] + pad + new + rest + end
    q = rest[0]
    if q in "'\"":
        j = 1
        while j < len(rest):
            if q == "'" and rest[j] == "'":
                if rest[j + 1:j + 2] == "'":
                    j += 2
                    continue
                break
            if q == '"' and rest[j] == "\\":
                j += 2
                continue
            if q == '"' and rest[j] == '"':
                break
            j += 1
        if j >= len(rest):
            raise EditError(f"{label}:{lineno}: the quoted value of '{key}' spans several lines; edit it by hand")
        if isinstance(value, _dt.date):  # a quoted date would stay a string: write it plain
            return body[:i] + render(value) + body[i + j + 1:] + end
        return body[:i + 1] + render(value, q) + body[i + j:] + end
    if q in _UNUSUAL_START:
        raise EditError(f"{label}:{lineno}: '{key}' has an unusual YAML value ({rest[:20]}…); edit it by hand")
    # plain scalar: up to " #" (a comment) or the end, trailing blanks kept
    cm = re.search(r"[ \t]#", rest)
    val_end = cm.start() if cm else len(rest)
    val = rest[:val_end].rstrip(" \t")
    return body[:i] + render(value) + rest[len(val):] + end


def set_fields(data: bytes, updates: dict[str, Any], label: str = "file") -> bytes:
    """``data`` with the front matter keys in ``updates`` set; every other byte unchanged.

    Raises EditError when the file cannot be edited safely (no or unparsable front matter,
    conflict markers, a multi-line or unusual value, or a result that does not verify).
    """
    bom, text = decode(data, label)
    lines = split_lines(text)
    close = _front_matter_bounds(lines, label)
    old_meta = _parse(lines, close, label)
    for key, value in updates.items():
        idx = _key_lines(lines, close, key)
        if len(idx) > 1:
            raise EditError(f"{label}:{idx[1] + 1}: '{key}' appears more than once in the front matter; fix it first")
        if idx:
            i = idx[0]
            if _continues(lines, i, close) and _body(lines[i]).split(":", 1)[1].strip() in ("", "|", ">"):
                raise EditError(f"{label}:{i + 1}: the value of '{key}' spans several lines; edit it by hand")
            lines[i] = _replace_value(lines[i], key, value, label, i + 1)
        else:
            at = close
            for prev in INSERT_AFTER.get(key, ()):
                pi = _key_lines(lines, close, prev)
                if len(pi) == 1 and not _continues(lines, pi[0], close):
                    at = pi[0] + 1
                    break
            nl = _ending(lines[at - 1]) or _ending(lines[0])
            lines.insert(at, f"{key}: {render(value)}{nl}")
            close += 1
    new_meta = _parse(lines, close, label)
    expected = dict(old_meta)
    for key, value in updates.items():
        expected[key] = value
    if new_meta != expected and repr(new_meta) != repr(expected):
        changed = sorted(k for k in set(new_meta) | set(expected) if new_meta.get(k) != expected.get(k))
        raise EditError(f"{label}: editing the front matter would also change {', '.join(changed)}; edit it by hand")
    return (bom + "".join(lines)).encode("utf-8")


def diff(old: bytes, new: bytes, label: str, new_file: bool = False) -> str:
    """A unified diff for --dry-run (line ends shown as they are)."""
    a = split_lines(old.decode("utf-8", "replace")) if old else []
    b = split_lines(new.decode("utf-8", "replace"))
    out = []
    for line in difflib.unified_diff(a, b, "/dev/null" if new_file else f"a/{label}", f"b/{label}", n=2):
        out.append(line if line.endswith(("\n", "\r")) else line + "\n")
    return "".join(out)


def write_atomic(snap: Snapshot, new: bytes) -> None:
    """Replace the file with ``new`` unless it changed since ``snap`` was read."""
    try:
        with open(snap.path, "rb") as f:
            current = f.read()
    except OSError as exc:
        raise EditError(f"{snap.path}: cannot be read again: {exc.strerror}") from exc
    if current != snap.data:
        raise EditError(f"{snap.path}: changed on disk since it was read; not written (run the command again)")
    _replace(snap.path, new, snap.mode)


def _replace(path: Path, data: bytes, mode: int | None) -> None:
    atomic_write(path, data, mode=mode, fsync=True)  # a page edit is a person's work: fsync it


def create_new(path: Path, data: bytes) -> None:
    """Write a new file atomically; refuses (EditError) if the path already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        try:
            os.link(tmp, path)  # atomic, and fails if the target exists (never overwrites)
        except FileExistsError:
            raise EditError(f"{path}: already exists; not overwritten") from None
        except OSError:  # file systems without hard links
            if path.exists():
                raise EditError(f"{path}: already exists; not overwritten") from None
            os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def mark_reviewed(data: bytes, date: _dt.date, by: str | None = None, label: str = "file") -> bytes:
    updates: dict[str, Any] = {"last_reviewed": date}
    if by:
        updates["reviewed_by"] = by
    return set_fields(data, updates, label)

