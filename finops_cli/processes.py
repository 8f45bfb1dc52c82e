"""The demo's servers as supervised child processes, stopped together and completely.

Each server runs in a session of its own, so a terminal's Ctrl-C reaches only the supervisor,
which then stops every server's whole process tree: SIGINT first (what each server handles as a
graceful stop), SIGKILL for whatever is left when the grace period ends or at a second Ctrl-C."""

from __future__ import annotations

import contextlib
import os
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

_ACCEPT = {"Accept": "text/html,application/json;q=0.9,*/*;q=0.8"}


class StopRequested(Exception):
    """SIGINT or SIGTERM reached the supervisor."""


@dataclass
class Supervisor:
    grace_seconds: float = 6.0
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    group_stopped: set[str] = field(default_factory=set)
    """Children whose whole process group gets the SIGINT, as a terminal's Ctrl-C would give it
    (a shell script's npm and node); the others get it at their root only."""
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

    def start(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path, stop_group: bool = False
    ) -> None:
        self.children[name] = subprocess.Popen(list(argv), env=dict(env), cwd=cwd, start_new_session=True)
        if stop_group:
            self.group_stopped.add(name)

    def wait_until_ready(self, name: str, url: str, timeout: float) -> None:
        """Poll url until it answers 2xx, the child dies, a stop is asked or the timeout passes;
        a RuntimeError names what went wrong. (A dev server answers 404 while it compiles.)"""
        deadline = time.monotonic() + timeout
        child = self.children[name]
        while time.monotonic() < deadline:
            if self._stop.is_set():
                raise StopRequested
            if child.poll() is not None:
                raise RuntimeError(f"{name} exited with code {child.returncode} before it was ready")
            try:
                # as a browser asks: a dev server's page routes answer 404 to other Accept headers
                with urllib.request.urlopen(urllib.request.Request(url, headers=_ACCEPT), timeout=5):
                    return
            except (urllib.error.URLError, OSError):  # HTTPError (not 2xx) included
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
        """Stop every child's process tree; return the pids that had to be killed. Only each
        tree's root gets SIGINT: `dagster dev` then stops its own servers in order (3.8 s
        measured), where signalling them all at once makes it wait on them (8 s)."""
        trees = []
        for name, child in self.children.items():
            try:
                root = psutil.Process(child.pid)
                trees.append([root, *root.children(recursive=True)])
            except psutil.NoSuchProcess:
                continue
            if name in self.group_stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGINT)
            else:
                _signal(root, signal.SIGINT)
        alive = [p for tree in trees for p in tree]
        deadline = time.monotonic() + self.grace_seconds
        while alive and time.monotonic() < deadline and not self._force.is_set():
            self._reap()
            alive = [p for p in alive if running(p)]
            time.sleep(0.1)
        for process in alive:
            _signal(process, signal.SIGKILL)
        self._reap()
        return [p.pid for p in alive]

    def _reap(self) -> None:
        for child in self.children.values():
            child.poll()


def running(process: psutil.Process) -> bool:
    """Alive and not a zombie: an exited grandchild whose parent is gone may wait for a reaper
    that never comes, and it holds nothing."""
    try:
        status: str = process.status()
    except psutil.NoSuchProcess:
        return False
    return bool(status != psutil.STATUS_ZOMBIE)


def _signal(process: psutil.Process, signum: int) -> None:
    with contextlib.suppress(psutil.NoSuchProcess):
        process.send_signal(signum)
