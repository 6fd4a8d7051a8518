"""The staged tree's mkdocs.yml: the site's own, edited as a YAML node graph.

``yaml.compose`` keeps every tag unconstructed (``!!python/object/apply:…``, ``!ENV``), so the
copy names the same slugify callables and environment variables as the original; comments are
lost (a header says where the file came from). What changes, and why:

- the ``kb`` plugin is removed (an engine without it must not fail on an unknown plugin);
- ``docs_dir``, ``site_dir`` and ``theme.custom_dir`` point into the staged tree;
- ``md_in_html`` is listed when onboarding steps need it (the plugin adds it at build time);
- glossary tooltips: the stock ``abbr`` extension plus ``pymdownx.snippets`` ``auto_append`` of
  the glossary as ``*[TERM]: text`` lines (the plugin's Japanese-aware abbr needs Python);
- without a ``nav:``, the automatic nav is written out with the section titles the plugin gives
  folders (an engine without the plugin would name them after the folders: "Cloud", "Kb");
- with the offline plugin, the local iframe-worker shim is listed in ``extra.polyfills`` (the
  plugin adds it at build time; without it Material would load a copy from unpkg.com).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
HEADER = "# Written by `kb stage` from {source}: the kb plugin's work is done in this tree already.\n"


def _s(value: str) -> ScalarNode:
    return ScalarNode(STR, value)


def _get(mapping: Node, key: str) -> Node | None:
    if isinstance(mapping, MappingNode):
        for k, v in mapping.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return v
    return None


def _set(mapping: MappingNode, key: str, value: Node) -> Node:
    for i, (k, _v) in enumerate(mapping.value):
        if isinstance(k, ScalarNode) and k.value == key:
            mapping.value[i] = (k, value)
            return value
    mapping.value.append((_s(key), value))
    return value


def _item_name(item: Node) -> str | None:
    """``- name`` or ``- name: {options}`` in a plugins / markdown_extensions list."""
    if isinstance(item, ScalarNode):
        return str(item.value)
    if isinstance(item, MappingNode) and len(item.value) == 1 and isinstance(item.value[0][0], ScalarNode):
        return str(item.value[0][0].value)
    return None


def remove_plugin(root: MappingNode, name: str) -> bool:
    plugins = _get(root, "plugins")
    if isinstance(plugins, SequenceNode):
        before = len(plugins.value)
        plugins.value = [p for p in plugins.value if _item_name(p) != name]
        return len(plugins.value) != before
    if isinstance(plugins, MappingNode):
        before = len(plugins.value)
        plugins.value = [(k, v) for k, v in plugins.value if not (isinstance(k, ScalarNode) and k.value == name)]
        return len(plugins.value) != before
    return False


def plugin_names(root: MappingNode) -> list[str]:
    plugins = _get(root, "plugins")
    if isinstance(plugins, SequenceNode):
        return [n for n in map(_item_name, plugins.value) if n]
    if isinstance(plugins, MappingNode):
        return [str(k.value) for k, _v in plugins.value if isinstance(k, ScalarNode)]
    return []


def _extensions(root: MappingNode) -> SequenceNode:
    exts = _get(root, "markdown_extensions")
    if not isinstance(exts, SequenceNode):
        exts = _set(root, "markdown_extensions", SequenceNode(SEQ, []))
    return exts  # type: ignore[return-value]


def ensure_extension(root: MappingNode, name: str) -> None:
    exts = _extensions(root)
    if name not in [_item_name(e) for e in exts.value]:
        exts.value.append(_s(name))


def _string_list(node: Node | None) -> list[str] | None:
    if node is None:
        return []
    if isinstance(node, ScalarNode):
        return [str(node.value)]
    if isinstance(node, SequenceNode) and all(isinstance(v, ScalarNode) for v in node.value):
        return [str(v.value) for v in node.value]
    return None  # something we do not understand: leave it alone


def append_snippet(root: MappingNode, base: str, rel: str) -> bool:
    """Auto-append file ``rel`` (found under ``base``) to every page through pymdownx.snippets."""
    exts = _extensions(root)
    entry = next((e for e in exts.value if _item_name(e) == "pymdownx.snippets"), None)
    if entry is None:
        entry = MappingNode(MAP, [(_s("pymdownx.snippets"), MappingNode(MAP, []))])
        exts.value.append(entry)
    elif isinstance(entry, ScalarNode):
        i = exts.value.index(entry)
        entry = MappingNode(MAP, [(_s("pymdownx.snippets"), MappingNode(MAP, []))])
        exts.value[i] = entry
    opts = entry.value[0][1]
    if not isinstance(opts, MappingNode):
        return False
    bases = _string_list(_get(opts, "base_path"))
    appended = _string_list(_get(opts, "auto_append"))
    if bases is None or appended is None:
        return False
    bases = bases or ["."]  # pymdownx's default base_path: the folder the build runs in
    if base not in bases:
        bases.append(base)
    _set(opts, "base_path", SequenceNode(SEQ, [_s(b) for b in bases]))
    _set(opts, "auto_append", SequenceNode(SEQ, [_s(a) for a in dict.fromkeys([*appended, rel])]))
    return True


def add_polyfill(root: MappingNode, uri: str) -> None:
    """List ``uri`` in extra.polyfills, dropping remote iframe-worker copies (as the plugin does)."""
    extra = _get(root, "extra")
    if not isinstance(extra, MappingNode):
        extra = _set(root, "extra", MappingNode(MAP, []))
    current = _string_list(_get(extra, "polyfills")) or []
    kept = [p for p in current if not ("iframe-worker" in p and "://" in p)]
    if uri not in kept:
        kept.append(uri)
    _set(extra, "polyfills", SequenceNode(SEQ, [_s(p) for p in kept]))  # type: ignore[arg-type]


def set_path(root: MappingNode, dotted: str, value: str) -> None:
    node: Any = root
    *parents, last = dotted.split(".")
    for key in parents:
        child = _get(node, key)
        if not isinstance(child, MappingNode):
            return
        node = child
    if _get(node, last) is not None or not parents:
        _set(node, last, _s(value))


def has_key(root: MappingNode, key: str) -> bool:
    return _get(root, key) is not None


def _nav_node(items: list[Any]) -> SequenceNode:
    out: list[Node] = []
    for item in items:
        if isinstance(item, str):
            out.append(_s(item))
        else:
            title, child = item  # a section (title, [items]) or a titled page (title, path)
            out.append(MappingNode(MAP, [(_s(title), _s(child) if isinstance(child, str) else _nav_node(child))]))
    return SequenceNode(SEQ, out)


def set_nav(root: MappingNode, items: list[Any]) -> None:
    """``nav:`` from ``[path | (page title, path) | (section title, [items])]``."""
    _set(root, "nav", _nav_node(items))


def compose(text: str) -> MappingNode:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, MappingNode):
        raise ValueError("mkdocs.yml is not a mapping")
    return node


def serialize(root: MappingNode, source: str) -> str:
    return HEADER.format(source=source) + yaml.serialize(root, allow_unicode=True, width=120)
