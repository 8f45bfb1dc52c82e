"""The HTTP load generator of benchmarks/http_load.py: wrk (Debian's /usr/bin/wrk, C, one
thread), which sends a rotation of requests, each with its own Authorization header, from a Lua
script, and prints its latency percentiles as JSON. The Python client it replaces (httpx) used
0.6-0.8 of a core at 150-200 rps: on 2 cores it was the bottleneck."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

WRK = "wrk"

_SCRIPT = """
local requests = {%(requests)s}
local n = 0
init = function(args)
  for i, r in ipairs(requests) do requests[i] = wrk.format("GET", r[1], r[2]) end
end
request = function()
  n = n + 1
  return requests[(n %% #requests) + 1]
end
done = function(summary, latency, _)
  io.write(string.format(
    '\\nWRK-JSON {"requests": %%d, "seconds": %%f, "p50": %%d, "p95": %%d, "p99": %%d, '
    .. '"status": %%d, "connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class Sent:
    """A request of the rotation: its path and query, and its headers."""

    path: str
    params: Mapping[str, str]
    headers: Mapping[str, str]

    def target(self) -> str:
        return f"{self.path}?{urlencode(self.params)}" if self.params else self.path


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: dict[str, int]
    """wrk's error counts by kind (status: answers of 400 and above), the zeros left out."""
    cpu_seconds: float
    """CPU wrk used (user and system)."""

    @property
    def rps(self) -> float:
        """Answers a second; a failed request counts as none."""
        return (self.requests - sum(self.errors.values())) / self.seconds  # float ok: a rate


def available() -> bool:
    return shutil.which(WRK) is not None


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string literal


_PACED = """
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } finops_timespec;
           int clock_gettime(int, finops_timespec *); ]]
local now = ffi.new("finops_timespec")
local slot = 0
delay = function()
  ffi.C.clock_gettime(1, now)  -- CLOCK_MONOTONIC
  local ms = tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
  slot = math.max(slot + %(interval_ms)f, ms)
  return slot - ms
end
"""
"""Each request takes the next free slot of a schedule of one request every interval_ms (wrk's
LuaJIT reads the monotonic clock through its FFI): about rate requests a second whatever the
latency, as long as a connection is free."""


def script(rotation: Sequence[Sent], rate: float | None = None) -> str:
    """rate: requests a second the script offers; None: as many as the server answers."""
    entries = []
    for sent in rotation:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in sent.headers.items())
        entries.append(f"{{{_lua_string(sent.target())}, {{{headers}}}}}")
    paced = _PACED % {"interval_ms": 1000 / rate} if rate else ""
    return _SCRIPT % {"requests": ",\n".join(entries)} + paced


def run_wrk(
    base_url: str, rotation: Sequence[Sent], concurrency: int, seconds: float, rate: float | None = None
) -> WrkResult:
    """concurrency connections from one wrk thread for seconds, over the rotation in order: as
    fast as the server answers, or paced to about rate requests a second."""
    with tempfile.TemporaryDirectory() as folder:
        lua = Path(folder) / "rotation.lua"
        lua.write_text(script(rotation, rate))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [WRK, "-t1", f"-c{concurrency}", f"-d{seconds:g}s", "--timeout", "30s", "-s", str(lua), base_url],
            capture_output=True,
            text=True,
            check=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK-JSON "))
    figures = json.loads(line.removeprefix("WRK-JSON "))
    errors = {
        kind: figures[kind] for kind in ("status", "connect", "read", "write", "timeout") if figures[kind]
    }
    return WrkResult(
        requests=figures["requests"],
        seconds=figures["seconds"],
        p50_ms=figures["p50"] / 1000,
        p95_ms=figures["p95"] / 1000,
        p99_ms=figures["p99"] / 1000,
        errors=errors,
        cpu_seconds=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    )
