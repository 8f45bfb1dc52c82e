from __future__ import annotations

from typing import Literal

import msgspec

from finops_core.api_config import Role


class Me(msgspec.Struct, frozen=True, kw_only=True):
    subject: str
    """user:<ns>/<name> for a Backstage user, the configured subject of a service token;
    `anonymous` when the API authenticates nobody."""
    role: Role
    authentication: Literal["backstage", "tokens", "none"]
    """api.auth.mode: under none, nobody is authenticated and everything is allowed."""
    ownership_refs: list[str]
    """The user and the groups it belongs to, sorted; a viewer sees the applications they own."""
    sees_every_application: bool
    """finance and admin (and everyone under mode none); a viewer sees its own applications."""
    can_write_simulations: bool
    """May create and delete simulation pricing views (the finance role)."""
    can_read_loads: bool
    """May read the load audit, GET /api/v1/loads (the admin role)."""
