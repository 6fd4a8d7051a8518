"""A page file's bytes and text as MkDocs reads them (UTF-8, BOM accepted, universal newlines)."""

from __future__ import annotations

from pathlib import Path

from kb_tools.i18n import N_
from kb_tools.model import ParseIssue


def read_bytes(path: str | Path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def decode(data: bytes) -> tuple[str, ParseIssue | None]:
    """UTF-8 (BOM accepted) with universal newlines, as MkDocs reads pages."""
    issue = None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        issue = ParseIssue("parse.encoding", line, col, N_("file is not valid UTF-8 (byte {byte} at byte offset "
                           "{offset}); MkDocs cannot build it"), N_("save the file as UTF-8"),
                           args={"byte": f"0x{data[exc.start]:02x}", "offset": exc.start})
        text = data.decode("utf-8-sig", errors="replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, issue
