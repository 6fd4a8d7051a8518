"""Detectors of personal data and infrastructure details (e-mail, マイナンバー, phone, IP, host, address).

Each takes one line and yields raw hits ``(start, length, rule, masked, kind)``; the page analyzer
in ``scan.py`` runs them on the lines its prefilter selects.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator

from kb_tools.analyzers.secrets import mynumber
from kb_tools.analyzers.secrets.patterns import (
    ADDRESS_PLACEHOLDER,
    ADDRESS_PUBLIC_CONTEXT,
    ADDRESS_RE,
    halfwidth,
    mask_digits,
    mask_email,
    mask_host,
    mask_ipv4,
)

_Raw = tuple[int, int, str, str, str]  # start offset in line, length, rule, masked, kind
MYNUMBER, PHONE, EMAIL, ADDRESS = "secret.mynumber", "secret.phone", "secret.email", "secret.address"
PRIVATE_IP, INTERNAL_HOST = "secret.private-ip", "secret.internal-host"
_D = "[0-9０-９]"
_SEP = "[-‐－―ー−()（） ]"


_EMAIL_RE = re.compile(r"(?<![\w.+\-/%=])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+\-]*)@(?P<domain>(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,})(?![\w\-]|\.[A-Za-z0-9])")
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org", "example.jp", "example.co.jp")
_RESERVED_TLDS = ("example", "invalid", "test", "localhost", "local")
_FILE_TLDS = frozenset("png jpg jpeg gif svg webp bmp css js ts md html htm pdf txt json yml yaml xml zip".split())
# Mailboxes that are roles, not people.
ROLE_LOCALS = frozenset("""
    info contact contacts support help helpdesk service noreply no-reply donotreply do-not-reply webmaster postmaster
    hostmaster abuse security admin administrator root sales office inquiry toiawase soc csirt cert privacy
    system notification notifications alert alerts mailer-daemon git
""".split())


def _email(line: str) -> Iterator[_Raw]:
    for m in _EMAIL_RE.finditer(line):
        local, domain = m.group("local"), m.group("domain").lower()
        labels = domain.split(".")
        if labels[-1] in _FILE_TLDS or labels[-1] in _RESERVED_TLDS or domain.endswith(_RESERVED_DOMAINS):
            continue
        if any(lb.startswith("example") for lb in labels) or local.lower() in ROLE_LOCALS:
            continue
        if re.match(r"(?i)^(?:user|username|name|taro|hanako|yamada|foo|bar|someone|xxx+|abc)$", local):
            continue
        pre = line[max(0, m.start() - 7):m.start()]
        if pre.endswith(":") and not pre.lower().endswith("mailto:"):
            continue  # scheme://user:pass@host is a URL, not an address
        if pre.endswith(("ssh ", "scp ")) or line[m.end():m.end() + 1] == ":":
            continue  # user@host of a shell command, git@host:repo
        yield m.start(), m.end() - m.start(), EMAIL, mask_email(local, domain), "address"


_MYNUMBER_RE = re.compile(r"(?<![0-9０-９\-－.,:/_A-Za-z])(" + _D + r"{4})([ \-－−‐]?)(" + _D + r"{4})\2(" + _D + r"{4})(?![0-9０-９]|[\-－.,/]" + _D + ")")
_MYNUMBER_CONTEXT = re.compile(r"マイナンバー|個人番号|(?i:my ?number)")
_NOT_MYNUMBER_CONTEXT = re.compile(r"(?i)arn:|account|アカウント|口座|invoice|請求|注文|伝票|受付番号|管理番号|文書番号|シリアル|serial")


def _mynumber(line: str) -> Iterator[_Raw]:
    for m in _MYNUMBER_RE.finditer(line):
        digits = halfwidth(m.group(1) + m.group(3) + m.group(4))
        if not mynumber.is_valid(digits) or len(set(digits)) <= 2:
            continue
        if not _MYNUMBER_CONTEXT.search(line):
            if _NOT_MYNUMBER_CONTEXT.search(line) or _timestamp(digits):
                continue
        yield m.start(), m.end() - m.start(), MYNUMBER, mask_digits(m.group(0), 2), "mynumber"


def _timestamp(d: str) -> bool:
    try:
        _dt.datetime.strptime(d, "%Y%m%d%H%M")
        return 1900 <= int(d[:4]) <= 2100
    except ValueError:
        return False


_PHONE_RE = re.compile(
    r"(?<![0-9０-９A-Za-z.\-－/_#+=:])(?P<n>(?:\+81[ \-]?\(?0?\)?|[0０](?![0０]))" + _D + r"{0,4}"
    r"(?:[-‐－―ー−]|[(（]|[)）] ?| )" + _D + r"{1,4}(?:[-‐－―ー−]|[)）] ?| )" + _D + r"{3,4})"
    r"(?![0-9０-９A-Za-z]|[-‐－.]" + _D + "|号)"
)
_PHONE_PUBLIC = re.compile(r"代表|窓口|センター|相談|受付|コールセンター|ヘルプデスク|サポート|お問い?合わせ|問合せ|フリーダイ[ヤア]ル|ナビダイヤル")
_DOC_NUMBER = re.compile(r"第\s*$|(?i:no\.?)\s*$|番号[:：]?\s*$|(?i:id)[:：]?\s*$")


_PHONE_FIRST = ("0", "０", "+")  # the first characters of a _PHONE_RE match


def _phone_matches(line: str) -> list[re.Match[str]]:
    """``list(_PHONE_RE.finditer(line))``, trying the pattern only where a match can start (``0``,
    ``０``, ``+``): with its leading look-behind the engine tries every position otherwise, slow
    on Japanese lines (tests/test_secrets.py compares the two)."""
    out = []
    pos = 0
    find, match = line.find, _PHONE_RE.match
    while True:
        q = -1
        for ch in _PHONE_FIRST:
            k = find(ch, pos)
            if k >= 0 and (q < 0 or k < q):
                q = k
        if q < 0:
            return out
        m = match(line, q)
        if m is None:
            pos = q + 1
        else:
            out.append(m)
            pos = m.end()


def _phone(line: str) -> Iterator[_Raw]:
    for m in _phone_matches(line):
        raw = m.group("n")
        s = halfwidth(raw)
        if s.startswith("+81"):
            s = "0" + s[3:].lstrip(" -(0)")
        groups = [g for g in re.split(r"[-() ]+", s) if g]
        if len(groups) != 3 or not groups[0].startswith("0"):
            continue
        digits = "".join(groups)
        g1, g2, g3 = groups
        if _DOC_NUMBER.search(line[:m.start()]):
            continue
        kind = None
        if g1 in ("070", "080", "090", "050") and len(g2) == 4 and len(g3) == 4:
            kind = "mobile" if g1 != "050" else "ip-phone"
        elif g1 in ("0120", "0570", "0800") and len(g2) == 3 and len(g3) in (3, 4):
            continue  # toll-free and navi-dial numbers belong to organisations
        elif len(digits) == 10 and len(g1) + len(g2) == 6 and len(g3) == 4 and g1[1] != "0":
            kind = "landline"
        if kind is None or len(set(g2 + g3)) <= 1:
            continue  # 03-0000-0000
        if kind == "landline" and _PHONE_PUBLIC.search(line) and not re.search(r"直通|携帯|自宅|個人", line):
            continue  # 代表 / 相談窓口: a public number
        yield m.start("n"), len(raw), PHONE, mask_digits(raw, 2), kind


_IP_RE = re.compile(r"(?<![\d.])(?P<ip>(?:10|172|192)\.\d{1,3}\.\d{1,3}\.\d{1,3})(?P<cidr>/\d{1,2})?(?![\d]|\.\d)")
_GENERIC_BLOCKS = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}


def _ip(line: str) -> Iterator[_Raw]:
    for m in _IP_RE.finditer(line):
        ip = m.group("ip")
        o = [int(x) for x in ip.split(".")]
        if max(o) > 255:
            continue
        if not (o[0] == 10 or (o[0] == 172 and 16 <= o[1] <= 31) or (o[0] == 192 and o[1] == 168)):
            continue
        if ip + (m.group("cidr") or "") in _GENERIC_BLOCKS:
            continue  # the RFC 1918 ranges themselves are general knowledge
        if re.search(r"(?i)(?:version|ver\.?|バージョン|\bv)\s*$", line[:m.start()]):
            continue
        yield m.start("ip"), len(ip), PRIVATE_IP, mask_ipv4(ip), "rfc1918"


_HOST_RE = re.compile(
    r"(?<![\w.\-@])(?P<h>(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?i:local|lan|internal|intranet|intra|corp|localdomain|home\.arpa|lgwan\.jp))(?![\w\-]|\.[A-Za-z0-9])"
    r"|(?<![\w.\-@])(?P<h2>(?:[A-Za-z0-9\-]+\.)*(?i:intra|intranet)\.(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,})(?![\w\-]|\.[A-Za-z0-9])"
)


def _host(line: str) -> Iterator[_Raw]:
    for m in _HOST_RE.finditer(line):
        h = m.group("h") or m.group("h2")
        g = "h" if m.group("h") else "h2"
        labels = h.lower().split(".")
        if any(lb.startswith("example") for lb in labels) or labels[0] in ("your", "yourdomain", "domain", "host", "hostname"):
            continue
        yield m.start(g), len(h), INTERNAL_HOST, mask_host(h), labels[-1]


def _address(line: str) -> Iterator[_Raw]:
    for m in ADDRESS_RE.finditer(line):
        if ADDRESS_PLACEHOLDER.search(m.group(0)) or ADDRESS_PUBLIC_CONTEXT.search(line):
            continue
        masked = f"{m.group('pref')}{m.group('city')}…"
        yield m.start(), m.end() - m.start(), ADDRESS, masked, "address"
