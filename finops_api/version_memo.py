"""Small answers kept per data version (finops_api/data_version.py): a cost request's context
(api/costs_context.sql: whether its view exists, its months with data, a simulation's scopes),
the stale months (api/stale_months.sql) and a viewer's visible applications
(api/visible_applications.sql) change only with what moves the version (a load, a valuation, a
run's step recorded in month_publication, a simulation written or deleted through the API, the
catalog), so a process asks PostgreSQL once per version (and key) instead of once per request."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar, cast

from litestar.datastructures import State

MEMO_ENTRIES = 4096
"""(version, key) pairs kept, the least recently used going first."""
_STATE_KEY = "finops_version_memo"
T = TypeVar("T")


class VersionMemo:
    def __init__(self, max_entries: int = MEMO_ENTRIES) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[str, Hashable], object] = OrderedDict()

    def get(self, version: str, key: Hashable) -> object | None:
        value = self._entries.get((version, key))
        if value is not None:
            self._entries.move_to_end((version, key))
        return value

    def put(self, version: str, key: Hashable, value: object) -> None:
        self._entries[(version, key)] = value
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


async def kept(
    memo: VersionMemo | None,
    version: str,
    key: Hashable,
    read: Callable[[], Awaitable[T]],
    keep: Callable[[T], bool] = lambda _: True,
) -> T:
    """The value kept for (version, key), else `read()`'s, kept when `keep` says so (no memo:
    read every time)."""
    if memo is not None and (value := memo.get(version, key)) is not None:
        return cast(T, value)
    value = await read()
    if memo is not None and keep(value):
        memo.put(version, key, value)
    return value


def version_memo(state: State) -> VersionMemo:
    """The app's memo, made on first use (no await in between: one per app)."""
    if _STATE_KEY not in state:
        state[_STATE_KEY] = VersionMemo()
    return cast(VersionMemo, state[_STATE_KEY])
