"""The page analyzer of the secret scan: candidate hits, masked, config-independent.

Runs in the parse workers on each page's full text (front matter, body, code blocks, alt text
and link targets alike) and is cached with the page by content hash. One combined prefilter
regex finds trigger positions; a specific validator then runs on each triggering line only.

``page.extra["secrets"]`` is a list of tuples ``(rule, line, column, length, masked, kind)``:
file line (1-based), column (1-based, characters), length of the secret value in characters
(so that allow-lists can re-read the value from the file later), the masked snippet, and a
detector-specific kind. The secret itself is never stored.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import os
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

from kb_tools.analyzers.secrets.patterns import (
    char_classes,
    has_cjk,
    is_placeholder,
    looks_random,
    mask_token,
)

ANALYZER_VERSION = 3
KEY = "secrets"
NAME_KEY = "secrets_name"  # (the path scanned, its hits as scan_text gives them): see scan_page_name
# bench/secret_scan.py measures the scan's cost by switching it off in the workers.
DISABLED = os.environ.get("KB_SECRETS_SCAN") == "0"

Hit = tuple[str, int, int, int, str, str]  # rule, line, column, length, masked, kind
_Raw = tuple[int, int, str, str, str]  # start offset in line, length, rule, masked, kind

AWS, PKEY, PASSWORD, TOKEN, CONN, KINTONE = ("secret.aws-key", "secret.private-key", "secret.password",
                                             "secret.token", "secret.connection-string", "secret.kintone-token")
MYNUMBER, PHONE, EMAIL, ADDRESS = "secret.mynumber", "secret.phone", "secret.email", "secret.address"
PRIVATE_IP, INTERNAL_HOST = "secret.private-ip", "secret.internal-host"
# When two hits overlap, the one with the higher rank is kept.
_RANK = {AWS: 9, PKEY: 9, KINTONE: 9, CONN: 8, TOKEN: 7, PASSWORD: 7, MYNUMBER: 6, EMAIL: 5, PHONE: 5,
         ADDRESS: 5, INTERNAL_HOST: 2, PRIVATE_IP: 2}

_D = "[0-9０-９]"
_SEP = "[-‐－―ー−()（） ]"
# The prefilter runs on the lower-cased page text. Every trigger is a literal (or a literal first
# character): alternatives are grouped by that first character, so that the regex engine skips
# every other character with its first-character set and tries one group per candidate.
_LITERALS: dict[str, tuple[str, ...]] = {}
for _fam, _words in {
    "aws": "akia asia abia acca agpa aida aipa anpa anva apka aroa asca シークレット",
    "aws token": "secret",
    "pkey": "-----begin",
    "kintone": "x-cybozu-",
    "password": "pass pwd pw パスワード 暗証 ﾊﾟｽﾜｰﾄﾞ",
    "conn": "://",  # refined below: only ``://user:pass@``
    "token": "bearer token api_key api-key apikey apiキー トークン ghp_ gho_ ghu_ ghs_ ghr_ github_pat_ xoxb- xoxa- "
             "xoxp- xoxr- xoxs- aiza sk_live_ rk_live_ glpat- npm_ eyj hooks.slack.com/ sg.",
    "email": "@",
    "host": ".local .lan .internal .intra .corp .localdomain home.arpa lgwan.jp intra.",
    "address": "都 道 府 県",
    "phone": "+81",
    "ip": "10. 172. 192.168.",
}.items():
    for _w in _words.split():
        _LITERALS[_w] = tuple(_fam.split())


def _build_prefilter() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    """The prefilter passes: (regex, gate). A pass runs only when one of its gate's literals is
    in the text (``in``: ~1 µs on a page, where a regex pass finding nothing costs ~2.5 µs); the
    gate is empty (always run) for the combined pass and for a letter with more than two
    literals not holding one another."""
    groups: dict[str, list[str]] = {}
    for w in _LITERALS:
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    groups[":"] = [r"//[^\s/@:]+:[^\s/@]+@" if r == "//" else r for r in groups[":"]]
    for d in "0123456789０１２３４５６７８９":  # 12-digit runs (マイナンバー)
        groups.setdefault(d, []).append(_D + r"{3}[ \-－−‐]?" + _D + r"{4}[ \-－−‐]?" + _D + "{4}")
    for z in "0０":  # a trunk-prefixed number followed by a separator (phone)
        groups[z].append(_D + "{0,4}" + _SEP)
    alts = []
    letters = []
    for first, rests in groups.items():
        rests.sort(key=len, reverse=True)
        alt = re.escape(first) + ("(?:" + "|".join(rests) + ")" if any(rests) else "")
        # Common ASCII letters get one regex each: a literal first character is found with a
        # fast scan, where a shared first-character set costs a check per character.
        (letters if first.isascii() and first.isalpha() else alts).append(alt)
    out: list[tuple[re.Pattern[str], tuple[str, ...]]] = [(re.compile("|".join(alts)), ())]
    for alt in letters:
        words = [w for w in _LITERALS if w[0] == alt[0]]
        gate = tuple(sorted(w for w in words if not any(v != w and v in w for v in words)))
        out.append((re.compile(alt), gate if len(gate) <= _GATE_MAX else ()))
    return out


_GATE_MAX = 2  # 0 runs every pass on every text (tests/test_secrets.py compares the two)
_PREFILTERS = _build_prefilter()
# Every prefilter pass in one pattern, for a short text (a file name): one search says whether
# anything can match (a match of any pass is a match of the alternation, and the reverse).
_ANY = re.compile("|".join(f"(?:{rx.pattern})" for rx, _gate in _PREFILTERS))
_SHORT = 200  # characters; a longer text takes the passes (each skips to its first characters)


_FAMILIES: dict[str, tuple[str, ...]] = {}  # trigger -> _families(trigger), per process (dates, numbers repeat)


def _families(trigger: str) -> tuple[str, ...]:
    fam = _LITERALS.get(trigger)
    if fam is not None:
        return fam
    if trigger.startswith("://"):
        return ("conn",)
    if trigger[-1] in "-‐－―ー−()（） " and len(trigger) <= 7:
        return ("phone",)
    return ("mynumber",)


# --------------------------------------------------------------------------- validators

_AWS_ID_RE = re.compile(r"(?<![A-Za-z0-9])(A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|PKA|ROA|SCA)[A-Z0-9]{16})(?![A-Za-z0-9])")
_AWS_SECRET_RE = re.compile(
    r"(?i:aws_?secret_?access_?key|secret[ _]?access[ _]?key|secretkey|secret_key|シークレット(?:アクセス)?キー)"
    r"(?:[ \t]*\[[^\]\n]{0,10}\])?[^A-Za-z0-9/+\n]{1,12}(?P<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
)


def _aws(line: str) -> Iterator[_Raw]:
    for m in _AWS_ID_RE.finditer(line):
        v = m.group(1)
        tail = v[4:]
        if "EXAMPLE" in v or len(set(tail)) <= 2 or tail in ("1234567890ABCDEF", "0123456789ABCDEF"):
            continue
        yield m.start(1), len(v), AWS, mask_token(v), "access-key-id"
    for m in _AWS_SECRET_RE.finditer(line):
        v = m.group("v")
        if "EXAMPLE" in v or is_placeholder(v) or char_classes(v) < 2:
            continue
        yield m.start("v"), len(v), AWS, mask_token(v), "secret-access-key"


_PKEY_RE = re.compile(r"-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP |SSH2 )?PRIVATE KEY(?: BLOCK)?)-----")
_B64_RUN_RE = re.compile(r"[A-Za-z0-9+/=]{40,}")


def _pkey_at(text: str, start: int, end: int) -> Iterator[tuple[int, int, str, str, str]]:
    """Private key headers in ``text[start:end]``; the key body is looked for after the header."""
    for m in _PKEY_RE.finditer(text, start, end):
        body = text[m.end():m.end() + 400].replace("\\n", "\n")
        head = body.split("-----END", 1)[0]
        if re.search(r"\.\.\.|…|省略|EXAMPLE|xxxx|<", head, re.IGNORECASE):
            continue
        run = _B64_RUN_RE.search(head.replace("\n", "").replace(" ", ""))
        if not run or len(set(run.group(0))) < 12:
            continue
        yield m.start(), m.end() - m.start(), PKEY, f"-----BEGIN {m.group(1)}----- …", m.group(1).split()[0].lower()


_PW_RE = re.compile(
    r"(?:(?<![A-Za-z0-9])(?:[A-Za-z0-9]+[_-])*(?i:password|passwd|passphrase|pass|pwd|pw)(?![A-Za-z])"
    r"|(?:初期|仮|管理者|共通)?(?:パスワード|(?P<pin>暗証番号)|ﾊﾟｽﾜｰﾄﾞ))"
    r"(?:[（(][^）)\n]{0,12}[）)])?[\"'*]*[ \t]*(?:[:=：＝|][ \t]*(?P<q>[\"'`「『]?)|(?:は|→)[ \t]*(?P<q2>[\"'`「『]))"
    r"(?P<v>[^\s\"'`」』|,;&<>)）]+)"
)
# ``password=password`` / ``password: str`` / ``password = get_pw()``: code, not a value.
_CODE_VALUE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\(|\.[A-Za-z_]|\[)|^[A-Za-z_]+\(|^\d+(?:文字|桁|字|chars?)")


_PW_SEPARATORS = frozenset(":=：＝|「『\"'`")


def _password(line: str) -> Iterator[_Raw]:
    if _PW_SEPARATORS.isdisjoint(line):
        return
    for m in _PW_RE.finditer(line):
        v = m.group("v").rstrip(".。,、")
        if len(v) < 4 or has_cjk(v) or is_placeholder(v) or _CODE_VALUE_RE.match(v):
            continue
        if m.group("pin") and v.isdigit() and 4 <= len(v) <= 8:
            pass  # 暗証番号：4821
        elif not (m.group("q") or m.group("q2")):
            # bare values: a word in prose (``password: Terraform``) is not one; a password
            # written bare has a digit or a symbol besides letters
            if char_classes(v) < 2 or v.isalpha() or (v.isdigit() and len(v) < 6):
                continue
        yield m.start("v"), len(v), PASSWORD, "****", "password"


_CONN_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<user>[^\s/@:]+):(?P<pw>[^\s/@]+)@(?P<host>[^\s/?#\"'`<>)]+)")


def _conn(line: str) -> Iterator[_Raw]:
    for m in _CONN_RE.finditer(line):
        pw = m.group("pw")
        if is_placeholder(pw) or pw.lower() in ("pass", "password", "pw", "passwd", "secret"):
            continue
        masked = f"{m.group('scheme')}://{m.group('user')}:****@{m.group('host')}"
        yield m.start("pw"), len(pw), CONN, masked, m.group("scheme").lower()


_PREFIX_TOKEN_RE = re.compile(
    r"(?<![A-Za-z0-9_])(?P<v>gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,}|xox[baprs]-[A-Za-z0-9-]{20,}"
    r"|AIza[0-9A-Za-z_\-]{35}|[sr]k_live_[0-9A-Za-z]{20,}|glpat-[0-9A-Za-z_\-]{20}|npm_[A-Za-z0-9]{36}"
    r"|SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}"
    r"|eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"
    r"|hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,})"
)
_BEARER_RE = re.compile(r"(?i:bearer)[ \t]+(?P<v>[A-Za-z0-9\-._~+/]{20,}=*)")
_ASSIGN_TOKEN_RE = re.compile(
    r"(?:(?<![A-Za-z0-9])(?i:(?:[a-z0-9]+[_-])*(?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token"
    r"|client[_-]?secret|secret[_-]?key|secret))|APIキー|(?:アクセス)?トークン)"
    r"[\"']?[ \t]*[:=：][ \t]*[\"'`]?(?P<v>[A-Za-z0-9\-_./+=]{16,})"
)


def _is_example_jwt(v: str) -> bool:
    """The jwt.io sample token (``John Doe``, iat 1516239022) and others whose payload says example."""
    if not v.startswith("eyJ"):
        return False
    import base64

    try:
        part = v.split(".")[1]
        payload = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8", "replace")
    except (IndexError, ValueError):
        return False
    return "John Doe" in payload or "1516239022" in payload or "example" in payload.lower()


def _token(line: str) -> Iterator[_Raw]:
    for m in _PREFIX_TOKEN_RE.finditer(line):
        v = m.group("v")
        if is_placeholder(v) or "EXAMPLE" in v.upper() or _is_example_jwt(v):
            continue
        yield m.start("v"), len(v), TOKEN, mask_token(v), v[:4].rstrip("_-.")
    for m in _BEARER_RE.finditer(line):
        v = m.group("v")
        if is_placeholder(v) or not looks_random(v, 20):
            continue
        yield m.start("v"), len(v), TOKEN, mask_token(v), "bearer"
    for m in _ASSIGN_TOKEN_RE.finditer(line):
        v = m.group("v").rstrip(".")
        if is_placeholder(v) or not looks_random(v):
            continue
        yield m.start("v"), len(v), TOKEN, mask_token(v), "api-token"


_KINTONE_RE = re.compile(r"(?i:x-cybozu-api-token)[\"']?[ \t]*[:=,][ \t]*[\"'`]?(?P<v>[A-Za-z0-9]{40}(?:,[A-Za-z0-9]{40})*)(?![A-Za-z0-9])")
_CYBOZU_AUTH_RE = re.compile(r"(?i:x-cybozu-authorization)[\"']?[ \t]*[:=,][ \t]*[\"'`]?(?P<v>[A-Za-z0-9+/]{8,}={0,2})")


def _kintone(line: str) -> Iterator[_Raw]:
    for m in _KINTONE_RE.finditer(line):
        v = m.group("v")
        if is_placeholder(v):
            continue
        yield m.start("v"), len(v), KINTONE, mask_token(v), "api-token"
    for m in _CYBOZU_AUTH_RE.finditer(line):
        v = m.group("v")
        try:
            decoded = base64.b64decode(v, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        login, sep, pw = decoded.partition(":")
        if not sep or not pw or is_placeholder(pw):
            continue
        yield m.start("v"), len(v), KINTONE, mask_token(v), "password-auth"


from kb_tools.analyzers.secrets.personal import _address, _email, _host, _ip, _mynumber, _phone  # noqa: E402


_LINE_VALIDATORS: dict[str, Callable[[str], Iterator[_Raw]]] = {
    "aws": _aws, "kintone": _kintone, "password": _password, "conn": _conn, "token": _token, "email": _email,
    "mynumber": _mynumber, "phone": _phone, "ip": _ip, "host": _host, "address": _address,
}


# --------------------------------------------------------------------------- driver


def scan_text(text: str) -> list[tuple[int, int, str, str, str]]:
    """Hits in ``text`` as ``(offset, length, rule, masked, kind)``, overlaps resolved."""
    low = text.lower()
    if len(low) != len(text):  # a few characters lower-case to two (İ): keep offsets exact
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    todo: set[tuple[str, int]] = set()
    hits: list[tuple[int, int, str, str, str]] = []
    memo = _FAMILIES
    if len(memo) > 10_000:
        memo.clear()
    if len(low) <= _SHORT and _ANY.search(low) is None:
        return []
    rfind = low.rfind
    for rx, gate in _PREFILTERS:
        if gate and gate[0] not in low and (len(gate) == 1 or gate[1] not in low):  # (no generator per pass)
            continue
        for m in rx.finditer(low):
            pos = m.start()
            start = rfind("\n", 0, pos) + 1
            trigger = m.group()
            fams = memo.get(trigger)
            if fams is None:
                fams = memo[trigger] = _families(trigger)
            for fam in fams:
                if fam == "pkey":
                    end = text.find("\n", pos)
                    hits.extend(_pkey_at(text, start, len(text) if end < 0 else end))
                else:
                    todo.add((fam, start))
    if not todo and not hits:
        return []
    for fam, start in todo:
        end = text.find("\n", start)
        line = text[start:len(text) if end < 0 else end]
        for off, length, rule, masked, kind in _LINE_VALIDATORS[fam](line):
            hits.append((start + off, length, rule, masked, kind))
    return _resolve(hits)


def _resolve(hits: list[tuple[int, int, str, str, str]]) -> list[tuple[int, int, str, str, str]]:
    hits = sorted(set(hits), key=lambda h: (-_RANK[h[2]], h[0]))
    kept: list[tuple[int, int, str, str, str]] = []
    for h in hits:
        a, b = h[0], h[0] + h[1]
        if any(k[0] < b and a < k[0] + k[1] for k in kept):
            continue
        kept.append(h)
    kept.sort()
    return kept


def analyze(page: object, text: str) -> None:
    """Store masked candidate hits of ``text`` in ``page.extra["secrets"]`` (nothing when none)."""
    if DISABLED:
        return
    found = scan_text(text)
    hits: list[Hit] = []
    if found:
        starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        for off, length, rule, masked, kind in found:
            i = bisect.bisect_right(starts, off) - 1
            hits.append((rule, i + 1, off - starts[i] + 1, length, masked, kind))
    # Link targets written percent-encoded (file names): scanned decoded as well.
    for link in getattr(page, "links", ()):
        t = link.target
        if "%" not in t:
            continue
        dec = unquote(t)
        if dec == t:
            continue
        for _off, _length, rule, masked, kind in scan_text(dec):
            hits.append((rule, link.line, link.column, len(t), masked, kind + "-encoded"))
    if hits:
        page.extra[KEY] = hits  # type: ignore[attr-defined]
    path = getattr(page, "path", None)
    if isinstance(path, str):  # the file name too, here in the workers (offsets and masks only, no values)
        page.extra[NAME_KEY] = (path, tuple(scan_text(_name_text(path))))  # type: ignore[attr-defined]


def _name_text(name: str) -> str:
    return re.sub(r"\.[A-Za-z0-9]{1,5}$", "", unquote(name)).replace("/", "\n")  # without the extension


def scan_name(name: str, found: Any = None) -> list[tuple[str, str, str, str]]:
    """Hits in a file path, one folder or file name a line: ``(rule, masked, kind, value)``.

    ``found``: ``scan_text`` of the name's text when already known (``scan_page_name``)."""
    text = _name_text(name)
    return [(rule, masked, kind, text[o:o + n]) for o, n, rule, masked, kind in (scan_text(text) if found is None else found)]


def scan_page_name(page: Any) -> list[tuple[str, str, str, str]]:
    """``scan_name`` of a page's path, from the scan the parse workers made of it when the page
    still has the path it was parsed under (a moved file reused from the cache has not)."""
    got = page.extra.get(NAME_KEY)
    if got is not None and got[0] == page.path:
        return scan_name(page.path, got[1])
    return scan_name(page.path)
