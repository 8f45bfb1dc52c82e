"""The `api:` section of finops.yaml: who may call the REST API and what it may cost the mart.

There is no default authentication: a server without `api.auth` refuses to start
(docs/api-security.md). `mode: none` opens the API and must be written out.
"""

from __future__ import annotations

import math
import re
from typing import Literal

import msgspec

from finops_core.errors import ConfigError

Role = Literal["viewer", "finance", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "finance", "admin")
"""Weakest first: a role has every right of the roles before it."""
MAX_ADJUSTMENTS_LIMIT = 10_000
_REF = re.compile(r"^(user|group):[a-z0-9._-]+/[A-Za-z0-9._-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ORIGIN = re.compile(r"^https?://[^\s/?#]+$")
AUTH_MISSING = (
    "api.auth is not configured, and the API never serves unauthenticated by default: set "
    "api.auth.mode to backstage (Backstage user tokens and service tokens), tokens (service tokens "
    "only) or none (development only) in finops.yaml; see docs/api-security.md"
)


class ServiceToken(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """A static bearer token for scripts, CI and the Backstage proxy's own calls."""

    subject: str
    """Who the token is, in the audit (e.g. service:ci)."""
    role: Role
    sha256: str | None = None
    """The token's SHA-256 as lower-case hex; the token itself is never written here."""
    env: str | None = None
    """Or: the environment variable holding the token, read when the server starts."""
    ownership_refs: list[str] = msgspec.field(default_factory=list)
    """What a viewer token owns (group or user refs); finance and admin see everything anyway."""


class BackstageAuth(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """Where Backstage publishes its signing keys and user info."""

    base_url: str
    """The Backstage backend: keys at {base_url}/api/auth/.well-known/jwks.json, user info at
    {base_url}/api/auth/v1/userinfo."""
    issuer: str | None = None
    """The tokens' iss; default {base_url}/api/auth."""
    audience: str = "backstage"
    timeout_seconds: float = 5.0
    """Per request to Backstage."""
    jwks_refetch_cooldown_seconds: float = 1.0
    """The least time between two key fetches: an unknown kid (keys rotate) refetches at once,
    a flood of forged kids does not hammer Backstage."""
    leeway_seconds: float = 30.0
    """Clock skew tolerated on exp and iat."""


class AuthConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    mode: Literal["backstage", "tokens", "none"]
    """backstage: Backstage user tokens and service tokens; tokens: service tokens only;
    none: no authentication at all (development and the demo only)."""
    backstage: BackstageAuth | None = None
    service_tokens: list[ServiceToken] = msgspec.field(default_factory=list)
    roles: dict[Role, list[str]] = msgspec.field(default_factory=dict)
    """Role -> the ownership refs (groups, users) that have it; other users are viewers."""
    organisation_totals: bool = False
    """Every authenticated user may read totals not broken down by application or owner."""


class ApiConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    auth: AuthConfig | None = None
    cors_origins: list[str] = msgspec.field(default_factory=list)
    """Origins a browser may call the API from directly; none by default (the Backstage proxy
    calls it server-side and needs none)."""
    max_body_bytes: int = 1_000_000
    """Larger request bodies get 413."""
    max_adjustments: int = 200
    """Adjustments per simulation."""
    statement_timeout_seconds: float = 30.0
    """Every API query is cancelled after this long (the request then gets 503)."""
    cheap_statement_timeout_seconds: float = 5.0
    """The same for the cheap reads (referentials, pricing views, health), on their own pool."""
    answer_cache_megabytes: int = 64
    """Answers of the cost reads each API process keeps under their ETag
    (finops_api/answer_cache.py); 0 keeps none."""


def validate_api(api: ApiConfig, where: str) -> None:
    if not 1 <= api.max_body_bytes <= 100_000_000:
        raise ConfigError(f"{where}.max_body_bytes: {api.max_body_bytes} must be between 1 and 100000000")
    if not 1 <= api.max_adjustments <= MAX_ADJUSTMENTS_LIMIT:
        raise ConfigError(
            f"{where}.max_adjustments: {api.max_adjustments} must be between 1 and {MAX_ADJUSTMENTS_LIMIT}"
        )
    if not 0 <= api.answer_cache_megabytes <= 65_536:
        raise ConfigError(
            f"{where}.answer_cache_megabytes: {api.answer_cache_megabytes} must be between 0 and 65536"
        )
    for name in ("statement_timeout_seconds", "cheap_statement_timeout_seconds"):
        if not 0 < getattr(api, name) < math.inf:
            raise ConfigError(f"{where}.{name}: must be a positive number of seconds")
    for index, origin in enumerate(api.cors_origins):
        if not _ORIGIN.match(origin):
            raise ConfigError(
                f"{where}.cors_origins[{index}]: {origin!r} must be an origin such as https://backstage.example.com"
            )
    if api.auth is not None:
        _validate_auth(api.auth, f"{where}.auth")


def _validate_auth(auth: AuthConfig, where: str) -> None:
    if auth.mode == "backstage" and auth.backstage is None:
        raise ConfigError(
            f"{where}.backstage: required for mode backstage (base_url of the Backstage backend)"
        )
    if auth.mode != "backstage" and auth.backstage is not None:
        raise ConfigError(f"{where}.backstage: only for mode backstage")
    if auth.mode == "tokens" and not auth.service_tokens:
        raise ConfigError(f"{where}.service_tokens: mode tokens needs at least one token")
    if auth.mode == "none" and (auth.service_tokens or auth.roles):
        raise ConfigError(f"{where}: mode none authenticates nobody; remove service_tokens and roles")
    if auth.backstage is not None:
        backstage = auth.backstage
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", backstage.base_url):
            raise ConfigError(f"{where}.backstage.base_url: {backstage.base_url!r} must be an http(s) URL")
        if "@" in backstage.base_url.split("://", 1)[1].split("/", 1)[0]:
            # Backstage's keys and user info need none, and the URL goes to the logs
            raise ConfigError(f"{where}.backstage.base_url: must not carry a user or password")
        for name in ("issuer", "audience"):
            if (value := getattr(backstage, name)) is not None and not value.strip():
                raise ConfigError(f"{where}.backstage.{name}: empty; leave it out for the default")
        for name in ("timeout_seconds", "jwks_refetch_cooldown_seconds", "leeway_seconds"):
            # `not 0 <= x`, not `x < 0`: NaN (.nan) compares false to everything, and a NaN
            # leeway made every expiry check false, accepting expired tokens
            seconds = getattr(backstage, name)
            if not 0 <= seconds < math.inf or (name == "timeout_seconds" and seconds == 0):
                raise ConfigError(f"{where}.backstage.{name}: must be positive")
    subjects: set[str] = set()
    for index, token in enumerate(auth.service_tokens):
        at = f"{where}.service_tokens[{index}]"
        if (token.sha256 is None) == (token.env is None):
            raise ConfigError(f"{at}: give exactly one of sha256 (the token's hash) and env (its variable)")
        if token.sha256 is not None and not _SHA256.match(token.sha256):
            raise ConfigError(f"{at}.sha256: expected 64 lower-case hex digits (sha256sum of the token)")
        if token.env is not None and not _ENV_NAME.match(token.env):
            raise ConfigError(f"{at}.env: {token.env!r} must be an environment variable name")
        if not token.subject.strip() or token.subject in subjects:
            raise ConfigError(f"{at}.subject: {token.subject!r} must be a unique, non-empty name")
        subjects.add(token.subject)
        _check_refs(token.ownership_refs, f"{at}.ownership_refs")
    for role, refs in auth.roles.items():
        if role == "viewer":  # granted nothing: every authenticated user is one
            raise ConfigError(
                f"{where}.roles.viewer: every authenticated user is a viewer; list finance and admin only"
            )
        _check_refs(refs, f"{where}.roles.{role}")


def _check_refs(refs: list[str], where: str) -> None:
    for index, ref in enumerate(refs):
        if not _REF.match(ref):
            raise ConfigError(
                f"{where}[{index}]: {ref!r} must be an entity ref such as group:default/finance"
            )
