"""The demo's servers as supervised child processes, stopped together and completely.

Each server runs in a session of its own, so a terminal's Ctrl-C reaches only the supervisor,
which then stops every server's whole process tree: SIGINT first (what each server handles as a
graceful stop), SIGKILL for whatever is left when the grace period ends or at a second Ctrl-C."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import psutil


class StopRequested(Exception):
    """SIGINT or SIGTERM reached the supervisor."""


@dataclass
class Supervisor:
    grace_seconds: float = 8.0
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _force: threading.Event = field(default_factory=threading.Event)

    def install_signal_handlers(self) -> None:
        def handle(signum: int, frame: FrameType | None) -> None:
            if self._stop.is_set():
                self._force.set()  # a second Ctrl-C: no more grace
                return
            self._stop.set()

        signal.signal(signal.SIGINT, handle)
        signal.signal(signal.SIGTERM, handle)

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> None:
        self.children[name] = subprocess.Popen(list(argv), env=dict(env), cwd=cwd, start_new_session=True)

    def wait_until_ready(self, name: str, url: str, timeout: float) -> None:
        """Poll url until it answers (any HTTP status), the child dies, a stop is asked or the
        timeout passes; a RuntimeError names what went wrong."""
        deadline = time.monotonic() + timeout
        child = self.children[name]
        while time.monotonic() < deadline:
            if self._stop.is_set():
                raise StopRequested
            if child.poll() is not None:
                raise RuntimeError(f"{name} exited with code {child.returncode} before it was ready")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except urllib.error.HTTPError:
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
        raise RuntimeError(f"{name} did not answer at {url} within {timeout:.0f} s")

    def wait(self) -> str | None:
        """Block until a stop is asked (None) or a child exits (its name)."""
        while not self._stop.wait(0.5):
            for name, child in self.children.items():
                if child.poll() is not None:
                    return name
        return None

    def stop(self) -> list[int]:
        """Stop every child's process tree; return the pids that had to be killed."""
        trees = []
        for child in self.children.values():
            try:
                parent = psutil.Process(child.pid)
                trees.append([parent, *parent.children(recursive=True)])
            except psutil.NoSuchProcess:
                continue
        for tree in trees:
            for process in tree:
                _signal(process, signal.SIGINT)
        alive = [p for tree in trees for p in tree]
        deadline = time.monotonic() + self.grace_seconds
        while alive and time.monotonic() < deadline and not self._force.is_set():
            _, alive = psutil.wait_procs(alive, timeout=0.2)
        for process in alive:
            _signal(process, signal.SIGKILL)
        psutil.wait_procs(alive, timeout=2)
        for child in self.children.values():
            child.poll()  # reap
        return [p.pid for p in alive]


def _signal(process: psutil.Process, signum: int) -> None:
    with contextlib.suppress(psutil.NoSuchProcess):
        process.send_signal(signum)
