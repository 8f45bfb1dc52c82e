"""Backstage user tokens: ES256 JWTs of type vnd.backstage.user, verified against Backstage's
keys, and the ownership refs of their user (the `ent` claim, else Backstage's userinfo)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import httpx
import jwt
import msgspec

from finops_api.auth.jwks import BackstageUnavailable, JwksCache
from finops_core.api_config import BackstageAuth

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
        self._ownership: dict[bytes, tuple[float, frozenset[str]]] = {}

    async def user(self, token: str) -> BackstageUser:
        claims = await self._verified_claims(token)
        subject = str(claims["sub"])
        ent = claims.get("ent")
        if isinstance(ent, list) and all(isinstance(ref, str) for ref in ent):
            return BackstageUser(subject, frozenset([subject, *ent]))
        return BackstageUser(subject, await self._userinfo_refs(token, subject, _number(claims["exp"])))

    async def _verified_claims(self, token: str) -> dict[str, object]:
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
        return claims

    async def _userinfo_refs(self, token: str, subject: str, expires: float) -> frozenset[str]:
        """Backstage leaves `ent` out of its tokens by default; its userinfo has them. Cached per
        token until the token expires."""
        digest = hashlib.sha256(token.encode()).digest()
        now = time.time()
        cached = self._ownership.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            response = await self._client.get(
                self._userinfo_url, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as error:
            raise BackstageUnavailable(f"{self._userinfo_url} could not be reached: {error}") from None
        if response.status_code in (401, 403):
            raise InvalidToken("Backstage refused the token at its userinfo endpoint")
        try:
            response.raise_for_status()
            info = msgspec.json.decode(response.content, type=_UserInfo)
        except (httpx.HTTPError, msgspec.DecodeError, msgspec.ValidationError) as error:
            raise BackstageUnavailable(f"{self._userinfo_url} gave no user info: {error}") from None
        if info.claims.sub != subject:
            raise InvalidToken("Backstage's userinfo is of another user than the token's")
        refs = frozenset([subject, *info.claims.ent])
        self._remember(digest, expires, refs, now)
        return refs

    def _remember(self, digest: bytes, expires: float, refs: frozenset[str], now: float) -> None:
        if len(self._ownership) >= _CACHE_SIZE:
            self._ownership = {d: entry for d, entry in self._ownership.items() if entry[0] > now}
            while len(self._ownership) >= _CACHE_SIZE:  # all alive: drop the oldest
                self._ownership.pop(next(iter(self._ownership)))
        self._ownership[digest] = (expires, refs)


def _number(value: object) -> float:
    """A numeric claim PyJWT has checked (exp)."""
    if not isinstance(value, int | float):
        raise InvalidToken(f"not a number of seconds: {value!r}")
    return float(value)  # float ok: seconds since the epoch, not money
