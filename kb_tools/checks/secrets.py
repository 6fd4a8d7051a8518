"""Secrets and personal data (KB6xx, family ``secret``): credentials, personal data and
infrastructure detail found in page text, front matter, code blocks, alt text and file names.

The scan itself runs while parsing (``kb_tools.analyzers.secrets.scan``, cached with the page); this pass
applies the configuration (``plugins: - kb: secrets: {...}`` in mkdocs.yml):

```yaml
secrets:
  allow: ["03-1234-5678"]                  # values never reported (the city's public number)
  allow_patterns: ["TEST-[0-9]+"]          # regexes matched against the whole value
  allow_emails: ["johoseisaku@city.example.lg.jp", "*@soumu.city.example.lg.jp"]  # role mailboxes
  infrastructure: info                     # private IPs / internal hosts: info (default), warning, error, off
  file_names: true                         # also scan page and attachment file names
```

A page with a documented exception writes ``kb_ignore: [secret.phone]`` (or ``[secret]``) in its
front matter. Messages never print a secret whole: the masked snippet is in ``target``.
"""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from kb_tools.checks.registry import Emit, RuleContext, check_pass, declare, page_pass, setup_pass
from kb_tools.options import SecretsOptions
from kb_tools.findings import Severity
from kb_tools.i18n import N_, _
from kb_tools.analyzers.secrets import scan

if TYPE_CHECKING:
    from kb_tools.corpus import Corpus
    from kb_tools.model import Page

_R = "**Why** a knowledge base is copied, exported and published; what is written in it leaks.\n    "

AWS_KEY = declare("KB601", "secret.aws-key", severity=Severity.ERROR, doc=f"""
    AWS access key id (``AKIA…``) or secret access key in a page.

    {_R}**Bad** ``aws_access_key_id = AKIA…`` with a real key. **Good** AWS's documented examples
    ``AKIAIOSFODNN7EXAMPLE`` / ``wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY``, which are never reported.
    **Fix** remove the key and deactivate it in IAM (it is in the git history).
""")
PRIVATE_KEY = declare("KB602", "secret.private-key", severity=Severity.ERROR, doc=f"""
    Private key block (``-----BEGIN … PRIVATE KEY-----`` followed by key material).

    {_R}**Good** a header followed by ``...`` or ``（省略）`` is an example and not reported.
""")
PASSWORD = declare("KB603", "secret.password", severity=Severity.ERROR, doc=f"""
    Password written as a value: ``password: …``, ``pass=…``, ``パスワード：…``, ``PW：…``, ``暗証番号：…``.

    {_R}**Bad** ``初期パスワード：Abcd#1234``. **Good** ``パスワード：（別途通知）``, ``password: ${{DB_PASSWORD}}``,
    ``<パスワード>``, ``********``; prose such as ``パスワード：12文字以上`` is not a value.
""")
TOKEN = declare("KB604", "secret.token", severity=Severity.ERROR, doc=f"""
    Bearer or API token: ``Authorization: Bearer …``, ``api_key = …``, ``token: …`` with a random-looking
    value, and tokens with known prefixes (GitHub ``ghp_``, Slack ``xox…``, Google ``AIza``, JWT ``eyJ…``).

    {_R}**Good** ``Bearer <token>``, ``token: ${{{{ secrets.GITHUB_TOKEN }}}}``.
""")
CONNECTION_STRING = declare("KB605", "secret.connection-string", severity=Severity.ERROR, doc=f"""
    Connection string with a password: ``postgres://user:password@host/db``.

    {_R}**Good** ``postgres://app:${{PGPASSWORD}}@db/kb`` or ``postgres://app:****@db/kb``.
""")
KINTONE_TOKEN = declare("KB606", "secret.kintone-token", severity=Severity.ERROR, doc=f"""
    kintone API token (``X-Cybozu-API-Token: <40 characters>``) or password authentication header
    (``X-Cybozu-Authorization: base64(login:password)``).

    {_R}**Fix** regenerate the token in the app settings (アプリの設定 → API トークン).
""")
MYNUMBER = declare("KB611", "secret.mynumber", severity=Severity.ERROR, doc="""
    マイナンバー (individual number): 12 digits whose check digit is valid.

    **Why** a resident's or employee's individual number must never be in a knowledge base
    (番号法). Random 12-digit numbers (99 % of them: wrong check digit), AWS account ids in ARNs,
    timestamps and numbers labelled as accounts or document numbers are not reported.
""")
PHONE = declare("KB612", "secret.phone", severity=Severity.WARNING, doc="""
    Japanese phone number of a person: mobile (070/080/090), IP phone (050) or a landline.

    **Why** staff direct lines and mobiles are personal data. Toll-free and navi-dial numbers
    (0120/0800/0570) and landlines written as 代表 / 窓口 / 相談 / センター are not reported.
    Dates, version numbers and document numbers (第0123-45-6789号) are not phone numbers.
    **Config** ``secrets: allow: ["03-1234-5678"]`` for a published number.
""")
EMAIL = declare("KB613", "secret.email", severity=Severity.WARNING, doc="""
    E-mail address of an individual.

    **Why** write a role mailbox, not a person's address. Role mailboxes (info@, helpdesk@, …)
    and placeholder domains (example.com, example.jp, *.example, *.invalid, *.test) are not reported.
    **Config** ``secrets: allow_emails: ["*@soumu.city.example.lg.jp"]`` (glob patterns).
""")
ADDRESS = declare("KB614", "secret.address", severity=Severity.WARNING, doc="""
    住所-like text: 都道府県 + 市区町村 + 番地 (a resident's or a staff member's address).

    **Good** ``東京都〇〇区〇〇町1-2-3``; addresses of public buildings (所在地, 庁舎, センター) are not reported.
""")
PRIVATE_IP = declare("KB621", "secret.private-ip", severity=Severity.INFO, doc="""
    Private IPv4 address (RFC 1918): infrastructure detail that must not be on an internet-side copy.

    The ranges themselves (``10.0.0.0/8``…) and documentation addresses (RFC 5737: 192.0.2.0/24,
    198.51.100.0/24, 203.0.113.0/24) are not reported. **Config** ``secrets: infrastructure: warning``.
""")
INTERNAL_HOST = declare("KB622", "secret.internal-host", severity=Severity.INFO, doc="""
    Internal host name (``*.local``, ``*.lan``, ``*.internal``, ``*.corp``, ``*.localdomain``,
    ``*.home.arpa``, ``*.lgwan.jp``, ``intra.*``). **Config** ``secrets: infrastructure: warning``.
""")

_BY_NAME = {i.name: i for i in (AWS_KEY, PRIVATE_KEY, PASSWORD, TOKEN, CONNECTION_STRING, KINTONE_TOKEN, MYNUMBER,
                                 PHONE, EMAIL, ADDRESS, PRIVATE_IP, INTERNAL_HOST)}  # the scan names hits by rule name
_MESSAGES = {  # rule -> (what was found, hint); {kind} is one of _KINDS
    "secret.aws-key": (N_("AWS {kind}"), N_("remove it and deactivate the key; use AKIAIOSFODNN7EXAMPLE in examples")),
    "secret.private-key": (N_("private key block"),
                           N_("remove it and replace the key pair; show only '-----BEGIN … PRIVATE KEY-----' and '...'")),
    "secret.password": (N_("password"), N_("remove it and change the password; write '（別途通知）' or '<パスワード>'")),
    "secret.token": (N_("{kind} token"), N_("remove it and revoke the token; write '<token>' or an environment variable")),
    "secret.connection-string": (N_("connection string with a password"),
                                 N_("write the password as '${PASSWORD}' or '****' and change it")),
    "secret.kintone-token": (N_("kintone {kind}"), N_("remove it and regenerate the API token in the app settings")),
    "secret.mynumber": (N_("マイナンバー (valid check digit)"),
                        N_("remove it: individual numbers must not be in the knowledge base")),
    "secret.phone": (N_("phone number of a person ({kind})"),
                     N_("write the role's extension or a public number, or allow it in secrets.allow")),
    "secret.email": (N_("personal e-mail address"), N_("write a role mailbox, or list it in secrets.allow_emails")),
    "secret.address": (N_("address-like text"), N_("remove the address or write 〇〇 for the block number")),
    "secret.private-ip": (N_("private IP address"),
                          N_("infrastructure detail: keep it out of pages published outside the intranet")),
    "secret.internal-host": (N_("internal host name"),
                             N_("infrastructure detail: keep it out of pages published outside the intranet")),
}
_KINDS = {"access-key-id": N_("access key id"), "secret-access-key": N_("secret access key"), "api-token": N_("API token"),
          "password-auth": N_("password authentication header"), "bearer": N_("bearer"), "mobile": N_("mobile"),
          "ip-phone": N_("IP phone"), "landline": N_("landline")}
class _Options:
    """The validated ``secrets:`` options (kb_tools.options.SecretsOptions) in the form the pass uses."""

    def __init__(self, raw: SecretsOptions) -> None:
        self.allow = set(raw.allow)
        self.patterns = [re.compile(p) for p in raw.allow_patterns]
        self.emails = [v.lower() for v in raw.allow_emails]
        self.infrastructure = raw.infrastructure_severity
        self.file_names = raw.file_names

    @property
    def needs_values(self) -> bool:
        return bool(self.allow or self.patterns or self.emails)

    def allowed(self, rule: str, value: str) -> bool:
        v = value.strip()
        if v in self.allow or any(p.fullmatch(v) for p in self.patterns):
            return True
        if rule == "secret.email" and any(fnmatch.fnmatchcase(v.lower(), pat) for pat in self.emails):
            return True
        return False


def _message(rule: str, masked: str, kind: str, file_name: bool = False) -> tuple[str, str]:
    msg, hint = _MESSAGES[rule]
    k = kind.removesuffix("-encoded")
    k = _(_KINDS[k]) if k in _KINDS else k
    what = _(msg).format(kind=k)
    if file_name:
        return _("file name: {what} '{masked}' is written in the file name").format(what=what, masked=masked), _(hint)
    return _("{what} '{masked}' is written in the page").format(what=what, masked=masked), _(hint)


def _value(lines: list[str] | None, page: Page, hit: tuple[Any, ...]) -> str | None:
    rule, line, col, length, _masked, kind = hit
    if kind.endswith("-encoded"):
        for lk in page.links:
            if lk.line == line and lk.column == col:
                return unquote(lk.target)
        return None
    if lines is None or not 0 < line <= len(lines):
        return None
    return lines[line - 1][col - 1:col - 1 + length]


def _options(corpus: Corpus) -> _Options:
    return corpus.derived(_Options, lambda c: _Options(c.config.kb.secrets))


@setup_pass
def secrets_setup(corpus: Corpus, ctx: RuleContext, emit: Emit) -> None:
    """The severity of the infrastructure rules (before any page is checked)."""
    opts = _options(corpus)
    for info in (PRIVATE_IP, INTERNAL_HOST):
        code = info.code
        if code not in ctx.severities:  # an explicit kb.severity override wins
            ctx.severities[code] = opts.infrastructure


@page_pass
def check_secrets(corpus: Corpus, page: Page, ctx: RuleContext, emit: Emit) -> None:
    """Turn the masked candidate hits of one page's scan into findings, applying the configuration."""
    opts = _options(corpus)
    path = page.path
    hits = page.extra.get(scan.KEY)
    if hits:
        lines = None
        if opts.needs_values:
            try:
                lines = corpus.read_text(page).split("\n")
            except OSError:
                lines = None
        for hit in hits:
            rule, line, col, _length, masked, kind = hit
            if opts.needs_values:
                value = _value(lines, page, hit)
                if value is not None and opts.allowed(rule, value):
                    continue
            msg, hint = _message(rule, masked, kind)
            emit(_BY_NAME[rule], path, line, col, msg, hint, masked)
    if opts.file_names:
        _names(opts, emit, [path], scan.scan_page_name(page))


@check_pass
def check_file_names(corpus: Corpus, ctx: RuleContext, emit: Emit) -> None:
    """Attachment file names (page names are checked with their page)."""
    opts = _options(corpus)
    if opts.file_names:
        _names(opts, emit, sorted(corpus.files))


def _names(opts: _Options, emit: Emit, paths: list[str], found: list[tuple[str, str, str, str]] | None = None) -> None:
    """File name findings of ``paths``; ``found``: the scan of the one path given, when known."""
    for path in paths:
        for rule, masked, kind, value in (scan.scan_name(path) if found is None else found):
            if opts.needs_values and opts.allowed(rule, value):
                continue
            msg, hint = _message(rule, masked, kind, file_name=True)
            emit(_BY_NAME[rule], path, 1, None, msg, hint, masked)
