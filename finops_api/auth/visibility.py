"""What a caller may see: every application (finance, admin, auth none), or a viewer's own
(those whose current owner is among its ownership refs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from litestar import Request
from litestar.di import NamedDependency

from finops_api.auth.middleware import principal_of
from finops_api.data_version import data_version
from finops_api.db import Pool
from finops_api.version_memo import kept, version_memo
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

    # a set of ownership refs' applications, read again only after ownership, a load or a
    # simulation moved the data version
    async def read() -> tuple[str, ...]:
        async with db_pool.connection() as conn, conn.cursor() as cur:
            await cur.execute(
                sql_text("api/visible_applications.sql"), {"refs": sorted(principal.ownership_refs)}
            )
            return tuple(row[0] for row in await cur.fetchall())

    key = ("visible_applications", principal.ownership_refs)
    codes = await kept(version_memo(request.app.state), version, key, read)
    return Visibility(codes, request.app.state.api_config.auth.organisation_totals)
