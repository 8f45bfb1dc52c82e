"""The authenticated caller of a request."""

from __future__ import annotations

from dataclasses import dataclass

from finops_core.api_config import ROLES, Role


@dataclass(frozen=True)
class Principal:
    subject: str
    """user:<ns>/<name> for a Backstage user, the configured subject for a service token."""
    role: Role
    ownership_refs: frozenset[str]
    """The user and the groups it belongs to; a viewer sees the applications they own."""

    def has(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def sees_everything(self) -> bool:
        return self.has("finance")


SIMULATION_WRITER: Role = "finance"
"""Creates and deletes simulation pricing views (guards them, and GET /api/v1/me reports it)."""
LOAD_READER: Role = "admin"
"""Reads the load audit."""

ANONYMOUS = Principal(subject="anonymous", role="admin", ownership_refs=frozenset())
"""The caller under `auth: {mode: none}`: no authentication, so no restriction either."""
