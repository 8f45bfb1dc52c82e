"""What a caller may see: every application (finance, admin, auth none), or a viewer's own
(those whose current owner is among its ownership refs)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from finops_api.auth.middleware import principal_of
from finops_api.data_version import data_version
from finops_api.db import Pool
from finops_core.sql import sql_text

TEAM_KEYS = frozenset({"application", "owner"})
"""Keys that break costs down by team: organisation_totals never opens a request using them."""


@dataclass(frozen=True)
class Visibility:
    applications: tuple[str, ...] | None
    """The codes a viewer sees, sorted; None: every application."""
    organisation_totals: bool = False
    """Totals that no team key breaks down are shown whole (api.auth.organisation_totals)."""

    def sees(self, application: str) -> bool:
        return self.applications is None or application in self.applications

    def for_keys(self, keys: Iterable[str]) -> tuple[str, ...] | None:
        """The applications a costs request over these group and filter keys may read."""
        if self.organisation_totals and not TEAM_KEYS & set(keys):
            return None
        return self.applications


EVERYTHING = Visibility(None)
_STATE_KEY = "finops_visibility"
_CACHE_KEY = "finops_visible_applications"
CACHED_OWNERSHIPS = 4096
"""Distinct sets of ownership refs a worker keeps the applications of (the least recently
used go first)."""


class VisibleApplicationsCache:
    """Each set of ownership refs' visible applications, as of the data version they were read
    at (finops_api/data_version.py, which changes with the catalog): a viewer's request reads
    them again only after ownership, a load or a simulation changed something."""

    def __init__(self, max_entries: int = CACHED_OWNERSHIPS) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[frozenset[str], tuple[str, tuple[str, ...]]] = OrderedDict()

    def get(self, refs: frozenset[str], version: str) -> tuple[str, ...] | None:
        entry = self._entries.get(refs)
        if entry is None or entry[0] != version:
            return None
        self._entries.move_to_end(refs)
        return entry[1]

    def put(self, refs: frozenset[str], version: str, codes: tuple[str, ...]) -> None:
        self._entries[refs] = (version, codes)
        self._entries.move_to_end(refs)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


def visible_applications_cache(state: State) -> VisibleApplicationsCache:
    """The app's cache, made on first use (no await in between: one per app)."""
    if _CACHE_KEY not in state:
        state[_CACHE_KEY] = VisibleApplicationsCache()
    return cast(VisibleApplicationsCache, state[_CACHE_KEY])


async def provide_visibility(request: Request[Any, Any, Any], db_pool: NamedDependency[Pool]) -> Visibility:
    """Computed once per request (the revalidation guard needs it before the handler)."""
    state = request.scope["state"]
    if _STATE_KEY not in state:
        state[_STATE_KEY] = await _visibility(request, db_pool)
    return cast(Visibility, state[_STATE_KEY])


async def _visibility(request: Request[Any, Any, Any], db_pool: Pool) -> Visibility:
    principal = principal_of(request)
    if principal.sees_everything:
        return EVERYTHING
    # the version first: a catalog change committed after it changes the next request's key
    version = await data_version(request, db_pool)
    cache = visible_applications_cache(request.app.state)
    codes = cache.get(principal.ownership_refs, version)
    if codes is None:
        async with db_pool.connection() as conn, conn.cursor() as cur:
            await cur.execute(
                sql_text("api/visible_applications.sql"), {"refs": sorted(principal.ownership_refs)}
            )
            codes = tuple(row[0] for row in await cur.fetchall())
        cache.put(principal.ownership_refs, version, codes)
    return Visibility(codes, request.app.state.api_config.auth.organisation_totals)
