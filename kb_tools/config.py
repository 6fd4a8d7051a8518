"""Reading ``mkdocs.yml``: the one configuration of the site and of every ``kb`` command.

We read the YAML ourselves rather than through ``mkdocs.config.load_config`` because that
imports and validates every plugin and theme (seconds, and it fails on a machine without them),
while ``kb check`` needs six values. The values that decide heading ids (the toc slugify
callable, its separator, attr_list) are resolved exactly as MkDocs resolves them.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb_tools.options import ExternalOptions, KbOptions, SecretsOptions, SourcesOptions, SystemsOptions  # noqa: F401
from kb_tools.parse.slugs import DEFAULT_SLUGIFY, Slugify, is_default_slugify


class ConfigError(Exception):
    """The configuration cannot be used: exit code 2."""


class _ConfigLoader(yaml.SafeLoader):
    pass


def _resolve(dotted: str) -> Any:
    module, _, attr = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"mkdocs.yml names '{dotted}', which cannot be imported: {exc}") from exc


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    return _resolve(suffix)


def _python_apply(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    fn = _resolve(suffix)
    if isinstance(node, yaml.SequenceNode):
        args, kwds = loader.construct_sequence(node, deep=True), {}
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        args, kwds = value.get("args", []), value.get("kwds", {})
    return fn(*args, **kwds)


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = items[:-1], items[-1]
    for name in names:
        if name in os.environ:
            return yaml.safe_load(os.environ[name])
    return default


def _relative(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/object/apply:", _python_apply)
_ConfigLoader.add_constructor("!ENV", _env)
_ConfigLoader.add_constructor("!relative", _relative)


@dataclass
class SiteConfig:
    config_file: Path
    root: Path  # folder of mkdocs.yml
    docs_dir: Path
    site_dir: Path
    site_name: str = ""
    nav: Any = None
    exclude_docs: str = ""
    not_in_nav: str = ""
    use_directory_urls: bool = True
    slugify: Slugify = DEFAULT_SLUGIFY
    slug_separator: str = "-"
    slugify_configured: bool = False
    attr_list: bool = False
    magiclink: bool = False  # pymdownx.magiclink is on: bare URLs in text are links
    absolute_links: str = "info"  # warn | info | ignore | relative_to_docs
    kb: KbOptions = field(default_factory=KbOptions)
    kb_plugin: bool = False  # the kb plugin is listed in mkdocs.yml
    theme_name: str = "mkdocs"
    theme_language: str = "en"  # theme.language (MkDocs' default: en): kb's default message language
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def data_path(self) -> Path:
        return self.docs_dir / self.kb.data_dir

    @property
    def cache_dir(self) -> Path:
        return self.root / ".kb" / "cache"


def _extensions(raw: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if isinstance(raw, dict):
        raw = [{k: v} for k, v in raw.items()]
    for item in raw or []:
        if isinstance(item, str):
            out[item] = {}
        elif isinstance(item, dict):
            for k, v in item.items():
                out[str(k)] = v if isinstance(v, dict) else {}
    return out


def _plugins(raw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(raw, dict):
        return {str(k): (v or {}) for k, v in raw.items()}
    for item in raw or []:
        if isinstance(item, str):
            out[item] = {}
        elif isinstance(item, dict):
            for k, v in item.items():
                out[str(k)] = v or {}
    return out


def load_config(path: str | os.PathLike[str] | None = None) -> SiteConfig:
    """Load ``mkdocs.yml`` (default: ./mkdocs.yml). Raises ConfigError with a clear message."""
    cfg_path = Path(path) if path else Path("mkdocs.yml")
    if not cfg_path.exists() and path is None and Path("mkdocs.yaml").exists():
        cfg_path = Path("mkdocs.yaml")
    if not cfg_path.is_file():
        raise ConfigError(f"{cfg_path}: no such configuration file (run kb in the folder of mkdocs.yml, or pass --config)")
    try:
        text = cfg_path.read_text(encoding="utf-8-sig")
        raw = yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - SafeLoader + MkDocs' tags
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{cfg_path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{cfg_path}{where}: not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{cfg_path}: not valid YAML: {exc}") from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{cfg_path}: must be a mapping of settings, not a {type(raw).__name__}")
    root = cfg_path.resolve().parent
    docs_dir = (root / str(raw.get("docs_dir", "docs"))).resolve()
    if not docs_dir.is_dir():
        raise ConfigError(f"{cfg_path}: docs_dir '{raw.get('docs_dir', 'docs')}' is not a folder")
    cfg = SiteConfig(
        config_file=cfg_path.resolve(), root=root, docs_dir=docs_dir,
        site_dir=(root / str(raw.get("site_dir", "site"))).resolve(), raw=raw,
    )
    cfg.site_name = str(raw.get("site_name", ""))
    cfg.nav = raw.get("nav")
    ex = raw.get("exclude_docs") or ""
    cfg.exclude_docs = "\n".join(ex) if isinstance(ex, list) else str(ex)
    nin = raw.get("not_in_nav") or ""
    cfg.not_in_nav = "\n".join(nin) if isinstance(nin, list) else str(nin)
    cfg.use_directory_urls = bool(raw.get("use_directory_urls", True))
    theme = raw.get("theme")
    cfg.theme_name = str(theme.get("name", "mkdocs") if isinstance(theme, dict) else (theme or "mkdocs"))
    cfg.theme_language = str(theme.get("language") or "en") if isinstance(theme, dict) else "en"
    exts = _extensions(raw.get("markdown_extensions"))
    toc = exts.get("toc") or exts.get("markdown.extensions.toc") or {}
    if "slugify" in toc:
        if not callable(toc["slugify"]):
            raise ConfigError(f"{cfg_path}: markdown_extensions.toc.slugify is not a callable")
        cfg.slugify = toc["slugify"]
        cfg.slugify_configured = not is_default_slugify(toc["slugify"])
    cfg.slug_separator = str(toc.get("separator", "-"))
    cfg.attr_list = "attr_list" in exts or "markdown.extensions.attr_list" in exts or "extra" in exts
    cfg.magiclink = "pymdownx.magiclink" in exts
    validation = raw.get("validation") or {}
    links = validation.get("links", {}) if isinstance(validation, dict) else {}
    if isinstance(links, dict) and "absolute_links" in links:
        cfg.absolute_links = str(links["absolute_links"])
    plugins = _plugins(raw.get("plugins"))
    # the effective value: Material's offline plugin turns directory URLs off (the site must work
    # from file://), so every URL kb writes (ledger tables, kb stage, site search) follows it
    offline = [v for k, v in plugins.items() if k in ("offline", "material/offline")]
    if any(not isinstance(v, dict) or v.get("enabled", True) is not False for v in offline):
        cfg.use_directory_urls = False
    if "kb" in plugins:
        cfg.kb_plugin = True
        try:
            cfg.kb = KbOptions.model_validate(plugins["kb"] or {})
        except ValueError as exc:  # pydantic's ValidationError
            errors = exc.errors() if hasattr(exc, "errors") else [{"loc": (), "msg": str(exc)}]
            msgs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
            raise ConfigError(f"{cfg_path}: plugins.kb: {msgs}") from exc
    return cfg
