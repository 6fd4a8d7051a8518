"""``kb new TYPE --title T --area A``: a new page from the type's template, valid front matter.

Templates live in ``kb_tools/templates/<type>.md`` and use ``string.Template`` placeholders
($title $description $owner $deputy $date $review_every $tags). In the front matter the values
are substituted as YAML scalars (quoted when needed); in the body as plain text. The owner
defaults to the role owning most pages in the area. An explicit ``nav`` in mkdocs.yml gets one
line added next to the area's last entry (byte-minimal, verified). Existing files are never
overwritten.
"""

from __future__ import annotations

import datetime as _dt
import re
import string
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kb_tools.parse import frontmatter
from kb_tools.edit.files import Snapshot, create_new, decode, plain_ok, render, split_lines, write_atomic
from kb_tools.schema import PAGE_TYPES, FrontMatterModel
from kb_tools.model import Page
from kb_tools.schedule import review_interval
from kb_tools.fuzzy import did_you_mean

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus

TEMPLATES = Path(__file__).resolve().parent / "templates"
_BAD_NAME = re.compile(r"[\\/:*?\"<>|#%\x00-\x1f]+")


class NewPageError(Exception):
    pass


@dataclass
class NewPagePlan:
    rel_path: str
    abs_path: Path
    content: bytes
    owner: str
    deputy: str | None
    notes: list[str] = field(default_factory=list)
    nav_snapshot: Snapshot | None = None
    nav_new: bytes | None = None
    config_label: str = "mkdocs.yml"


def _area(area: str) -> str:
    a = area.strip().strip("/").replace("\\", "/")
    parts = [p for p in a.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." or p.startswith(".") for p in parts):
        raise NewPageError(f"--area '{area}': give a folder inside docs_dir, such as 'cloud'")
    return "/".join(parts)


def default_owner(corpus: Corpus, area: str) -> tuple[str | None, str | None]:
    """(most common owner, most common deputy of that owner's pages) among the area's pages."""
    owners: Counter[str] = Counter()
    for p in corpus.pages.values():
        if p.path.startswith(area + "/") and isinstance(p.meta.get("owner"), str):
            owners[p.meta["owner"]] += 1
    if not owners:
        return None, None
    top = max(owners.values())
    owner = sorted(o for o, n in owners.items() if n == top)[0]
    deputies: Counter[str] = Counter()
    for p in corpus.pages.values():
        d = p.meta.get("deputy")
        if p.path.startswith(area + "/") and p.meta.get("owner") == owner and isinstance(d, str) and d != owner:
            deputies[d] += 1
    dep = sorted(deputies.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if deputies else None
    return owner, dep


def _slug(corpus: Corpus, title: str, slug: str | None, folder: Path) -> str:
    if slug is None:
        try:
            slug = corpus.config.slugify(title, "-")
        except Exception:  # noqa: BLE001 - a user slugify may fail on odd input
            slug = ""
        slug = slug or "-".join(title.split())
    slug = _BAD_NAME.sub("-", slug).strip("-. ")
    if slug.lower().endswith(".md"):
        slug = slug[:-3]
    if not slug:
        raise NewPageError("cannot make a file name from the title; give one with --slug")
    existing = sorted(p.name for p in folder.glob("*.md")) if folder.is_dir() else []
    numbered = [n for n in existing if re.match(r"^\d{2,3}-", n)]
    if numbered and len(numbered) * 2 >= len([n for n in existing if n not in ("index.md", "README.md")]) \
            and not re.match(r"^\d{2,3}-", slug):
        width = len(numbered[-1].split("-", 1)[0])
        nxt = max(int(n.split("-", 1)[0]) for n in numbered) + 1
        slug = f"{nxt:0{width}d}-{slug}"
    return slug


def _check_role(corpus: Corpus, role: str, what: str) -> None:
    reg = corpus.registry
    if reg.has_roster and role not in reg.roles:
        hint = reg.suggest_role(role)
        raise NewPageError(f"unknown role '{role}' for {what}" + (f"; did you mean '{hint}'?" if hint else ""))


def plan_new_page(corpus: Corpus, page_type: str, *, title: str, area: str, owner: str | None = None,
                  deputy: str | None = None, tags: list[str] | None = None, slug: str | None = None,
                  description: str = "", today: _dt.date) -> NewPagePlan:
    cfg = corpus.config
    if page_type not in PAGE_TYPES:
        m = did_you_mean(page_type, PAGE_TYPES, cutoff=0.5)
        raise NewPageError(f"unknown page type '{page_type}'" + (f"; did you mean '{m}'?" if m else
                                                                 f" (types: {', '.join(PAGE_TYPES)})"))
    tpl_path = TEMPLATES / f"{page_type}.md"
    if not tpl_path.is_file():
        raise NewPageError(f"no template for type '{page_type}': {tpl_path} is missing "
                           f"(templates exist for: {', '.join(sorted(p.stem for p in TEMPLATES.glob('*.md')))})")
    if not title.strip():
        raise NewPageError("--title must not be empty")
    title = " ".join(title.split())
    area = _area(area)
    notes: list[str] = []
    d_owner, d_deputy = default_owner(corpus, area)
    if owner is None:
        if d_owner is None:
            raise NewPageError(f"no page in '{area}/' names an owner to default from; give --owner ROLE")
        owner = d_owner
        notes.append(f"owner '{owner}' (the role owning most pages in {area}/)")
        if deputy is None and d_deputy:
            deputy = d_deputy
    _check_role(corpus, owner, "--owner")
    if deputy is not None:
        _check_role(corpus, deputy, "--deputy")
    if deputy is None and page_type == "runbook":
        notes.append("a runbook needs a deputy: set 'deputy' in the new page")
    tag_ids = []
    for t in tags or []:
        tid = corpus.registry.resolve_tag(t) if corpus.registry.has_taxonomy else t
        if tid is None:
            hint = corpus.registry.suggest_tag(t)
            raise NewPageError(f"unknown tag '{t}'" + (f"; did you mean '{hint}'?" if hint else ""))
        tag_ids.append(t)
    same = [p.path for p in corpus.pages.values() if p.path.startswith(area + "/") and p.title == title]
    if same:
        raise NewPageError(f"a page titled '{title}' already exists in {area}/: {same[0]}")
    folder = cfg.docs_dir / area
    if not folder.is_dir():
        notes.append(f"new folder {area}/")
    name = _slug(corpus, title, slug, folder) + ".md"
    rel = f"{area}/{name}"
    abs_path = folder / name
    if abs_path.exists() or rel in corpus.pages:
        raise NewPageError(f"{rel} already exists; choose another --slug")
    interval = review_interval(Page(rel, "", 0, meta={"type": page_type}), cfg.kb)
    content = _render(tpl_path, page_type, title=title, description=description, owner=owner, deputy=deputy,
                      date=today, review_every=interval, tags=tag_ids)
    plan = NewPagePlan(rel, abs_path, content, owner, deputy, notes)
    plan.config_label = cfg.config_file.name
    if isinstance(cfg.nav, list):
        _plan_nav(plan, cfg.config_file, cfg.raw, area, title)
    return plan


def _render(tpl_path: Path, page_type: str, **v: Any) -> bytes:
    try:
        tpl = tpl_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise NewPageError(f"{tpl_path}: cannot be read ({exc})") from exc
    tpl = tpl.replace("\r\n", "\n")
    m = frontmatter.YAML_RE.match(tpl)
    if not m:
        raise NewPageError(f"{tpl_path}: the template has no front matter")
    head, body = tpl[:m.end()], tpl[m.end():]
    yaml_vals = {
        "title": render(v["title"]), "description": render(v["description"]) if v["description"] else '""',
        "owner": render(v["owner"]), "deputy": render(v["deputy"]) if v["deputy"] else "null",
        "date": v["date"].isoformat(), "review_every": str(v["review_every"]),
        "tags": "[" + ", ".join(render(t) for t in v["tags"]) + "]",
    }
    text_vals = {**yaml_vals, "title": v["title"], "description": v["description"], "owner": v["owner"],
                 "deputy": v["deputy"] or "", "tags": "、".join(v["tags"])}
    out = string.Template(head).safe_substitute(yaml_vals) + string.Template(body).safe_substitute(text_vals)
    fm = frontmatter.split(out)
    if fm.error:
        raise NewPageError(f"{tpl_path}: produced invalid front matter (line {fm.error[0]}: {fm.error_message()})")
    try:
        FrontMatterModel.model_validate(fm.meta)
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError, reported plainly
        raise NewPageError(f"{tpl_path}: produced front matter that does not validate: {exc}") from exc
    if fm.meta.get("title") != v["title"] or fm.meta.get("owner") != v["owner"] or fm.meta.get("type") != page_type:
        raise NewPageError(f"{tpl_path}: the template's front matter does not use $title/$owner/type: {page_type}")
    return out.encode("utf-8")


def _nav_paths(nav: Any) -> list[str]:
    out: list[str] = []
    if isinstance(nav, list):
        for item in nav:
            out += _nav_paths(item)
    elif isinstance(nav, dict):
        for v in nav.values():
            out += _nav_paths(v)
    elif isinstance(nav, str):
        out.append(nav)
    return out


def _plan_nav(plan: NewPagePlan, config_file: Path, raw: dict[str, Any], area: str, title: str) -> None:
    from kb_tools.config import _ConfigLoader

    snap = Snapshot.read(config_file)
    try:
        bom, text = decode(snap.data, config_file.name)
    except Exception as exc:  # noqa: BLE001
        plan.notes.append(f"nav not updated ({exc}); add {plan.rel_path} to mkdocs.yml by hand")
        return
    lines = split_lines(text)
    start = next((i for i, ln in enumerate(lines) if re.match(r"^nav[ \t]*:", ln)), None)
    if start is None:
        plan.notes.append(f"nav not updated (no top-level 'nav:' line); add {plan.rel_path} by hand")
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() and not lines[i][0].isspace()
                and not lines[i].startswith("#") and not lines[i].startswith("-")), len(lines))
    rx = re.compile(rf"^(\s*)-\s+(?:(.+?):\s+)?['\"]?{re.escape(area)}/[^\s'\"#]+\.md['\"]?\s*(?:#.*)?$")
    last = None
    for i in range(start + 1, end):
        m = rx.match(lines[i].rstrip("\r\n"))
        if m:
            last = (i, m)
    if last is None:
        plan.notes.append(f"nav not updated: no nav entry under {area}/ to put it next to; add {plan.rel_path} by hand")
        return
    i, m = last
    nl = lines[i][len(lines[i].rstrip("\r\n")):] or "\n"
    key = title if plain_ok(title) else render(title, '"').join('""')
    entry = f"{m.group(1)}- {key}: {plan.rel_path}{nl}" if m.group(2) else f"{m.group(1)}- {plan.rel_path}{nl}"
    new_lines = lines[: i + 1] + [entry] + lines[i + 1:]
    new_text = "".join(new_lines)
    try:
        got = yaml.load(new_text, Loader=_ConfigLoader)  # noqa: S506 - MkDocs' own tags only
    except yaml.YAMLError as exc:
        plan.notes.append(f"nav not updated ({exc}); add {plan.rel_path} by hand")
        return
    old_paths = _nav_paths(raw.get("nav"))
    new_paths = _nav_paths(got.get("nav") if isinstance(got, dict) else None)
    # only one line inside the nav block changed, so the other settings are the same bytes
    others_same = isinstance(got, dict) and set(got) == set(raw)
    if sorted(new_paths) != sorted(old_paths + [plan.rel_path]) or not others_same:
        plan.notes.append(f"nav not updated (layout too unusual to edit safely); add {plan.rel_path} by hand")
        return
    plan.nav_snapshot = snap
    plan.nav_new = (bom + new_text).encode("utf-8")


def write_new_page(plan: NewPagePlan) -> None:
    create_new(plan.abs_path, plan.content)
    if plan.nav_snapshot is not None and plan.nav_new is not None:
        write_atomic(plan.nav_snapshot, plan.nav_new)
