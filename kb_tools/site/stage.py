"""``kb stage``: an engine-neutral tree that needs no MkDocs plugin to become the complete site.

The tree holds mkdocs.yml (the kb plugin's work done: ``stage_config``), docs/ copied byte for
byte, the theme override folder, and what the plugin adds at build time, written as files:

- the generated pages (kb/index, review, ownership, tags) and the onboarding path pages with
  their steps rendered: the very functions the plugin uses (``kb_tools.site.pages``);
- each kb page's metadata box (``pages.view.page_view``) computed into its front matter as one
  ``kb_view:`` line (JSON, which is YAML), inserted before the closing ``---``; the rest of the
  file keeps its bytes. The theme override prints ``page.meta.kb_view`` when no plugin gave it
  the view. Review dates count from the day of staging;
- the glossary as ``*[TERM]: text`` lines (``includes/abbreviations.md``) and the local
  iframe-worker shim.

The tree is written into a temporary sibling folder and moved into place; an existing ``--out``
is replaced only when it is an earlier staged tree (it holds ``.kb-stage``). The source tree is
only read.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from markupsafe import escape

from kb_tools.config import SiteConfig
from kb_tools.corpus import Corpus
from kb_tools.i18n import _
from kb_tools.parse.links import page_url
from kb_tools.site import stage_config as sc
from kb_tools.site.pages import generate, path_pages
from kb_tools.site.pages.glossary import abbreviations_markdown, load_glossary
from kb_tools.site.pages.onboarding import is_path_page
from kb_tools.site.pages.view import page_view

MARKER = ".kb-stage"
VIEW_KEY = "kb_view"
INCLUDES = "includes"
ABBREVIATIONS = f"{INCLUDES}/abbreviations.md"
SHIM_SRC = Path(__file__).parent / "theme_site" / "iframe-worker-shim.js"
# The name must contain "iframe-worker": Material's offline plugin then adds no CDN copy.
SHIM_URI = "assets/kb/iframe-worker-shim.js"


class StageError(Exception):
    """``--out`` cannot be used (inside the source tree, or a folder that is not a staged tree)."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_out(cfg: SiteConfig, out: Path) -> None:
    out = out.resolve()
    root, docs = cfg.root.resolve(), cfg.docs_dir.resolve()
    custom = _custom_dir(cfg)
    for source in (docs, *( [custom] if custom else [])):
        if _inside(out, source) or _inside(source, out):
            raise StageError(_("--out {path} overlaps the source folder {source}").format(path=out, source=source))
    if out == root or _inside(root, out):
        raise StageError(_("--out {path} overlaps the source folder {source}").format(path=out, source=root))
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise StageError(_("--out {path} exists and is not a tree written by kb stage; choose a new folder")
                         .format(path=out))


def _custom_dir(cfg: SiteConfig) -> Path | None:
    theme = cfg.raw.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return (cfg.root / custom).resolve() if isinstance(custom, str) and custom else None


def _rel_name(path: Path, root: Path, default: str) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return default
    return rel if rel and rel != "." else default


def view_of(corpus: Corpus, rel: str, today: _dt.date, directory_urls: bool) -> dict[str, Any] | None:
    """The metadata box of page ``rel`` as the plugin hands it to the theme (None: no kb metadata)."""
    page = corpus.pages[rel]
    view = page_view(page, corpus.registry, corpus.config.kb, today).as_dict()
    if not view["kb"]:
        return None
    view["replaced_by_url"] = ""
    target = view["replaced_by"]
    if target and (target in corpus.pages or target in corpus.files):
        view["replaced_by_url"] = page_url(target, directory_urls)
        view["replaced_by_title"] = corpus.pages[target].title if target in corpus.pages else target
    return view


def _sort_key(path: str) -> tuple[tuple[str, ...], bool, str]:
    """MkDocs' file_sort_key: a folder's files first (index first), then its subfolders."""
    *folders, name = path.split("/")
    stem = name.rpartition(".")[0]
    return (tuple(folders), stem not in ("index", "README"), name)


def _titled(corpus: Corpus, path: str) -> Any:
    """A nav entry; a title with HTML characters escaped as the plugin does (Material prints titles
    unescaped in the navigation: ``<script>`` in a title must stay text)."""
    from markupsafe import escape

    page = corpus.pages.get(path)
    title = page.meta.get("title") if page is not None else None
    if isinstance(title, str) and any(ch in title for ch in "<>&\"'"):
        return (str(escape(title)), path)
    return path


def auto_nav(corpus: Corpus, generated: set[str], titles: dict[str, Any]) -> list[Any]:
    """MkDocs' automatic nav (``nest_paths``) with the kb plugin's section titles (``on_nav``):
    the folder's index page title, else ``extra.kb_section_titles``, else MkDocs' folder title."""
    from kb_tools.site.pages import SECTION, SECTION_TITLE

    root: list[Any] = []
    sections: dict[str, list[Any]] = {}
    for path in sorted({*corpus.pages, *generated}, key=_sort_key):
        branch, folder = root, ""
        for part in path.split("/")[:-1]:
            folder = f"{folder}/{part}" if folder else part
            if folder not in sections:
                sections[folder] = []
                branch.append([part, sections[folder]])
            branch = sections[folder]
        branch.append(_titled(corpus, path))

    def title(folder: str) -> str:
        for name in ("index.md", "README.md"):
            page = corpus.pages.get(f"{folder}/{name}")
            if page is not None and page.title:
                return str(page.title)
        if folder == SECTION and f"{SECTION}/index.md" in generated:
            return SECTION_TITLE
        if folder in titles:
            return str(titles[folder])
        name = folder.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ")  # mkdocs dirname_to_title
        return name.capitalize() if name.lower() == name else name

    def done(items: list[Any], parent: str) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if isinstance(item, str) or isinstance(item[1], str):
                out.append(item)
            else:
                folder = f"{parent}/{item[0]}" if parent else item[0]
                out.append((title(folder), done(item[1], folder)))
        return out

    return done(root, "")


def with_view(text: str, view: dict[str, Any], end_line: int, title_line: int | None = None,
              title: Any = None) -> str | None:
    """``text`` with a ``kb_view:`` line before its closing front matter delimiter (None: no ``---``
    front matter). ``end_line`` (the closing delimiter's line) and the title's line and value come
    from the corpus' own front matter parse; nothing here reads YAML again."""
    lines = text.split("\n")
    if end_line < 2 or end_line > len(lines) or lines[0].lstrip("\ufeff").rstrip() != "---":
        return None
    nl = "\r\n" if lines[0].endswith("\r") else "\n"
    if title_line and 1 < title_line < end_line and isinstance(title, str) and any(ch in title for ch in "<>&"):
        # Material prints the title unescaped in the header: store it escaped (as the plugin
        # does at build time) and tell main.html not to escape it a second time in <title>.
        lines[title_line - 1] = "title: " + json.dumps(str(escape(title)), ensure_ascii=False) + nl[:-1]
        view = {**view, "title_escaped": True}
    lines.insert(end_line - 1, f"{VIEW_KEY}: {json.dumps(view, ensure_ascii=False)}{nl[:-1]}")
    return "\n".join(lines)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _stage_pages(corpus: Corpus, docs_out: Path, today: _dt.date, directory_urls: bool) -> tuple[list[str], set[str]]:
    """Generated and path pages, and every kb page with its ``kb_view`` (docs paths written;
    the generated ones)."""
    written = []
    generated = {rel: text for rel, text in generate(corpus, today).items() if not corpus.exists(rel)}
    paths = path_pages(corpus)
    for rel, text in generated.items():
        _write(docs_out / rel, text.encode("utf-8"))
        written.append(rel)
    for rel in sorted(corpus.pages):
        view = view_of(corpus, rel, today, directory_urls)
        if rel in paths:
            text: str | None = paths[rel]
        elif view is None:
            continue
        else:
            try:
                text = (corpus.config.docs_dir / rel).read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # kb check reports it; the copy keeps its bytes
        page = corpus.pages[rel]
        staged = (with_view(text, view, page.front_matter_end, page.meta_lines.get("title"), page.meta.get("title"))
                  if view is not None else text)
        if staged is None:
            continue
        _write(docs_out / rel, staged.encode("utf-8"))
        written.append(rel)
    return written, set(generated)


def _config_text(cfg: SiteConfig, docs_name: str, custom_name: str | None, has_paths: bool, abbr: bool,
                 shim: bool, nav: list[Any] | None) -> str:
    root = sc.compose(cfg.config_file.read_text(encoding="utf-8-sig"))
    sc.remove_plugin(root, "kb")
    if nav is not None and not sc.has_key(root, "nav"):
        sc.set_nav(root, nav)
    sc.set_path(root, "docs_dir", docs_name)
    sc.set_path(root, "site_dir", "site")
    if custom_name:
        sc.set_path(root, "theme.custom_dir", custom_name)
    if has_paths:
        sc.ensure_extension(root, "md_in_html")
    if abbr:
        sc.ensure_extension(root, "abbr")
        sc.append_snippet(root, ".", ABBREVIATIONS)
    if shim:
        sc.add_polyfill(root, SHIM_URI)
    return sc.serialize(root, cfg.config_file.name)


def _fill(cfg: SiteConfig, corpus: Corpus, tmp: Path, today: _dt.date) -> list[str]:
    docs_name = _rel_name(cfg.docs_dir, cfg.root, "docs")
    shutil.copytree(cfg.docs_dir, tmp / docs_name, symlinks=False)
    custom = _custom_dir(cfg)
    custom_name = None
    if custom is not None and custom.is_dir():
        custom_name = _rel_name(custom, cfg.root, "overrides")
        shutil.copytree(custom, tmp / custom_name, symlinks=False)
    root = sc.compose(cfg.config_file.read_text(encoding="utf-8-sig"))
    shim = any(n in sc.plugin_names(root) for n in ("offline", "material/offline"))
    directory_urls = cfg.use_directory_urls  # (off with Material's offline plugin: config.load_config)
    pages, generated = _stage_pages(corpus, tmp / docs_name, today, directory_urls)
    written = [f"{docs_name}/{rel}" for rel in pages]
    terms, _problems = load_glossary(cfg.data_path)
    if terms:
        _write(tmp / ABBREVIATIONS, abbreviations_markdown(terms).encode("utf-8"))
        written.append(ABBREVIATIONS)
    if shim and not (tmp / docs_name / SHIM_URI).exists():
        _write(tmp / docs_name / SHIM_URI, SHIM_SRC.read_bytes())
        written.append(f"{docs_name}/{SHIM_URI}")
    has_paths = any(is_path_page(p) for p in corpus.pages.values())
    extra = cfg.raw.get("extra") if isinstance(cfg.raw.get("extra"), dict) else {}
    titles = extra.get("kb_section_titles") if isinstance(extra.get("kb_section_titles"), dict) else {}
    # An automatic nav written out; not with not_in_nav (those pages would need leaving out).
    nav = auto_nav(corpus, generated, titles) if cfg.nav is None and not cfg.not_in_nav else None
    (tmp / "mkdocs.yml").write_text(_config_text(cfg, docs_name, custom_name, has_paths, bool(terms), shim, nav),
                                    encoding="utf-8", newline="\n")
    written.append("mkdocs.yml")
    (tmp / MARKER).write_text(f"kb stage {today.isoformat()}\n", encoding="utf-8")
    return written


def stage_tree(cfg: SiteConfig, corpus: Corpus, out: Path, today: _dt.date) -> list[str]:
    """Write the staged tree to ``out`` (replacing an earlier one); returns the files kb wrote."""
    check_out(cfg, out)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.kb-stage-"))
    old = None
    try:
        written = _fill(cfg, corpus, tmp, today)
        if out.exists():
            old = out.with_name(f"{tmp.name}.old")
            os.replace(out, old)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not out.exists():
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return written
