"""A deterministic Japanese knowledge-base corpus with seeded faults, for tests and benchmarks.

    python bench/corpus.py OUT [--pages N] [--seed S]

writes OUT/mkdocs.yml, OUT/docs/ (index.md, N pages in area folders, images, docs/_data/
roster.yml and taxonomy.yml) and OUT/expected_faults.json:

    {"generator": 1, "params": {...}, "counts": {rule: n},
     "faults": [{"file": "cloud/0001-….md", "line": 12, "rule": "link.missing-target", "target": "…"}]}

Every fault the generator plants is listed with the line ``kb check`` must report it on; nothing
else in the corpus is wrong, so any other finding of those rules is a false positive. The same
(pages, seed) always gives byte-identical output. Importable: ``generate(out, pages, seed)``.
"""

from __future__ import annotations

import argparse
import json
import random
import struct
import zlib
from urllib.parse import quote
from pathlib import Path

GENERATOR_VERSION = 1
SEEDED_RULES = ("link.missing-target", "link.missing-anchor", "asset.missing", "meta.required",
                "meta.invalid", "meta.unknown-tag", "meta.unknown-owner")

AREAS = ("cloud", "network", "procurement", "security", "data", "apps", "infra", "handover")
ROLES = {  # id: (name, holder)
    "infra": ("インフラ担当", "担当者A"), "network": ("ネットワーク担当", "担当者B"),
    "procurement": ("調達担当", "担当者C"), "security": ("情報セキュリティ担当", "担当者D"),
    "data": ("データ活用担当", "担当者E"), "dx": ("DX推進担当", "担当者F"),
    "apps": ("オンライン申請担当", "担当者G"), "kb": ("ナレッジベース管理担当", "担当者H"),
}
TAGS = {  # id: aliases
    "ガバメントクラウド": ["ガバクラ"], "ネットワーク": ["NW"], "調達": [], "契約": [], "セキュリティ": [],
    "バックアップ": [], "仮想化": [], "アカウント": ["ID管理"], "障害対応": ["インシデント"],
    "データ活用": ["EBPM"], "kintone": [], "LGWAN": [], "無線LAN": ["Wi-Fi"], "経費": ["コスト"],
    "引継ぎ": [], "手順": [], "点検": [], "標準化": [], "統計": [], "個人情報": [],
}
NOUNS = ("庁内", "基幹", "業務", "端末", "回線", "認証", "資産", "台帳", "監視", "予算", "契約", "仕様",
         "検収", "運用", "保守", "移行", "統計", "住民", "申請", "帳票", "権限", "暗号", "通信", "設定",
         "更新", "障害", "復旧", "点検", "記録", "規程", "研修", "調達", "評価", "委託", "報告", "費用")
SUFFIXES = ("の運用手順", "の確認手順", "の考え方", "チェックリスト", "の基礎", "の設定手順", "の見直し",
            "の記録方法", "の進め方", "の一覧")
HEADS = ("目的", "対象と前提", "手順", "確認", "切り戻し", "背景", "注意点", "用語", "関連する決まり", "記録")
PHRASES = ("担当者は", "毎月", "事業者へ", "庁内LANの", "ガバメントクラウド上の", "申請があったときは",
           "年度末までに", "係長の確認を受けて", "記録表に", "障害が起きたら", "端末の", "サーバーの")
VERBS = ("確認する。", "記録する。", "報告する。", "見直す。", "設定を変更する。", "連絡する。",
         "保存する。", "手配する。", "点検する。", "照会する。")

# The site's heading ids (pymdownx slugify, lower case) and attr_list: shared by every generated
# site, the tests' docs trees and the benchmarks, so ids are computed one way everywhere.
MARKDOWN_YML = """\
markdown_extensions:
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - attr_list
"""

MKDOCS_YML = """\
site_name: 生成コーパス
docs_dir: docs
exclude_docs: |
  _data/
theme:
  name: material
  language: ja
plugins:
  - search:
      lang: ja
""" + MARKDOWN_YML + """validation:
  links:
    not_found: warn
    anchors: warn
    absolute_links: warn
    unrecognized_links: warn
"""


def _png(r: int, g: int, b: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"\x00" + bytes((r, g, b))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _slug(text: str) -> str:
    from pymdownx.slugs import slugify  # the corpus' configured slugify: ids match the site

    return slugify(case="lower")(text, "-")


def _rel(src: str, dst: str) -> str:
    up = src.count("/")
    return "../" * up + dst


class _Page:
    def __init__(self, path: str, title: str) -> None:
        self.path = path
        self.title = title
        self.heads: list[str] = []
        self.lines: list[str] = []

    def add(self, text: str = "") -> int:
        self.lines.append(text)
        return len(self.lines)  # 1-based line of what was just added


def _plan(rng: random.Random, n: int) -> list[_Page]:
    pages, seen = [], set()
    for i in range(1, n + 1):
        area = AREAS[i % len(AREAS)]
        while True:
            title = rng.choice(NOUNS) + rng.choice(NOUNS) + rng.choice(SUFFIXES)
            if title not in seen:
                break
            title = f"{title}（{i}）"
            if title not in seen:
                break
        seen.add(title)
        pg = _Page(f"{area}/{i:04d}-p.md", title)
        pg.heads = rng.sample(HEADS, rng.randint(3, 6))
        pages.append(pg)
    return pages


def _front_matter(pg: _Page, rng: random.Random, p: argparse.Namespace, faults: list[dict],
                  systems: list[str] | None = None) -> None:
    def fault(line: int, rule: str, target: str) -> None:
        faults.append({"file": pg.path, "line": line, "rule": rule, "target": target})

    pg.add("---")
    pg.add(f"title: {pg.title}")
    pg.add(f"description: {pg.title}について、担当者が迷わず作業できるように要点をまとめたページです。")
    kind = "runbook" if "手順" in pg.title else ("checklist" if "チェック" in pg.title else "guide")
    pg.add(f"type: {kind}")
    roles = list(ROLES)
    owner = rng.choice(roles)
    r = rng.random()
    if r < p.missing_owner:
        fault(1, "meta.required", "owner")
    elif r < p.missing_owner + p.unknown_owner:
        bad = owner + "x"
        fault(pg.add(f"owner: {bad}"), "meta.unknown-owner", bad)
    else:
        pg.add(f"owner: {owner}")
    pg.add(f"deputy: {rng.choice([x for x in roles if x != owner])}")
    pg.add("status: active")
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    if rng.random() < p.bad_date:
        fault(pg.add(f"last_reviewed: 2026-{month:02d}-{day + 31}"), "meta.invalid", f"2026-{month:02d}-{day + 31}")
    else:
        pg.add(f"last_reviewed: 2026-{month:02d}-{day:02d}")
    pg.add("review_every: 3650")
    tags = rng.sample(sorted(TAGS), 2)
    shown = [TAGS[t][0] if TAGS[t] and rng.random() < 0.2 else t for t in tags]  # aliases are valid
    if rng.random() < p.unknown_tag:
        shown.append(shown[0] + "ほか")
        line = pg.add(f"tags: [{', '.join(shown)}]")
        fault(line, "meta.unknown-tag", shown[-1])
    else:
        pg.add(f"tags: [{', '.join(shown)}]")
    if systems:
        pg.add(f"systems: [{', '.join(systems)}]")
    pg.add("---")
    pg.add()


def _body(pg: _Page, rng: random.Random, p: argparse.Namespace, pages: list[_Page], faults: list[dict]) -> None:
    def fault(line: int, rule: str, target: str) -> None:
        faults.append({"file": pg.path, "line": line, "rule": rule, "target": target})

    pg.add(f"# {pg.title}")
    pg.add()
    for head in pg.heads:
        pg.add(f"## {head}")
        pg.add()
        for _ in range(rng.randint(1, 3)):
            words = "".join(rng.choice(PHRASES) for _ in range(rng.randint(2, 4)))
            sentence = f"{rng.choice(NOUNS)}{rng.choice(NOUNS)}について、{words}{rng.choice(VERBS)}"
            if rng.random() < 0.6:
                other = rng.choice(pages)
                target = _rel(pg.path, other.path)
                roll = rng.random()
                if roll < p.broken_links:
                    target = target.replace("-p.md", "-gone.md")
                    line = pg.add(f"{sentence}詳しくは[{other.title}]({target})を参照する。")
                    fault(line, "link.missing-target", target)
                    pg.add()
                    continue
                if roll < p.broken_links + p.anchors:
                    if rng.random() < p.broken_anchors:
                        target += "#" + _slug("存在しない見出し" + str(rng.randint(1, 99)))
                        line = pg.add(f"{sentence}[{other.title}]({target})も見る。")
                        fault(line, "link.missing-anchor", target)
                        pg.add()
                        continue
                    frag = _slug(rng.choice(other.heads))
                    # valid but percent-encoded: MkDocs 1.6 wrongly reports these, kb must not
                    target += "#" + (quote(frag) if rng.random() < p.pct_anchors else frag)
                sentence += f"[{other.title}]({target})も見る。"
            pg.add(sentence)
            pg.add()
        if rng.random() < p.images:
            src = _rel(pg.path, f"img/{rng.randint(0, p.n_images - 1)}.png")
            if rng.random() < p.missing_assets:
                src = src.replace(".png", "-missing.png")
                fault(pg.add(f"![図]({src})"), "asset.missing", src)
            else:
                pg.add(f"![図]({src})")
            pg.add()


def _registries(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    roster = ["# ロール台帳（生成）"]
    for rid, (name, person) in ROLES.items():
        roster += [f"{rid}:", f"  name: {name}", "  holders:", f"    - {{person: {person}, since: 2024-04-01}}"]
    (data / "roster.yml").write_text("\n".join(roster) + "\n", encoding="utf-8")
    tax = ["# タグ（生成）"]
    for tag, aliases in TAGS.items():
        tax.append(f"{tag}:")
        tax.append(f"  label: {tag}")
        if aliases:
            tax.append(f"  aliases: [{', '.join(aliases)}]")
    (data / "taxonomy.yml").write_text("\n".join(tax) + "\n", encoding="utf-8")


CATEGORIES = (("standard", "my-number", "gov-cloud"), ("internal", "lgwan", "data-center"),
              ("network", "lgwan", "on-premises"), ("saas", "internet", "saas"), ("infra", "lgwan", "on-premises"))


def _ledger(data: Path, plan: list[_Page], n: int, seed: int) -> dict[str, list[str]]:
    """Write ``n`` systems to systems.yml; returns page path -> system ids it names."""
    srng = random.Random(seed * 7919 + 1)
    runbooks = [pg.path for pg in plan if "手順" in pg.title] or [plan[0].path]
    roles = list(ROLES)
    lines = ["# システム台帳（生成、サンプル値）", "systems:"]
    named: dict[str, list[str]] = {}
    for i in range(n):
        sid = f"sys{i:04d}"
        cat, tier, hosting = CATEGORIES[i % len(CATEGORIES)]
        owner, deputy = srng.sample(roles, 2)
        start = 2022 + srng.randint(0, 3)
        end_year, end_month = start + srng.randint(3, 6), srng.choice((3, 9))
        rb = srng.sample(runbooks, min(3, len(runbooks)))
        rb += [rb[-1]] * (3 - len(rb))
        lines += [f"  - id: {sid}", f"    name: {srng.choice(NOUNS)}{srng.choice(NOUNS)}システム{i}",
                  f"    category: {cat}", f"    tier: {tier}", f"    hosting: {hosting}",
                  f"    owner: {owner}", f"    deputy: {deputy}", f"    vendor: 事業者{chr(65 + i % 26)}",
                  f"    contract: {{number: G-{i:04d}, start: {start}-04-01, end: {end_year}-{end_month:02d}-"
                  f"{31 if end_month == 3 else 30}}}",
                  f"    support_end: {end_year + 1}-03-31", "    status: active",
                  f"    runbooks: {{restore: {rb[0]}, account: {rb[1]}, incident: {rb[2]}}}"]
        for path in srng.sample([pg.path for pg in plan], min(3, len(plan))):
            named.setdefault(path, []).append(sid)
    (data / "systems.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return named


def generate(out: Path, pages: int = 1000, seed: int = 1, systems: int = 0, **rates: float) -> dict:
    """Write the corpus into ``out`` (created); returns the expected-faults document.

    ``systems`` > 0 also writes a system ledger (``_data/systems.yml``) of that many systems and
    names them in some pages' front matter; the pages are otherwise byte-identical to a corpus
    without a ledger (a separate random stream), so the two can be compared side by side.
    """
    p = argparse.Namespace(broken_links=0.02, anchors=0.1, broken_anchors=0.2, pct_anchors=0.2, images=0.3, missing_assets=0.05,
                           missing_owner=0.01, unknown_owner=0.02, bad_date=0.02, unknown_tag=0.02, n_images=8)
    for k, v in rates.items():
        setattr(p, k, v)
    rng = random.Random(seed)
    out = Path(out)
    docs = out / "docs"
    (docs / "img").mkdir(parents=True, exist_ok=True)
    (out / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    _registries(docs / "_data")
    for i in range(p.n_images):
        (docs / "img" / f"{i}.png").write_bytes(_png(i * 30 % 256, 90, 160))
    plan = _plan(rng, pages)
    named = _ledger(docs / "_data", plan, systems, seed) if systems else {}
    faults: list[dict] = []
    for pg in plan:
        _front_matter(pg, rng, p, faults, named.get(pg.path))
        _body(pg, rng, p, plan, faults)
        path = docs / pg.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(pg.lines) + "\n", encoding="utf-8")
    index = ["---", "title: 生成コーパス", "description: ベンチマーク用に生成したページの入口です。", "type: guide",
             "owner: kb", "deputy: infra", "status: active", "last_reviewed: 2026-11-01", "review_every: 3650",
             "---", "", "# 生成コーパス", ""]
    index += [f"- [{pg.title}]({pg.path})" for pg in plan]
    (docs / "index.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    faults.sort(key=lambda f: (f["file"], f["line"], f["rule"], f["target"]))
    counts: dict[str, int] = {}
    for f in faults:
        counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    doc = {"generator": GENERATOR_VERSION, "params": {"pages": pages, "seed": seed, **vars(p)},
           "counts": dict(sorted(counts.items())), "faults": faults}
    (out / "expected_faults.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return doc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--systems", type=int, default=0, help="also write a system ledger of this many systems")
    a = ap.parse_args()
    doc = generate(a.outdir, a.pages, a.seed, a.systems)
    print(f"{a.pages} pages, {len(doc['faults'])} seeded faults: {doc['counts']}")


if __name__ == "__main__":
    main()
