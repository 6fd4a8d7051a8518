"""Building blocks of the secret scan: placeholder recognition, masking, and shared regexes.

Nothing here knows about pages or configuration; ``scan.py`` combines these per detector.
"""

from __future__ import annotations

import math
import re

# Full-width digits and hyphen-like characters, as Japanese text writes phone numbers.
_FW = str.maketrans("０１２３４５６７８９－‐―ー−（）＋　", "0123456789-----()+ ")


def halfwidth(s: str) -> str:
    return s.translate(_FW)


# --------------------------------------------------------------------------- placeholders

# Values that documentation writes instead of a real secret. Lower-cased substrings.
_PLACEHOLDER_PARTS = (
    "example", "sample", "dummy", "placeholder", "changeme", "change_me", "change-me", "redacted",
    "masked", "your_", "your-", "yourpass", "xxxx", "hoge", "fuga", "piyo", "foobar", "<", ">",
    "${", "{{", "}}", "$(", "%(", "...", "…", "****", "伏せ", "省略", "非表示", "別途", "not_a_real",
    "notreal", "fake", "test123", "lorem",
)
# Whole values (lower-cased) that are words, types or flags, not secrets.
_PLACEHOLDER_WORDS = frozenset("""
    password passwd pass pwd pw secret token apikey api_key key value string str int bool none null
    nil true false yes no on off required optional env tbd n/a na empty blank default unknown
    mypassword yourpassword newpassword oldpassword pass123 password123 p@ssw0rd p@ssword
    secretkey mysecret mytoken yoursecret yourtoken admin user username root guest test
""".split())


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is a documentation placeholder rather than a real credential."""
    v = value.strip().strip("'\"`「」『』")
    if not v:
        return True
    low = v.lower()
    if low in _PLACEHOLDER_WORDS:
        return True
    if any(p in low for p in _PLACEHOLDER_PARTS):
        return True
    if v[0] in "$%{[(*<#~/" or v.startswith(("./", "../")):
        return True  # variables ($VAR, %VAR%, {{ x }}), masks (***), paths to secret files
    if len(set(low) - set("-_. ")) <= 1:
        return True  # xxxxxxxx, 00000000, ********
    return False


def char_classes(v: str) -> int:
    return (any(c.islower() for c in v) + any(c.isupper() for c in v) + any(c.isdigit() for c in v)
            + any(not c.isalnum() for c in v))


def entropy(v: str) -> float:
    """Shannon entropy in bits per character."""
    if not v:
        return 0.0
    counts: dict[str, int] = {}
    for c in v:
        counts[c] = counts.get(c, 0) + 1
    n = len(v)
    return -sum(k / n * math.log2(k / n) for k in counts.values())


_WORDY_RE = re.compile(r"^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$")


def looks_random(v: str, min_len: int = 16) -> bool:
    """A token-like string: long, mixed character classes, high entropy, not an identifier."""
    if len(v) < min_len:
        return False
    if _WORDY_RE.match(v) and not sum(c.isdigit() for c in v) >= len(v) // 4:
        return False  # my-app-secret-name, secret.key.path
    if char_classes(v) < 2:
        return False
    return entropy(v) >= 3.2


def has_cjk(v: str) -> bool:
    """Japanese (or other non-ASCII letters): a value in prose, not a credential."""
    return any(ord(c) > 0x2E7F for c in v)


# --------------------------------------------------------------------------- masking


def mask_token(v: str) -> str:
    """``AKIA…MPLE``: enough to find the value in the file, never the whole of it."""
    if len(v) >= 16:
        return f"{v[:4]}…{v[-4:]}"
    if len(v) >= 10:
        return f"{v[:2]}…{v[-2:]}"
    return "****"


def mask_digits(v: str, keep_last: int = 2) -> str:
    """Digits replaced by ``*`` except the last ``keep_last``; separators kept."""
    total = sum(c.isdigit() for c in v)
    out = []
    seen = 0
    for c in v:
        if c.isdigit() or "０" <= c <= "９":
            seen += 1
            out.append(c if seen > total - keep_last else "*")
        else:
            out.append(c)
    return "".join(out)


def mask_email(local: str, domain: str) -> str:
    return f"{local[:1]}***@{domain}"


def mask_ipv4(ip: str) -> str:
    a, b, _, _ = ip.split(".")
    return f"{a}.{b}.x.x"


def mask_host(host: str) -> str:
    first, _, rest = host.partition(".")
    return f"{first[:1]}***.{rest}" if rest else f"{first[:1]}***"


# --------------------------------------------------------------------------- places

PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 "
    "新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 "
    "奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 "
    "熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()

_N = r"[0-9０-９一二三四五六七八九十〇]"
ADDRESS_RE = re.compile(
    r"(?P<pref>" + "|".join(PREFECTURES) + r")"
    r"(?P<city>[^\s、。,，:：()（）「」]{1,10}?(?:市|区|町|村|郡))"
    r"(?P<rest>[^\s、。,，:：()（）「」]{0,16}?)"
    r"(?P<num>" + _N + r"+(?:丁目|番地|番|号|[-－‐ー−の]" + _N + r"+))"
)
ADDRESS_PLACEHOLDER = re.compile(r"[○〇●◯×✕＊*ＸXｘx△□]{1,}|[ＡＢＣ]町|〇〇|某")
# Addresses of public buildings are not personal data.
ADDRESS_PUBLIC_CONTEXT = re.compile(r"所在地|庁舎|本庁|役所|役場|会場|センター|事務所|本社|支所|出張所|郵便局|図書館")
