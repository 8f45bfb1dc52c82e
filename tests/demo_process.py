"""Running the demo as a user does, in a process of its own, and checking it stops cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from finops_cli.processes import running

STOP_SECONDS = 10
REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    """Free for a server: bindable with SO_REUSEADDR, as servers bind (closed connections may
    linger in TIME_WAIT)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class DemoProcess:
    """The demo command in a session of its own, as a terminal would run it; SIGINT goes to
    the whole session, as Ctrl-C does."""

    process: subprocess.Popen[str]
    log: Path

    @classmethod
    def start(cls, argv: Sequence[str], cwd: Path, env: dict[str, str], log: Path) -> DemoProcess:
        handle = log.open("w")
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        return cls(process, log)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log.read_text():
                return
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the demo exited ({self.process.returncode}):\n{self.log.read_text()[-3000:]}"
                )
            time.sleep(0.5)
        raise AssertionError(f"no {text!r} within {timeout} s:\n{self.log.read_text()[-3000:]}")

    def kill_everything(self) -> None:
        """After a failed check: nothing the demo started may outlive the test."""
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(self.process.pid)
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.kill()
        self.process.wait(10)

    def interrupt_and_check(self, ports: Sequence[int], signum: int = signal.SIGINT) -> float:
        """Ctrl-C (SIGINT to the whole session), or SIGTERM to the demo alone as a service
        manager sends it; assert every process the demo started is gone and the ports are free
        within STOP_SECONDS; return how long it took."""
        tree = [psutil.Process(self.process.pid), *psutil.Process(self.process.pid).children(recursive=True)]
        assert len(tree) >= 4, [p.cmdline() for p in tree]  # the demo, the API, dagster dev and its servers
        started = time.monotonic()
        if signum == signal.SIGINT:
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            os.kill(self.process.pid, signum)
        alive = tree
        while alive and time.monotonic() - started < STOP_SECONDS:
            self.process.poll()
            alive = [p for p in alive if running(p)]
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        for process in alive:
            process.kill()
        assert alive == [], f"still running after {STOP_SECONDS} s: {[p.pid for p in alive]}"
        assert all(port_is_free(port) for port in ports), ports
        self.process.wait(5)
        return elapsed


def start_small_demo(mart_url: str, tmp_path: Path) -> tuple[DemoProcess, int, int]:
    """`finops demo` on one month of 200 rows, on free ports, without the plugin, writing
    mart_url: the process, its API port and its Dagster UI port."""
    api_port, dagster_port = free_port(), free_port()
    env = {**os.environ, "FINOPS_DATABASE_URL": mart_url, "FINOPS_HOME": str(tmp_path / "home")}
    env.pop("DAGSTER_HOME", None)
    demo = DemoProcess.start(
        [sys.executable, "-m", "finops_cli.main", "demo", "--months", "1", "--rows-per-month", "200",
         "--api-port", str(api_port), "--dagster-port", str(dagster_port), "--no-plugin"],
        REPO, env, tmp_path / "demo.log",
    )  # fmt: skip
    return demo, api_port, dagster_port
