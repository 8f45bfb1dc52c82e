"""A fake Backstage auth backend on 127.0.0.1, speaking its documented wire format: the JWKS at
/api/auth/.well-known/jwks.json and GET /api/auth/v1/userinfo -> {claims: {sub, ent}}, and
user tokens as Backstage signs them (ES256, typ vnd.backstage.user, kid, iss, aud, sub, iat, exp)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

USER_TOKEN_TYPE = "vnd.backstage.user"


@dataclass
class FakeBackstage:
    url: str = ""
    keys: dict[str, ec.EllipticCurvePrivateKey] = field(default_factory=dict)
    """kid -> private key; the JWKS publishes their public halves."""
    ownership: dict[str, list[str]] = field(default_factory=dict)
    """sub -> the ent claims its userinfo answers."""
    jwks_requests: int = 0
    userinfo_requests: int = 0

    @property
    def issuer(self) -> str:
        return f"{self.url}/api/auth"

    def rotate(self) -> str:
        """A new signing key replaces the old ones, as at a Backstage restart; its kid."""
        kid = str(uuid.uuid4())
        self.keys = {kid: ec.generate_private_key(ec.SECP256R1())}
        return kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "alg": "ES256", "use": "sig"})
        return {"keys": keys}

    def token(
        self, sub: str, *, kid: str | None = None, headers: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        """A user token as Backstage signs it; claims override or add to the standard ones."""
        kid = kid or next(iter(self.keys))
        now = int(time.time())
        standard = {"iss": self.issuer, "sub": sub, "aud": "backstage", "iat": now, "exp": now + 3600}
        payload = {**standard, **claims}
        return jwt.encode(
            payload,
            self.keys[kid],
            algorithm="ES256",
            headers={"typ": USER_TOKEN_TYPE, "kid": kid, **(headers or {})},
        )

    def userinfo(self, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """Backstage verifies the token it is given and answers its user's claims."""
        token = (authorization or "").removeprefix("Bearer ")
        for key in self.keys.values():
            try:
                claims = jwt.decode(token, key.public_key(), algorithms=["ES256"], audience="backstage")
            except jwt.InvalidTokenError:
                continue
            sub = claims["sub"]
            return 200, {"claims": {"sub": sub, "ent": self.ownership.get(sub, [sub])}}
        return 401, {"error": {"name": "AuthenticationError", "message": "Illegal token"}}


@contextmanager
def serve_fake_backstage() -> Iterator[FakeBackstage]:
    fake = FakeBackstage()
    fake.rotate()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/api/auth/.well-known/jwks.json":
                fake.jwks_requests += 1
                status, body = 200, fake.jwks()
            elif self.path == "/api/auth/v1/userinfo":
                fake.userinfo_requests += 1
                status, body = fake.userinfo(self.headers.get("Authorization"))
            else:
                status, body = 404, {"error": {"name": "NotFoundError"}}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
