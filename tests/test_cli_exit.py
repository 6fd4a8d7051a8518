"""The ``kb`` script leaves without the interpreter's teardown (``cli._leave``), with its
output and exit code intact; ``cli.run`` given arguments raises SystemExit as before."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCRIPT = ("import atexit, sys; atexit.register(lambda: print('teardown ran', file=sys.stderr)); "
          "sys.argv[0] = 'kb'; from kb_tools.cli import run; sys.exit(run())")


def kb_script(cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=cwd, capture_output=True, text=True)


def test_the_script_exits_with_its_output_flushed_and_its_code(make_docs) -> None:
    links = "\n".join(f"- [壊れたリンク{i}](missing-{i}.md)" for i in range(400))
    root = make_docs({"index.md": f"# 目次\n\n{links}\n", "a.md": "# 議事録\n\n会議の記録です。\n"})
    r = kb_script(root, "--no-progress", "check", "--format", "json")
    assert r.returncode == 1, r.stderr
    assert len(r.stdout) > 65536  # more than a pipe holds: written out before the exit
    report = json.loads(r.stdout)
    assert len([f for f in report["findings"] if f["rule"] == "link.missing-target"]) == 400
    assert "teardown ran" not in r.stderr
    assert (root / ".kb" / "cache" / "check-manifest.marshal").is_file()  # stored before leaving
    again = kb_script(root, "--no-progress", "check", "--format", "json")  # replayed from it
    assert again.returncode == 1 and json.loads(again.stdout)["findings"] == report["findings"]
    r = kb_script(root, "--no-progress", "index")
    assert r.returncode == 0 and "2 added" in r.stderr and "teardown ran" not in r.stderr
    r = kb_script(root, "search", "議事録", "--format", "json", "--no-update")
    assert r.returncode == 0 and json.loads(r.stdout)["results"][0]["path"] == "a.md"
    r = kb_script(root, "no-such-command")
    assert r.returncode == 2 and "No such command" in r.stderr


def test_run_with_arguments_raises_system_exit(make_docs, monkeypatch) -> None:
    from kb_tools import cli

    root = make_docs({"a.md": "# 議事録\n\n[壊れた](nowhere.md)\n"})
    monkeypatch.chdir(root)
    with pytest.raises(SystemExit) as exc:
        cli.run(["--no-progress", "-q", "check"])
    assert exc.value.code == 1


def test_a_thread_still_running_gets_the_usual_exit(make_docs, tmp_path) -> None:
    """A thread that outlives the command (here started before it; it finishes only after the
    command's last write) is not cut off: the script takes the usual exit, which joins it, and
    the teardown runs."""
    marker = tmp_path / "thread-finished"
    script = ("import atexit, sys, threading, time, pathlib; "
              "atexit.register(lambda: print('teardown ran', file=sys.stderr)); "
              "done = pathlib.Path('.kb/cache/check-manifest.marshal'); "
              "threading.Thread(target=lambda: ([time.sleep(0.05) for _ in range(600) if not done.exists()], "
              f"time.sleep(0.3), pathlib.Path({str(marker)!r}).write_text('ok'))).start(); "
              "sys.argv[0] = 'kb'; from kb_tools.cli import run; sys.exit(run())")
    root = make_docs({"a.md": "# 議事録\n\n[壊れた](nowhere.md)\n"})
    r = subprocess.run([sys.executable, "-c", script, "--no-progress", "check"], cwd=root,
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert marker.read_text() == "ok"
    assert "teardown ran" in r.stderr
