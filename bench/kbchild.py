"""How the benchmarks run a ``kb`` child process: with bytecode, as an installed kb has it (a
checkout run with PYTHONDONTWRITEBYTECODE=1 would compile every module on every run; bytecode
goes to a temp folder, not into the tree), and timed by the kernel's account of the child."""

from __future__ import annotations

import os
import subprocess
import tempfile

KB_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
KB_ENV["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "kb-bench-pycache")


def timed_child(cmd: list[str], cwd: str | os.PathLike, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall s, CPU s = user + system, peak RSS MB) of one child process, its output discarded."""
    import time

    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env or KB_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, _status, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024
