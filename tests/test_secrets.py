"""The secret scan on a labelled corpus: every planted secret found and masked, no placeholder
or look-alike reported; end to end through ``kb check`` (json, sarif), config and kb_ignore."""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_tools.analyzers.secrets import mynumber
from kb_tools.analyzers.secrets import scan as _scan
from kb_tools.analyzers.secrets.scan import scan_text

# (line of text, rule, the secret value that must be found and never printed)
PLANTED = [
    ("aws_access_key_id = AKIA4QWERTYZXCVB7NMK", "secret.aws-key", "AKIA4QWERTYZXCVB7NMK"),
    ("aws_secret_access_key = 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", "secret.aws-key",
     "Xq3v9Lk2Pz8Rw1Ty6Uo0Ia5Sd4Fg7Hj2Kl9Zx3Cv"),
    ("AWS Secret Access Key [None]: Q7w8E9r0T1y2U3i4O5p6A7s8D9f0G1h2J3k4L5z6", "secret.aws-key",
     "Q7w8E9r0T1y2U3i4O5p6A7s8D9f0G1h2J3k4L5z6"),
    ("aws sts ... ASIAY3FZK2LQ5PWN7XRT を使う", "secret.aws-key", "ASIAY3FZK2LQ5PWN7XRT"),
    ("初期パスワード：Kanri#2024", "secret.password", "Kanri#2024"),
    ("パスワード: Tokyo2024!", "secret.password", "Tokyo2024!"),
    ("**パスワード**：「Shiyakusho88」", "secret.password", "Shiyakusho88"),
    ("PW：Rt5#kq9w", "secret.password", "Rt5#kq9w"),
    ("mysql -u app --pass=S3cretPass -h db", "secret.password", "S3cretPass"),
    ("password: hunter2x", "secret.password", "hunter2x"),
    ('DB_PASSWORD="correct horse"', "secret.password", "correct"),
    ("  MYSQL_ROOT_PASSWORD: Zk8!pq2LmN", "secret.password", "Zk8!pq2LmN"),
    ("| 管理者パスワード | Adm1n-2024 |", "secret.password", "Adm1n-2024"),
    ("暗証番号：4821937", "secret.password", "4821937"),
    ("curl -H 'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0Zq'", "secret.token",
     "9f8e7d6c5b4a39281706f5e4d3c2b1a0Zq"),
    ("token: ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "secret.token", "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
    ("SLACK=xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrSt", "secret.token", "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrSt"),
    ("api_key = 'sk9Hq2Lm7Xv4Tz8Rb3Nc6Wd1'", "secret.token", "sk9Hq2Lm7Xv4Tz8Rb3Nc6Wd1"),
    ("APIキー：Qm9Xz7Lk3Vb8Nw2Rt6Yp4", "secret.token", "Qm9Xz7Lk3Vb8Nw2Rt6Yp4"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "secret.token",
     "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    ("postgres://kbapp:Pg9xQ2wE@db01.corp.internal:5432/kb", "secret.connection-string", "Pg9xQ2wE"),
    ("mongodb+srv://admin:Mg7Zk2pX@cluster0.mongodb.net/test", "secret.connection-string", "Mg7Zk2pX"),
    ("X-Cybozu-API-Token: a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0", "secret.kintone-token",
     "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0"),
    ("'X-Cybozu-Authorization': 'dGFuYWthOktpbnRvbmUjOTk='", "secret.kintone-token", "dGFuYWthOktpbnRvbmUjOTk="),
    ("マイナンバー：1234 5678 9018", "secret.mynumber", "1234 5678 9018"),
    ("個人番号 123456789018 を確認", "secret.mynumber", "123456789018"),
    ("申請者の番号は ４７２９−３８１０−５６４１ です", "secret.mynumber", "４７２９−３８１０−５６４１"),
    ("担当者A 携帯 090-2345-6789", "secret.phone", "090-2345-6789"),
    ("直通 03-1234-5678 まで", "secret.phone", "03-1234-5678"),
    ("連絡先：０４５（２２３）４５６７", "secret.phone", "０４５（２２３）４５６７"),
    ("TEL +81-80-3456-7890", "secret.phone", "+81-80-3456-7890"),
    ("連絡は tanaka.ichiro@city.kawasaki.lg.jp へ", "secret.email", "tanaka.ichiro@city.kawasaki.lg.jp"),
    ("申請者住所：神奈川県横浜市中区本町6丁目50番地", "secret.address", "神奈川県横浜市中区本町6丁目50"),
    ("自宅は大阪府豊中市新千里東町1-2-3", "secret.address", "大阪府豊中市新千里東町1-2-3"),
    ("ファイルサーバー 10.20.30.40 に接続", "secret.private-ip", "10.20.30.40"),
    ("gateway 172.20.1.254", "secret.private-ip", "172.20.1.254"),
    ("\\\\fs01.city.local\\share を開く", "secret.internal-host", "fs01.city.local"),
    ("https://wiki.intra.kawasaki-city.jp/", "secret.internal-host", "wiki.intra.kawasaki-city.jp"),
]

PRIVATE_KEY = """\
-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEA7rX9q1vY2z8mK3pL5nR0tW4uV6sJ9hG2fD1cB8aE3yZ0xQ7w
bN5mK2pL8rT4vX7zA1cE3gH6jK9mN2pQ5sU8wY1aC4eG7iK0mO3qS6uW9yB2dF5h
-----END RSA PRIVATE KEY-----"""

# Placeholders from public documentation and look-alikes: none may be reported.
NEGATIVE = [
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX",
    "パスワード：（別途通知）",
    "パスワード：12文字以上、英大文字・小文字・数字・記号を含める",
    "パスワード: 初回ログイン時に変更してください",
    "パスワードはTerraform で管理します。",
    "パスワードポリシー：90日ごとに変更",
    "password: ${DB_PASSWORD}",
    "password: <パスワード>",
    'password: "********"',
    "password: xxxxxxxx",
    "pass=12 fail=0",
    "password=password",
    "password = getpass.getpass()",
    "PW: 管理者に確認",
    "Authorization: Bearer <token>",
    "Authorization: Bearer $TOKEN",
    "token: ${{ secrets.GITHUB_TOKEN }}",
    "secret: my-app-secret-name",
    "postgres://user:password@localhost/db",
    "postgres://app:${PGPASSWORD}@db/kb",
    "X-Cybozu-API-Token: <APIトークン>",
    "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN OPENSSH PRIVATE KEY-----\n（省略）\n-----END OPENSSH PRIVATE KEY-----",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA7rX9q1vY2z8mK3pL5nR0tW4u\n-----END PUBLIC KEY-----",
    "arn:aws:iam::123456789012:role/Admin",
    "AWS アカウント ID: 123456789012",
    "受付番号 202404011230",
    "2024-04-01 に更新",
    "バージョン 10.0.19045.1234",
    "v1.2.3 と 0.12.4",
    "第0123-45-6789号",
    "文書番号 0123-45-6789",
    "代表電話 03-1234-5678（総務課窓口）",
    "フリーダイヤル 0120-123-456",
    "ナビダイヤル 0570-000-123",
    "03-0000-0000",
    "info@city.kawasaki.lg.jp",
    "helpdesk@example.lg.jp",
    "someone@example.com と taro@example.jp",
    "user@host.invalid と admin@svc.test",
    "logo@2x.png",
    "git@github.com:org/repo.git",
    "東京都〇〇区〇〇町1-2-3",
    "所在地：神奈川県川崎市川崎区宮本町1番地（本庁舎）",
    "7都道府県と258市区町村が参加",
    "192.0.2.10, 198.51.100.7, 203.0.113.99",
    "RFC 1918 の 10.0.0.0/8、172.16.0.0/12、192.168.0.0/16",
    "8.8.8.8 と 1.1.1.1",
    "server.example.local",
    "sha1 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
    "SHA256: 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b",
    "ISO/IEC 27001:2022",
]


def _found(text: str) -> list[tuple[str, str, str]]:
    """(rule, value, masked) of each hit."""
    return [(rule, text[o:o + n], masked) for o, n, rule, masked, _k in scan_text(text)]


@pytest.mark.parametrize("line,rule,secret", PLANTED, ids=[p[1] + ":" + p[0][:30] for p in PLANTED])
def test_planted_secret_found_and_masked(line: str, rule: str, secret: str) -> None:
    hits = _found(line)
    match = [h for h in hits if h[0] == rule and secret in h[1] or h[1] in secret and h[0] == rule and len(h[1]) >= 6]
    assert match, f"{rule} not found in {line!r}: {hits}"
    for _rule, _value, masked in hits:
        assert secret not in masked


def test_private_key_found_and_masked() -> None:
    hits = _found("設定例:\n" + PRIVATE_KEY + "\n")
    assert [h[0] for h in hits] == ["secret.private-key"]
    assert "MIIEpAIBAAKCAQEA" not in hits[0][2]


@pytest.mark.parametrize("text", NEGATIVE)
def test_placeholder_and_lookalike_not_reported(text: str) -> None:
    assert _found(text) == []


def test_labelled_corpus_figures() -> None:
    """The closing note's figures: planted found / total, false positives on the negative set."""
    found = sum(1 for line, rule, _s in PLANTED if any(h[0] == rule for h in _found(line)))
    false_pos = sum(1 for t in NEGATIVE if _found(t))
    assert (found, false_pos) == (len(PLANTED), 0)


def test_mynumber_check_digit() -> None:
    assert mynumber.check_digit("12345678901") == 8
    assert mynumber.is_valid("123456789018")
    assert not mynumber.is_valid("123456789012")
    rng = random.Random(7)
    fired_wrong = fired_right = 0
    for _ in range(500):
        body = "".join(str(rng.randrange(10)) for _ in range(11))
        good = mynumber.check_digit(body)
        wrong = (good + 1 + rng.randrange(9)) % 10
        if _found(f"マイナンバー {body}{wrong}"):
            fired_wrong += 1
        if _found(f"マイナンバー {body}{good}"):
            fired_right += 1
    assert fired_wrong == 0
    assert fired_right >= 495  # a few bodies are all one digit (placeholders)


# --------------------------------------------------------------------------- end to end

PAGE = """\
---
title: VPN 接続手順
description: 申請と接続の手順
db_password: "Zk8!pq2LmN"
---
# VPN 接続手順

初期パスワード：Kanri#2024 を入力します。

```ini
[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_access_key_id = AKIA4QWERTYZXCVB7NMK
```

![住民票の写し（個人番号 1234 5678 9018）](img/form.png)

[連絡先](mailto:tanaka.ichiro@city.kawasaki.lg.jp) 携帯 090-2345-6789

[名簿](files/%E5%80%8B%E4%BA%BA%E7%95%AA%E5%8F%B7%20987654321093.pdf)

サーバー 10.20.30.40
"""
SECRETS_IN_PAGE = ["Zk8!pq2LmN", "Kanri#2024", "AKIA4QWERTYZXCVB7NMK", "1234 5678 9018", "tanaka.ichiro",
                   "090-2345-6789"]


def _docs(make_docs, extra_yml: str = "") -> Path:
    yml = "site_name: t\nplugins:\n  - kb:\n      secrets:\n        file_names: true\n" + textwrap.indent(extra_yml, " " * 8)
    return make_docs({
        "vpn.md": PAGE,
        "img/form.png": b"\x89PNG",
        "files/個人番号 987654321093.pdf": b"%PDF",
        "contacts/suzuki.jiro@city.kawasaki.lg.jp.md": "# 連絡先\n",
    }, mkdocs_yml=yml)


def test_kb_check_json_reports_every_planted_secret_masked(make_docs, run_kb) -> None:
    root = _docs(make_docs)
    res = run_kb(root, "check", "--format", "json")
    assert res.exit_code == 1
    for s in SECRETS_IN_PAGE:
        assert s not in res.stdout, f"{s} printed in clear"
    doc = json.loads(res.stdout)
    got = {(f["path"], f["line"], f["rule"]) for f in doc["findings"] if f["rule"].startswith("secret.")}
    assert {
        ("vpn.md", 4, "secret.password"),  # front matter
        ("vpn.md", 8, "secret.password"),
        ("vpn.md", 13, "secret.aws-key"),  # code block; line 12 is AWS's example key
        ("vpn.md", 16, "secret.mynumber"),  # image alt text
        ("vpn.md", 18, "secret.email"),
        ("vpn.md", 18, "secret.phone"),
        ("vpn.md", 20, "secret.mynumber"),  # percent-encoded link target
        ("vpn.md", 22, "secret.private-ip"),
        ("files/個人番号 987654321093.pdf", 1, "secret.mynumber"),  # attachment file name
        ("contacts/suzuki.jiro@city.kawasaki.lg.jp.md", 1, "secret.email"),  # page file name
    } <= got
    assert ("vpn.md", 12, "secret.aws-key") not in got
    by_rule = {f["rule"]: f for f in doc["findings"] if f["path"] == "vpn.md"}
    assert by_rule["secret.aws-key"]["target"] == "AKIA…7NMK"
    assert by_rule["secret.aws-key"]["code"] == "KB601"
    assert by_rule["secret.private-ip"]["severity"] == "info"
    assert by_rule["secret.phone"]["severity"] == "warning"


def test_kb_check_sarif_carries_masked_snippets(make_docs, run_kb) -> None:
    root = _docs(make_docs)
    res = run_kb(root, "check", "--format", "sarif")
    for s in SECRETS_IN_PAGE:
        assert s not in res.stdout
    sarif = json.loads(res.stdout)
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"].startswith("KB6")]
    snippets = {r["properties"]["maskedSnippet"] for r in results}
    assert {"AKIA…7NMK", "****", "**** **** **18"} <= snippets
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"KB601", "KB603", "KB611", "KB621"} <= rule_ids


def test_allow_lists_and_severity_config(make_docs, run_kb) -> None:
    root = _docs(make_docs, 'allow: ["090-2345-6789"]\nallow_patterns: ["Kanri#[0-9]+"]\n'
                            'allow_emails: ["*@city.kawasaki.lg.jp"]\ninfrastructure: warning\n')
    doc = json.loads(run_kb(root, "check", "--format", "json").stdout)
    got = {(f["line"], f["rule"]): f for f in doc["findings"] if f["path"] == "vpn.md"}
    assert (18, "secret.phone") not in got and (18, "secret.email") not in got
    assert (8, "secret.password") not in got and (4, "secret.password") in got
    assert got[(22, "secret.private-ip")]["severity"] == "warning"
    assert not any(f["path"].startswith("contacts/") and f["rule"] == "secret.email" for f in doc["findings"])


def test_kb_ignore_and_bad_config(make_docs, run_kb) -> None:
    page = {"a.md": "---\ntitle: a\nkb_ignore: [secret.phone]\n---\n携帯 090-2345-6789\nPW：Rt5#kq9w\n"}
    root = make_docs(page, mkdocs_yml="site_name: t\n")
    doc = json.loads(run_kb(root, "check", "--format", "json").stdout)
    rules = [f["rule"] for f in doc["findings"]]
    assert "secret.phone" not in rules and "secret.password" in rules
    # a bad secrets: block is a configuration error (exit 2) naming each bad option
    root = make_docs(page, mkdocs_yml="site_name: t\nplugins:\n  - kb:\n      secrets:\n        allow_patterns: ['(']\n        colour: 1\n")
    res = run_kb(root, "--lang", "en", "check", "--format", "json")
    assert res.exit_code == 2
    assert "secrets.colour" in res.stderr and "secrets.allow_patterns" in res.stderr and "not a valid regular expression" in res.stderr


def test_warm_run_uses_cached_hits(make_docs, run_kb) -> None:
    root = _docs(make_docs)
    first = json.loads(run_kb(root, "check", "--format", "json").stdout)["findings"]
    cache = list((root / ".kb" / "cache").glob("pages-*.pickle"))
    assert cache and b"Kanri#2024" not in cache[0].read_bytes() and b"AKIA4QWERTYZXCVB7NMK" not in cache[0].read_bytes()
    second = json.loads(run_kb(root, "check", "--format", "json").stdout)["findings"]
    assert first == second


def test_repo_docs_have_no_secret_warnings(tmp_path: Path, run_kb) -> None:
    """The repo's own knowledge base: no secret finding at warning or error level."""
    docs = Path(__file__).resolve().parent.parent / "docs"
    if not docs.is_dir():
        pytest.skip("no docs/ in this checkout")
    (tmp_path / "mkdocs.yml").write_text(f"site_name: t\ndocs_dir: {docs}\nexclude_docs: |\n  _data/\n", encoding="utf-8")
    doc = json.loads(run_kb(tmp_path, "check", "--format", "json", "--no-cache").stdout)
    bad = [f for f in doc["findings"] if f["rule"].startswith("secret.") and f["severity"] != "info"]
    assert bad == []


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["0", "０", "+81", "+", "03", "０３", "090", "-", "‐", "(", ")", "（", "）", " ", "1234",
                                  "５６７８", "567", "x", ".", ":", "号", "電話", "代表", "０３-1234-5678", "03-1234-5678",
                                  "+81-3-1234-5678", "（03）1234-5678", "０９０‐１２３４‐５６７８"]), max_size=14).map("".join))
def test_phone_search_at_its_first_characters_is_finditer(line: str) -> None:
    """The phone detector tries its pattern only at a ``0``, ``０`` or ``+``: the matches of a
    ``finditer`` over the whole line, on text made of what the pattern reads."""
    from kb_tools.analyzers.secrets import personal

    assert [(m.span(), m.groupdict()) for m in personal._phone_matches(line)] == \
           [(m.span(), m.groupdict()) for m in personal._PHONE_RE.finditer(line)]


# The prefilter's shortcuts (a letter's pass gated by ``in`` tests of its literals; one search of
# every pass together for a short text) against every pass run on every text.
_PIECES = sorted(_scan._LITERALS) + [w.upper() for w in _scan._LITERALS] + [
    "0", "０", "03-", "090 ", "+81", "1234", "5678 9012", "10.0.0.", "://u:p@h", "-", "/", "\n", " ", "=", ":",
    "İ", "K", "ｐａｓｓ", "パスワード：", "x", "の", "page-0012.md", "2026-07-18"] + [p[0] for p in PLANTED]


def _plain_scan(text: str) -> list[tuple[int, int, str, str, str]]:
    gated, short = _scan._PREFILTERS, _scan._SHORT
    _scan._PREFILTERS, _scan._SHORT = [(rx, ()) for rx, _gate in gated], -1
    try:
        return _scan.scan_text(text)
    finally:
        _scan._PREFILTERS, _scan._SHORT = gated, short


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=4), max_size=30).map("".join))
def test_prefilter_shortcuts_find_what_every_pass_finds(text: str) -> None:
    assert _scan.scan_text(text) == _plain_scan(text)
    low = text.lower()
    if len(low) == len(text):
        anything = any(rx.search(low) for rx, _gate in _scan._PREFILTERS)
        assert (_scan._ANY.search(low) is not None) == anything


def test_prefilter_gates_hold_every_literal_of_their_pass() -> None:
    gated = [(rx, gate) for rx, gate in _scan._PREFILTERS if gate]
    assert len(gated) >= 5  # the shortcut is in use
    for rx, gate in gated:
        for word in _scan._LITERALS:
            if rx.match(word):
                assert any(g in word for g in gate), (rx.pattern, word)
    for text, _rule, _value in PLANTED:  # names too: the short path
        assert _scan.scan_text(text) == _plain_scan(text)
        assert _scan.scan_text(_scan._name_text(text)) == _plain_scan(_scan._name_text(text))
