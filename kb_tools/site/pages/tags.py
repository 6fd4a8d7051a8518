"""タグ一覧: every tag of the taxonomy (label, reading, aliases) with the pages that carry it."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from kb_tools.parse import slugs
from kb_tools.corpus import Corpus
from kb_tools.site.pages import _md
from kb_tools.site.pages.view import STATUS_LABELS

PATH = "kb/tags.md"
TITLE = "タグ一覧"


def _page_tags(corpus: Corpus) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(tag id -> page paths, unknown tag as written -> page paths), both sorted."""
    known: dict[str, set[str]] = defaultdict(set)
    unknown: dict[str, set[str]] = defaultdict(set)
    for path, page in corpus.pages.items():
        raw = page.meta.get("tags")
        values = raw if isinstance(raw, list) else ([raw] if isinstance(raw, str) else [])
        for t in values:
            if not isinstance(t, (str, int, float)) or isinstance(t, bool):
                continue
            tid = corpus.registry.resolve_tag(str(t))
            (known[tid] if tid else unknown[str(t)]).add(path)
    return ({k: sorted(v) for k, v in known.items()}, {k: sorted(v) for k, v in unknown.items()})


def gojuon_key(reading: str) -> str:
    """Sort key in 五十音 order: voicing marks and the long-vowel mark do not count first."""
    base = unicodedata.normalize("NFD", reading.lower())
    base = "".join(c for c in base if not unicodedata.combining(c) and c != "ー")
    return unicodedata.normalize("NFC", base)


def _sort_key(corpus: Corpus, tid: str) -> tuple[str, str, str]:
    tag = corpus.registry.tags.get(tid)
    reading = (tag.reading or tag.label) if tag else tid
    return (gojuon_key(reading), reading, tid)


def _page_line(corpus: Corpus, path: str) -> str:
    page = corpus.pages[path]
    line = f"- {_md.link(PATH, path, page.title)}"
    status = page.meta.get("status")
    if isinstance(status, str) and status != "active":
        line += f"（{_md.text(STATUS_LABELS.get(status, status))}）"
    # No descriptions: at 1,000 pages the index would weigh ~650 KB (slow to build and to open).
    return line


def tags_markdown(corpus: Corpus) -> str:
    """The tag index page (Markdown with front matter), deterministic."""
    known, unknown = _page_tags(corpus)
    reg = corpus.registry
    ids = sorted(set(reg.tags) | set(known), key=lambda t: _sort_key(corpus, t))
    out = [_md.front_matter(TITLE, "タグごとのページ一覧（自動生成）") + f"# {TITLE}\n",
           "タグの読み（五十音順）で並べています。このページは自動で作られます（編集しないでください）。\n"]
    if not ids and not unknown:
        out.append("タグの付いたページはまだありません。\n")
        return "\n".join(out)
    # Heading ids as the site's toc will make them (same slugify, same _1 de-duplication).
    heads = [TITLE] + [_md.text(reg.tags[t].label if t in reg.tags else t) for t in ids]
    anchors = slugs.assign_ids(((slugs.heading_text(h), None) for h in heads), corpus.config.slugify,
                               corpus.config.slug_separator)[1:]
    out.append("| タグ | 読み | ページ数 |\n| --- | --- | ---: |")
    for tid, anchor in zip(ids, anchors):
        tag = reg.tags.get(tid)
        label = tag.label if tag else tid
        cell = f"[{_md.text(label)}](#{anchor})" if anchor and " " not in anchor else _md.text(label)
        out.append(f"| {cell} | {_md.text(tag.reading if tag else '')} | {len(known.get(tid, []))} |")
    out.append("")
    for tid in ids:
        tag = reg.tags.get(tid)
        out.append(f"## {_md.text(tag.label if tag else tid)}\n")
        info = []
        if tag and tag.reading:
            info.append(f"読み: {_md.text(tag.reading)}")
        if tag and tag.aliases:
            info.append("別名: " + "、".join(_md.text(a) for a in tag.aliases))
        if info:
            info_line = " ／ ".join(info)
            out.append(f"{info_line}\n")
        pages = known.get(tid, [])
        out.extend(_page_line(corpus, p) for p in pages)
        if not pages:
            out.append("このタグの付いたページはありません。")
        out.append("")
    if unknown:
        out.append("## タグ語彙にないタグ\n")
        out.append("次のタグは taxonomy.yml にありません（`kb check` が報告します）。\n")
        for t in sorted(unknown):
            out.append(f"- {_md.text(t)}: " + "、".join(_md.link(PATH, p, corpus.pages[p].title) for p in unknown[t]))
        out.append("")
    return "\n".join(out)
