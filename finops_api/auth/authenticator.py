"""From a bearer token to a Principal: a configured service token, else a Backstage user token."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

import httpx

from finops_api.auth.backstage import BackstageTokens, InvalidToken
from finops_api.auth.principal import Principal
from finops_core.api_config import ROLES, AuthConfig, Role
from finops_core.entity_refs import canonical_ref
from finops_core.errors import ConfigError


@dataclass(frozen=True)
class _StaticToken:
    digest: bytes
    principal: Principal


MIN_TOKEN_LENGTH = 16
"""A service token's least length when the server reads it (env): a one-character admin token
was accepted. `openssl rand -hex 32` makes one of 64."""


def _env_token(name: str, at: str) -> bytes:
    """The SHA-256 of the token in the variable `name`, without the line end a secret mounted
    from a file keeps (requests never carry it: every one was refused)."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{at}.env: {name} is not set")
    if any(character.isspace() for character in value):
        raise ConfigError(f"{at}.env: the token in {name} holds a space; a bearer token has none")
    if len(value) < MIN_TOKEN_LENGTH:
        raise ConfigError(
            f"{at}.env: the token in {name} has {len(value)} characters; a service token needs at least "
            f"{MIN_TOKEN_LENGTH} (e.g. `openssl rand -hex 32`)"
        )
    return hashlib.sha256(value.encode()).digest()


def _static_tokens(config: AuthConfig) -> list[_StaticToken]:
    tokens: list[_StaticToken] = []
    first_at: dict[bytes, int] = {}
    for index, token in enumerate(config.service_tokens):
        at = f"api.auth.service_tokens[{index}]"
        digest = _env_token(token.env, at) if token.env is not None else bytes.fromhex(token.sha256 or "")
        if digest in first_at:  # the first would win, silently, whatever the second's role
            raise ConfigError(
                f"{at}: the same token as api.auth.service_tokens[{first_at[digest]}]; give each its own"
            )
        first_at[digest] = index
        principal = Principal(token.subject, token.role, frozenset(map(canonical_ref, token.ownership_refs)))
        tokens.append(_StaticToken(digest, principal))
    return tokens


class Authenticator:
    def __init__(self, config: AuthConfig) -> None:
        self._static = _static_tokens(config)
        self._roles = {role: frozenset(map(canonical_ref, refs)) for role, refs in config.roles.items()}
        self._client: httpx.AsyncClient | None = None
        self._backstage: BackstageTokens | None = None
        if config.backstage is not None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(config.backstage.timeout_seconds), follow_redirects=False
            )
            self._backstage = BackstageTokens(config.backstage, self._client)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def principal(self, token: str) -> Principal:
        digest = hashlib.sha256(token.encode()).digest()
        # every configured token is compared, in constant time, so that timing tells nothing
        found = [static.principal for static in self._static if hmac.compare_digest(static.digest, digest)]
        if found:
            return found[0]
        if self._backstage is None:
            raise InvalidToken("not one of the configured service tokens")
        user = await self._backstage.user(token, digest)
        return Principal(user.subject, self._role(user.ownership_refs), user.ownership_refs)

    def _role(self, refs: frozenset[str]) -> Role:
        granted: list[Role] = [role for role, members in self._roles.items() if refs & members]
        return max(granted, key=ROLES.index, default="viewer")
