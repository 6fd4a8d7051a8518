"""The ``kb`` MkDocs plugin: a thin adapter over kb_tools' core.

It builds the Corpus once per build, reports the findings of ``kb check`` through the MkDocs
logger (so ``mkdocs build --strict`` fails on errors), adds the generated pages, renders the
steps of onboarding paths, hands per-page metadata to the theme override, and wires the
glossary tooltips and the offline search shim. Every decision is made in the core
(kb_tools.site.pages, kb_tools.checks.engine, kb_tools.schedule): Material announces end of life in 2027.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from kb_tools import i18n
from kb_tools.config import ConfigError, KbOptions, load_config
from kb_tools.i18n import _
from kb_tools.findings import Severity
from kb_tools.site.stage import SHIM_SRC, SHIM_URI  # noqa: F401 - one local shim for the plugin and kb stage

log = get_plugin_logger(__name__)

TODAY_ENV = "KB_TODAY"  # pretend today is this date (tests, screenshots)


def _options() -> dict[str, Any]:
    # Every KbOptions field is accepted here untyped and validated by pydantic in on_config,
    # with the same messages as the CLI.
    return {name: c.Optional(c.Type(object)) for name in KbOptions.model_fields if name != "enabled"}


KbPluginConfig = type("KbPluginConfig", (base.Config,), {"enabled": c.Type(bool, default=True), **_options()})


def _today() -> _dt.date:
    value = os.environ.get(TODAY_ENV)
    if value:
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            raise PluginError(f"{TODAY_ENV}={value!r} is not a date in YYYY-MM-DD form") from None
    return _dt.date.today()


def finding_text(f: Any) -> str:
    """``path:line:col: KB201 message (hint)``: what ``kb check`` prints, severity as log level."""
    loc = f"{f.path}:{f.line}:{f.column}" if f.column else f"{f.path}:{f.line}"
    return f"{loc}: {f.code} {f.message}" + (f" ({f.hint})" if f.hint else "")


class KbPlugin(BasePlugin[KbPluginConfig]):  # type: ignore[valid-type,misc]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.opts = KbOptions()
        self.site_cfg: Any = None
        self.corpus: Any = None
        self.today = _dt.date.today()
        self.is_serve = False
        self.japanese_search: Any = None
        self._shim = False
        self._files_by_src: dict[str, File] = {}

    # ------------------------------------------------------------------ config

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.is_serve = command == "serve"

    @event_priority(100)  # before Material's offline plugin, which otherwise adds the CDN shim
    def on_config(self, config: Any) -> Any:
        if not self.config.enabled:
            return config
        given = {k: v for k, v in self.config.items() if v is not None and k != "enabled"}
        try:
            self.opts = KbOptions.model_validate(given)
        except Exception as exc:  # pydantic ValidationError: same text as the CLI
            errors = getattr(exc, "errors", lambda: [])()
            msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors) or str(exc)
            raise PluginError(f"plugins.kb: {msg}") from exc
        self.today = _today()
        self.site_cfg = None
        self._shim = False
        i18n.set_language(i18n.choose(None, i18n.env_language(), None))
        if config.config_file_path:
            try:
                self.site_cfg = load_config(config.config_file_path)
            except ConfigError as exc:
                raise PluginError(str(exc)) from exc
            i18n.set_language(i18n.choose(None, i18n.env_language(), self.site_cfg.theme_language))
            self.site_cfg.kb = self.opts
        else:
            log.warning(_("no mkdocs.yml path known: kb checks and generated pages are skipped"))
        self._configure_markdown(config)
        self._configure_offline(config)
        self.japanese_search = None
        if self.opts.japanese_search:
            from kb_tools.site import search_glue

            self.japanese_search = search_glue
            warning = search_glue.check_material()
            if warning:
                log.warning(warning)
        return config

    def _configure_markdown(self, config: Any) -> None:
        exts = config.markdown_extensions
        if self.site_cfg is None:
            return
        from kb_tools.site.pages.glossary import KbAbbrExtension, abbreviations, load_glossary

        terms, problems = load_glossary(self.site_cfg.data_path)
        for p in problems:
            log.warning(p)
        if not terms:
            return
        # Replace the stock abbr (its \b misses terms next to Japanese text) by ours.
        for name in ("abbr", "markdown.extensions.abbr"):
            if name in exts:
                exts.remove(name)
                config.mdx_configs.pop(name, None)
        exts.append(KbAbbrExtension(glossary=abbreviations(terms)))

    def _configure_offline(self, config: Any) -> None:
        if not any(n in config.plugins for n in ("material/offline", "offline")):
            return
        polyfills = [p for p in config.extra.get("polyfills", []) or []
                     if not ("iframe-worker" in str(p) and "://" in str(p))]
        if SHIM_URI not in [str(p) for p in polyfills]:
            polyfills.append(SHIM_URI)
        config.extra["polyfills"] = polyfills
        self._shim = True

    # ------------------------------------------------------------------ files

    @event_priority(-50)  # after other plugins added their files
    def on_files(self, files: Files, *, config: Any) -> Files:
        if not self.config.enabled:
            return files
        if self._shim and files.get_file_from_path(SHIM_URI) is None:
            files.append(File.generated(config, SHIM_URI, content=SHIM_SRC.read_bytes()))
        if self.site_cfg is None:
            return files
        from kb_tools.corpus import build_corpus
        from kb_tools.checks.engine import run_checks

        # Rebuilt on each build (also under `mkdocs serve`); the parse cache keeps it cheap.
        try:
            corpus = build_corpus(self.site_cfg)
        except FileNotFoundError as exc:
            raise PluginError(str(exc)) from exc
        self.corpus = corpus
        # the effective value (Material's offline plugin turns it off in its on_config)
        corpus.config.use_directory_urls = bool(config.get("use_directory_urls", True))
        # A plain MkDocs project (no roster, no taxonomy) is never failed for missing kb metadata:
        # Corpus.kb_metadata decides that, for kb check and the plugin alike.
        if self.opts.generated_pages:
            from kb_tools.site.pages import generate
            from kb_tools.site.pages.onboarding import is_path_page

            exts = config.markdown_extensions
            if any(is_path_page(p) for p in corpus.pages.values()) and not (
                    {"md_in_html", "markdown.extensions.md_in_html", "extra"} & {str(e) for e in exts}):
                # Onboarding steps are md_in_html blocks; MkDocs makes the Markdown instance
                # per page, later, so adding it here is in time (and costs nothing without paths).
                exts.append("md_in_html")

            from kb_tools.site.pages.systems import in_nav

            for path, text in generate(corpus, self.today).items():
                if files.get_file_from_path(path) is None:
                    inclusion = InclusionLevel.UNDEFINED if in_nav(path) else InclusionLevel.NOT_IN_NAV
                    files.append(File.generated(config, path, content=text, inclusion=inclusion))
                corpus.generated.add(path)
        from kb_tools.checks.systems import CALENDAR_RULES

        try:
            result = run_checks(corpus, today=self.today)
        except ConfigError as exc:
            raise PluginError(str(exc)) from exc
        for f in result.findings:
            text = finding_text(f)
            if not self.opts.strict or f.rule.startswith("review.") or f.rule in CALENDAR_RULES:
                # A page past its review date still gets published (with its banner and a line
                # on the review dashboard): the calendar alone must never stop `--strict`.
                log.info(text)
            elif f.severity is Severity.ERROR:
                log.error(text)
            elif f.severity is Severity.WARNING:
                log.warning(text)
            else:
                log.info(text)
        s = result.summary()
        log.info(_("{pages} pages checked: {errors} errors, {warnings} warnings").format(
            pages=s["pages"], errors=s["errors"], warnings=s["warnings"]))
        return files

    def on_nav(self, nav: Any, *, config: Any, files: Files) -> Any:
        if not self.config.enabled or self.corpus is None:
            return nav
        from kb_tools.site.pages import SECTION, SECTION_TITLE, SECTION_TITLES

        # Auto nav names sections after folders ("cloud"): use the title of the folder's index
        # page, else extra.kb_section_titles {folder path: title} from mkdocs.yml.
        titles = config.extra.get("kb_section_titles") or {}
        if not isinstance(titles, dict):
            titles = {}
        titles = {**SECTION_TITLES, **titles}

        def walk(items: list[Any]) -> None:
            for item in items:
                if not getattr(item, "is_section", False):
                    continue
                walk(item.children)
                folder = self._section_folder(item)
                if folder is not None and str(folder) in titles:
                    item.title = str(titles[folder])
                for child in item.children:
                    f = getattr(child, "file", None)
                    if f is None or f.name not in ("index", "README"):
                        continue
                    if f.src_uri == f"{SECTION}/index.md" and f.generated_by:
                        item.title = SECTION_TITLE
                    elif f.src_uri in self.corpus.pages:
                        item.title = self.corpus.pages[f.src_uri].title
                    break

        walk(nav.items)
        return nav

    @staticmethod
    def _section_folder(section: Any) -> str | None:
        """The docs folder an auto-nav section stands for (from the first page below it)."""
        depth = 0
        node = section
        while getattr(node, "parent", None) is not None:
            depth += 1
            node = node.parent
        stack = list(section.children)
        while stack:
            item = stack.pop(0)
            f = getattr(item, "file", None)
            if f is not None:
                parts = f.src_uri.split("/")
                return "/".join(parts[: depth + 1]) if len(parts) > depth + 1 else None
            stack.extend(getattr(item, "children", None) or [])
        return None

    # ------------------------------------------------------------------ pages

    @event_priority(50)  # before the tags plugin reads page.meta
    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        if not self.config.enabled or self.corpus is None:
            return markdown
        from markupsafe import escape

        title = page.meta.get("title")
        if isinstance(title, str) and any(ch in title for ch in "<>&\"'"):
            # Material prints titles unescaped in <title>, nav and search: escape at the source.
            page.meta["title"] = escape(title)
        kb_page = self.corpus.pages.get(page.file.src_uri)
        if kb_page is None:
            return markdown
        tags = page.meta.get("tags")
        if isinstance(tags, list):  # aliases → the taxonomy's label (one chip per tag)
            reg = self.corpus.registry
            labels = []
            for t in tags:
                tid = reg.resolve_tag(str(t))
                label = reg.tag_label(tid) if tid else str(t)
                if label not in labels:
                    labels.append(label)
            page.meta["tags"] = labels
        if self.opts.generated_pages:
            from kb_tools.site.pages import onboarding

            if onboarding.is_path_page(kb_page):
                with i18n.language(self.corpus.config.theme_language):  # the site's language, not the shell's
                    markdown = onboarding.render_into(markdown, onboarding.steps_markdown(self.corpus, kb_page))
        return markdown

    def on_page_context(self, context: dict[str, Any], *, page: Any, config: Any, nav: Any) -> dict[str, Any]:
        if not self.config.enabled or self.corpus is None:
            return context
        kb_page = self.corpus.pages.get(page.file.src_uri)
        if kb_page is None:
            return context
        from kb_tools.checks.systemlinks import contract_dues, systems_of_page
        from kb_tools.site.pages.view import page_view

        view = page_view(kb_page, self.corpus.registry, self.opts, self.today,
                         contract_dues(self.corpus).get(kb_page.path),
                         [s.name for s in systems_of_page(self.corpus, kb_page.path)]).as_dict()
        view["replaced_by_url"] = ""
        if view["replaced_by"]:
            target = self._files_by_src.get(view["replaced_by"])
            if target is not None:
                view["replaced_by_url"] = target.url
                view["replaced_by_title"] = self.corpus.pages[target.src_uri].title if target.src_uri in self.corpus.pages else target.src_uri
        context["kb_page"] = view
        return context

    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        self._files_by_src = {f.src_uri: f for f in files if f.inclusion is not InclusionLevel.EXCLUDED}
        return env

    # ------------------------------------------------------------------ after

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        if not self.config.enabled or self.japanese_search is None:
            return output
        return self.japanese_search.inject(output, page.url)

    def on_post_build(self, *, config: Any) -> None:
        if not self.config.enabled or self.japanese_search is None or self.corpus is None:
            return
        urls = {src: f.url for src, f in self._files_by_src.items() if src in self.corpus.pages}
        rep = self.japanese_search.post_build(Path(config["site_dir"]), self.corpus, urls,
                                              bool(config.get("use_directory_urls", True)))
        log.info(rep.summary())

    def on_shutdown(self) -> None:
        self.corpus = None
