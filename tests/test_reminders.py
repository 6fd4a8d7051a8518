"""kb calendar (parsed back with icalendar), kb remind (against aiosmtpd on 127.0.0.1 only), and
the pre-commit hint for pages whose review is due."""

from __future__ import annotations

import datetime as dt
import socket

from icalendar import Calendar

from test_systems import BASE

ROSTER = BASE["_data/roster.yml"].replace("  name: インフラ担当\n", "  name: インフラ担当\n  mail: kb-infra@example.jp\n")
ROSTER = ROSTER.replace("{person: 担当者B, since: 2022-04-01}", "{person: 担当者B, since: 2022-04-01, leaving: 2027-03-31}")
LEDGER = BASE["_data/systems.yml"].replace("end: 2030-03-31}", "end: 2027-12-31}\n    support_end: 2028-06-30")
TODO = '\n!!! warning "要確認"\n    本市の窓口は未確認。\n'
FILES = {**BASE, "_data/roster.yml": ROSTER, "_data/systems.yml": LEDGER, "index.md": BASE["index.md"] + TODO}


def _events(data: bytes) -> dict[str, tuple[dt.date, str]]:
    cal = Calendar.from_ical(data)
    return {str(e["UID"]): (e.decoded("DTSTART"), str(e["SUMMARY"])) for e in cal.walk("VEVENT")}


def test_calendar_parses_back_with_stable_uids(make_docs, run_kb) -> None:
    root = make_docs(FILES)
    assert run_kb(root, "--lang", "ja", "calendar", "--out", "kb.ics", "--today", "2026-11-26").exit_code == 0
    first = (root / "kb.ics").read_bytes()
    ev = _events(first)
    assert ev["contract-notice-juki@kb-tools"] == (dt.date(2027, 7, 4), "契約更新の準備開始: 住民記録")
    assert ev["contract-end-juki@kb-tools"][0] == dt.date(2027, 12, 31)
    assert ev["support-end-juki@kb-tools"][0] == dt.date(2028, 6, 30)
    leaving = [v for k, v in ev.items() if k.startswith("leaving-network-")]
    assert leaving == [(dt.date(2027, 3, 31), "異動予定: 担当者B（ネットワーク担当）")]
    reviews = {v[1]: v[0] for k, v in ev.items() if k.startswith("review-")}
    assert reviews["レビュー期限: ホーム"] == dt.date(2027, 7, 4)  # before the contract renewal
    assert run_kb(root, "--lang", "ja", "calendar", "--out", "kb.ics", "--today", "2026-11-26").exit_code == 0
    assert (root / "kb.ics").read_bytes() == first  # same day, same file
    # In English: the same events and UIDs, the texts translated.
    assert run_kb(root, "--lang", "en", "calendar", "--out", "en.ics", "--today", "2026-11-26").exit_code == 0
    en = _events((root / "en.ics").read_bytes())
    assert set(en) == set(ev) and en["contract-notice-juki@kb-tools"][1] == "Contract renewal preparation starts: 住民記録"
    assert "Review due: ホーム" in {v[1] for v in en.values()}
    # A review moves the date, not the UID: a re-import updates the event.
    page = (root / "docs/index.md").read_text(encoding="utf-8").replace("last_reviewed: 2026-10-01", "last_reviewed: 2027-08-01")
    (root / "docs/index.md").write_text(page, encoding="utf-8")
    run_kb(root, "--lang", "ja", "calendar", "--out", "kb.ics", "--today", "2026-11-26")
    again = _events((root / "kb.ics").read_bytes())
    assert set(again) == set(ev)
    uid = next(k for k, v in ev.items() if v[1] == "レビュー期限: ホーム")
    assert again[uid][0] == dt.date(2028, 7, 31)


def test_calendar_of_a_plain_project_is_empty_but_valid(make_docs, run_kb) -> None:
    root = make_docs({"index.md": "# Home\n"})
    out = run_kb(root, "calendar")
    assert out.exit_code == 0 and _events(out.stdout.encode()) == {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_remind_sends_one_digest_per_role_to_a_local_smtp_server(make_docs, run_kb) -> None:
    from aiosmtpd.controller import Controller

    got = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            got.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    port = _free_port()
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        root = make_docs(FILES)
        dry = run_kb(root, "remind", "--today", "2027-06-20")
        assert dry.exit_code == 0 and got == [] and "nothing sent" in dry.stderr
        assert "To: kb-infra@example.jp" in dry.stdout and "本市の窓口は未確認。" in dry.stdout
        ja = run_kb(root, "--lang", "ja", "remind", "--today", "2027-06-20")
        assert "2027-07-04 契約更新の準備開始: 住民記録（juki）" in ja.stdout and "■ レビュー期限（" in ja.stdout
        assert "送信はしていません" in ja.stderr
        assert run_kb(root, "remind", "--smtp", f"127.0.0.1:{port}", "--dry-run", "--today", "2027-06-20").exit_code == 0
        assert got == []
        sent = run_kb(root, "remind", "--smtp", f"127.0.0.1:{port}", "--from", "kb@example.jp", "--today", "2027-06-20")
        assert sent.exit_code == 0, sent.stderr
    finally:
        ctl.stop()
    assert [r for r, _ in got] == [["kb-infra@example.jp"]]  # network has no mail: (told on stderr)
    assert "network" in sent.stderr and "no mail" in sent.stderr
    from email import message_from_bytes, policy

    msg = message_from_bytes(got[0][1], policy=policy.default)
    body = msg.get_content()
    assert "インフラ担当" in msg["Subject"] and "2027-07-04 Contract renewal preparation starts: 住民記録 (juki)" in body
    assert "index.md:" in body and "kb review mark" in body


def test_commit_hook_output_names_the_review_mark_command(make_docs, run_kb) -> None:
    files = {**BASE, "ops/r.md": BASE["ops/r.md"].replace("last_reviewed: 2026-10-01", "last_reviewed: 2025-12-10")}
    root = make_docs(files)
    out = run_kb(root, "check", "--today", "2026-11-26").stdout
    line = next(x for x in out.splitlines() if "review.due-soon" in x or "KB302" in x)
    assert line.endswith("(review the page, then run: kb review mark ops/r.md)")
