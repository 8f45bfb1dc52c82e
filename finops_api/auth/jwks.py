"""Backstage's signing keys, fetched from its JWKS endpoint and kept until a token names a kid
they lack (keys rotate with every token lifetime and every Backstage restart)."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt

from finops_core.errors import first_line


class BackstageUnavailable(Exception):
    """Backstage could not be asked (unreachable, or an answer not of the documented shape).
    Its text names the address and the reason, for the server's log: callers are told less."""


def shown_url(url: str) -> str:
    """The address without the user and password it may carry, as a log may show it."""
    return str(httpx.URL(url).copy_with(userinfo=b""))


class JwksCache:
    def __init__(self, client: httpx.AsyncClient, url: str, cooldown_seconds: float) -> None:
        self._client = client
        self._url = url
        self._cooldown = cooldown_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The key of that kid; fetched again once when unknown, unless fetched within the
        cooldown (a flood of made-up kids must not become a flood of requests to Backstage)."""
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid not in self._keys and self._may_fetch():
                await self._fetch()
        return self._keys.get(kid)

    def knows(self, kid: str) -> bool:
        """Whether the key is among those last fetched (no fetch)."""
        return kid in self._keys

    def _may_fetch(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at >= self._cooldown

    async def _fetch(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            response = await self._client.get(self._url)
            response.raise_for_status()
            key_set = jwt.PyJWKSet.from_dict(response.json())
        except httpx.HTTPError as error:
            raise BackstageUnavailable(
                f"the signing keys could not be read from {shown_url(self._url)}: {first_line(error)}"
            ) from None
        except (ValueError, jwt.PyJWKSetError) as error:
            raise BackstageUnavailable(
                f"{shown_url(self._url)} did not answer a JSON Web Key Set: {error}"
            ) from None
        # Only EC signing keys: a token can then never be checked with a key of another family
        # (an RSA or symmetric key offered by a misconfigured endpoint).
        self._keys = {k.key_id: k for k in key_set.keys if k.key_id and k.key_type == "EC"}
