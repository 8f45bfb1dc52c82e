"""Backstage user tokens: ES256 JWTs of type vnd.backstage.user, verified against Backstage's
keys, and the ownership refs of their user (the `ent` claim, else Backstage's userinfo).

A verified token's user is kept by the token's SHA-256 until the token's `exp` (at most
_CACHE_SIZE tokens a process): the dashboard's next requests with the same token skip the
ES256 verification (about 0.1 ms of CPU) and the userinfo call. A kept token is refused again
as soon as its signing key is no longer among Backstage's keys as this process knows them
(JwksCache, refetched when a token names an unknown kid): the same answer as verifying it anew.
Backstage user tokens cannot be revoked before `exp` (they are stateless JWTs); nothing else
about a token can change while it is kept."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import jwt
import msgspec

from finops_api.auth.jwks import BackstageUnavailable, JwksCache, shown_url
from finops_core.api_config import BackstageAuth
from finops_core.entity_refs import canonical_ref
from finops_core.errors import first_line

USER_TOKEN_TYPE = "vnd.backstage.user"
ALGORITHM = "ES256"
_CACHE_SIZE = 10_000


class InvalidToken(Exception):
    """A token that is not a valid Backstage user token; the message says why."""


class _UserInfoClaims(msgspec.Struct):
    sub: str
    ent: list[str] = []


class _UserInfo(msgspec.Struct):
    claims: _UserInfoClaims


@dataclass(frozen=True)
class BackstageUser:
    subject: str
    ownership_refs: frozenset[str]


@dataclass(frozen=True)
class _KeptUser:
    expires: float  # float ok: a Unix time in seconds
    """The token's exp."""
    kid: str
    user: BackstageUser


def _refs(subject: str, ent: list[str]) -> frozenset[str]:
    """The user's ownership refs, canonical as the mart stores owners (Backstage writes them so;
    a token of a custom sign-in resolver may not)."""
    return frozenset(canonical_ref(ref) for ref in (subject, *ent))


class BackstageTokens:
    def __init__(self, config: BackstageAuth, client: httpx.AsyncClient) -> None:
        base = config.base_url.rstrip("/")
        self._config = config
        self._client = client
        self._issuer = config.issuer or f"{base}/api/auth"
        self._userinfo_url = f"{base}/api/auth/v1/userinfo"
        self._keys = JwksCache(
            client, f"{base}/api/auth/.well-known/jwks.json", config.jwks_refetch_cooldown_seconds
        )
        self._users: dict[bytes, _KeptUser] = {}

    async def user(self, token: str, digest: bytes) -> BackstageUser:
        """digest: the token's SHA-256 (the key it is kept under)."""
        now = time.time()
        kept = self._users.get(digest)
        if kept is not None and kept.expires > now and self._keys.knows(kept.kid):
            return kept.user
        claims, kid = await self._verified_claims(token)
        subject = str(claims["sub"])
        ent = claims.get("ent")
        if isinstance(ent, list) and all(isinstance(ref, str) for ref in ent):
            user = BackstageUser(subject, _refs(subject, ent))
        else:
            user = BackstageUser(subject, await self._userinfo_refs(token, subject))
        self._remember(digest, _KeptUser(_number(claims["exp"]), kid, user), now)
        return user

    async def _verified_claims(self, token: str) -> tuple[dict[str, object], str]:
        """The token's claims and the kid of the key that verified them."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as error:
            raise InvalidToken(f"not a JSON Web Token: {error}") from None
        if header.get("typ") != USER_TOKEN_TYPE:
            raise InvalidToken(
                f"not a Backstage user token (typ {header.get('typ')!r}, expected {USER_TOKEN_TYPE})"
            )
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"algorithm {header.get('alg')!r} refused; Backstage signs with {ALGORITHM}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("the token names no signing key (kid)")
        key = await self._keys.key(kid)
        if key is None:
            raise InvalidToken(f"signing key {kid!r} is not one of Backstage's keys")
        try:
            claims: dict[str, object] = jwt.decode(
                token,
                key=key.key,
                algorithms=[ALGORITHM],
                audience=self._config.audience,
                issuer=self._issuer,
                leeway=self._config.leeway_seconds,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken(f"the token is not for audience {self._config.audience!r}") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken(f"the token was not issued by {self._issuer}") from None
        except jwt.InvalidTokenError as error:
            raise InvalidToken(f"the token does not verify: {error}") from None
        return claims, kid

    async def _userinfo_refs(self, token: str, subject: str) -> frozenset[str]:
        """Backstage leaves `ent` out of its tokens by default; its userinfo has them (kept with
        the token's user, see the module's docstring)."""
        try:
            response = await self._client.get(
                self._userinfo_url, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as error:
            raise BackstageUnavailable(
                f"{shown_url(self._userinfo_url)} could not be reached: {first_line(error)}"
            ) from None
        if response.status_code in (401, 403):
            raise InvalidToken("Backstage refused the token at its userinfo endpoint")
        try:
            response.raise_for_status()
            info = msgspec.json.decode(response.content, type=_UserInfo)
        except httpx.HTTPError as error:
            raise BackstageUnavailable(
                f"{shown_url(self._userinfo_url)} gave no user info: {first_line(error)}"
            ) from None
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise BackstageUnavailable(
                f"{shown_url(self._userinfo_url)} gave no user info: {error}"
            ) from None
        if info.claims.sub != subject:
            raise InvalidToken("Backstage's userinfo is of another user than the token's")
        return _refs(subject, info.claims.ent)

    def _remember(self, digest: bytes, kept: _KeptUser, now: float) -> None:  # float ok: seconds
        if len(self._users) >= _CACHE_SIZE:
            self._users = {d: entry for d, entry in self._users.items() if entry.expires > now}
            while len(self._users) >= _CACHE_SIZE:  # all alive: drop the oldest
                self._users.pop(next(iter(self._users)))
        self._users[digest] = kept


def _number(value: object) -> float:
    """A numeric claim PyJWT has checked (exp)."""
    if not isinstance(value, int | float):
        raise InvalidToken(f"not a number of seconds: {value!r}")
    return float(value)  # float ok: seconds since the epoch, not money
