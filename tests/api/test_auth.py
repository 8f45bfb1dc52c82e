"""Who may call the API: real ES256 tokens verified against a fake Backstage's JWKS, service
tokens, and what each mistake or forgery gets (401 problem details)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import time
from pathlib import Path
from typing import Any

import msgspec
import pytest
from cryptography.hazmat.primitives import serialization
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.app import create_app
from finops_cli.main import main
from finops_core.api_config import AUTH_MISSING, ApiConfig
from finops_core.config import ConfigError, load_config
from tests.api.auth_fixtures import CI_TOKEN, VIEWER_TOKEN, auth_config, bearer
from tests.api.conftest import OPEN_API
from tests.api.fake_backstage import USER_TOKEN_TYPE, FakeBackstage

Client = AsyncTestClient[Litestar]
COSTS = "/api/v1/costs"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}.{b64(signature)}"


def claims_of(backstage: FakeBackstage, sub: str) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": backstage.issuer, "sub": sub, "aud": "backstage", "iat": now, "exp": now + 3600}


def hs256_with_public_key(backstage: FakeBackstage) -> str:
    """The algorithm-confusion forgery: HMAC-signed with Backstage's public key as the secret."""
    kid, key = next(iter(backstage.keys.items()))
    secret = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": USER_TOKEN_TYPE, "kid": kid}
    signing_input = unsigned(header, claims_of(backstage, "user:default/fiona")).rsplit(".", 1)[0]
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def forged(backstage: FakeBackstage, case: str) -> str:
    sub = "user:default/fiona"
    kid = next(iter(backstage.keys))
    if case == "expired":
        return backstage.token(sub, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    if case == "wrong audience":
        return backstage.token(sub, aud="another-app")
    if case == "wrong issuer":
        return backstage.token(sub, iss="https://evil.example.com/api/auth")
    if case == "alg none":
        return unsigned({"alg": "none", "typ": USER_TOKEN_TYPE, "kid": kid}, claims_of(backstage, sub))
    if case == "HS256 with the public key":
        return hs256_with_public_key(backstage)
    if case == "unknown kid":
        return backstage.token(sub, headers={"kid": "not-a-published-kid"})
    if case == "not a user token":
        return backstage.token(sub, headers={"typ": "JWT"})
    if case == "tampered claims":
        header, _, signature = backstage.token("user:default/pat").split(".")
        return f"{header}.{b64(json.dumps(claims_of(backstage, sub)).encode())}.{signature}"
    return "not-a-token-at-all"


def assert_unauthorized(response: Any, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer realm="finops"'
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized"
    assert reason in body["detail"]


async def test_no_token_is_401(auth_client: Client) -> None:
    assert_unauthorized(await auth_client.get(COSTS), "no credentials: send Authorization: Bearer <token>")
    response = await auth_client.get(COSTS, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_unauthorized(response, "must be Bearer <token>")


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("expired", "the token has expired"),
        ("wrong audience", "not for audience 'backstage'"),
        ("wrong issuer", "was not issued by http://127.0.0.1"),
        ("alg none", "algorithm 'none' refused"),
        ("HS256 with the public key", "algorithm 'HS256' refused"),
        ("unknown kid", "'not-a-published-kid' is not one of Backstage's keys"),
        ("not a user token", "not a Backstage user token"),
        ("tampered claims", "does not verify"),
        ("garbage", "not a JSON Web Token"),
    ],
)
async def test_forged_or_stale_tokens_are_401(
    auth_client: Client, backstage: FakeBackstage, case: str, reason: str
) -> None:
    response = await auth_client.get(COSTS, headers=bearer(forged(backstage, case)))
    assert_unauthorized(response, reason)


async def test_an_unknown_kid_refetches_the_keys_once(auth_client: Client, backstage: FakeBackstage) -> None:
    token = forged(backstage, "unknown kid")
    assert (await auth_client.get(COSTS, headers=bearer(token))).status_code == 401
    # the first request fetched the keys, found no such kid: the second fetch is the refetch
    assert backstage.jwks_requests == 1


async def test_key_rotation_is_accepted_within_one_request(
    auth_client: Client, backstage: FakeBackstage
) -> None:
    first = backstage.token("user:default/fiona")
    assert (await auth_client.get(COSTS, headers=bearer(first))).status_code == 200
    assert backstage.jwks_requests == 1
    new_kid = backstage.rotate()  # Backstage restarted: a new key, the old one gone
    response = await auth_client.get(
        COSTS, headers=bearer(backstage.token("user:default/fiona", kid=new_kid))
    )
    assert response.status_code == 200, response.text
    assert backstage.jwks_requests == 2
    # and the keys are cached: no fetch for a known kid
    await auth_client.get(COSTS, headers=bearer(backstage.token("user:default/fiona", kid=new_kid)))
    assert backstage.jwks_requests == 2


async def test_ownership_from_userinfo_is_cached_per_token(
    auth_client: Client, backstage: FakeBackstage
) -> None:
    token = backstage.token("user:default/pat")
    for _ in range(3):
        assert (await auth_client.get("/api/v1/applications", headers=bearer(token))).status_code == 200
    assert backstage.userinfo_requests == 1
    # a token carrying ent is not looked up at all
    with_ent = backstage.token("user:default/pat", ent=["user:default/pat", "group:default/payments-team"])
    rows = (await auth_client.get("/api/v1/applications", headers=bearer(with_ent))).json()["rows"]
    assert [row["code"] for row in rows] == ["payments"]
    assert backstage.userinfo_requests == 1


async def test_ownership_refs_match_whatever_their_case(
    auth_client: Client, backstage: FakeBackstage
) -> None:
    """Backstage compares refs case-insensitively; a custom sign-in resolver may write them as
    the catalog file did. The roles' refs are configured lower-case (auth_fixtures)."""
    viewer = backstage.token("user:default/Pat", ent=["group:Default/Payments-Team"])
    rows = (await auth_client.get("/api/v1/applications", headers=bearer(viewer))).json()["rows"]
    assert [row["code"] for row in rows] == ["payments"]
    finance = backstage.token("user:default/fiona", ent=["group:default/FINANCE"])
    rows = (await auth_client.get("/api/v1/applications", headers=bearer(finance))).json()["rows"]
    assert [row["code"] for row in rows] == ["billing", "payments"]


async def test_service_tokens(auth_client: Client) -> None:
    listed = await auth_client.get("/api/v1/applications", headers=bearer(CI_TOKEN))
    assert [row["code"] for row in listed.json()["rows"]] == ["billing", "payments"]  # finance: all
    viewer = await auth_client.get("/api/v1/applications", headers=bearer(VIEWER_TOKEN))
    assert [row["code"] for row in viewer.json()["rows"]] == ["payments"]
    assert_unauthorized(
        await auth_client.get(COSTS, headers=bearer(CI_TOKEN + "x")), "invalid token: not a JSON Web Token"
    )


async def test_health_and_schema_need_no_token(auth_client: Client) -> None:
    assert (await auth_client.get("/api/v1/health")).status_code == 200
    schema = (await auth_client.get("/schema/openapi.json")).json()
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schema["components"]["securitySchemes"]["bearer"]["description"],
    }
    assert "security" not in schema["paths"]["/api/v1/health"]["get"]
    for path, item in schema["paths"].items():
        for operation in item.values():
            if path != "/api/v1/health":
                assert operation["security"] == [{"bearer": []}], (path, operation["operationId"])
                assert "401" in operation["responses"], (path, operation["operationId"])


async def test_auth_none_says_so_on_every_answer(client: Client) -> None:
    for path in ("/api/v1/health", COSTS, "/api/v1/no-such-thing", "/api/v1/pricing-views/nope"):
        response = await client.get(path)
        assert response.headers["x-finops-auth"] == "disabled", path


async def test_auth_with_a_token_does_not_add_the_header(auth_client: Client) -> None:
    assert "x-finops-auth" not in (await auth_client.get("/api/v1/health")).headers


def test_no_auth_section_refuses_to_build_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError) as error:
        create_app("postgresql://unused", api=ApiConfig())
    assert str(error.value) == AUTH_MISSING
    config = tmp_path / "finops.yaml"
    config.write_text("sources: []\n")
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    with pytest.raises(ConfigError, match=r"api\.auth is not configured"):
        create_app("postgresql://unused")
    config.write_text("sources: []\napi:\n  auth: {mode: none}\n")
    assert load_config(config).api == OPEN_API
    create_app("postgresql://unused")  # explicit: builds


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (
            "{mode: backstage}",
            "api.auth.backstage: required for mode backstage (base_url of the Backstage backend)",
        ),
        ("{mode: tokens}", "api.auth.service_tokens: mode tokens needs at least one token"),
        ("{mode: open}", "Invalid enum value 'open'"),
        (
            "{mode: tokens, service_tokens: [{subject: ci, role: finance, sha256: abc}]}",
            "api.auth.service_tokens[0].sha256: expected 64 lower-case hex digits",
        ),
        (
            "{mode: tokens, service_tokens: [{subject: ci, role: finance}]}",
            "api.auth.service_tokens[0]: give exactly one of sha256",
        ),
        (
            "{mode: tokens, service_tokens: [{subject: ci, role: boss, env: CI_TOKEN}]}",
            "Invalid enum value 'boss'",
        ),
        ("{mode: none, roles: {admin: [group:default/x]}}", "mode none authenticates nobody"),
        (
            "{mode: backstage, backstage: {base_url: 'http://b'}, roles: {admin: [platform]}}",
            "api.auth.roles.admin[0]: 'platform' must be an entity ref",
        ),
        (
            "{mode: backstage, backstage: {base_url: 'http://b'}, roles: {viewer: [group:default/x]}}",
            "api.auth.roles.viewer: every authenticated user is a viewer; list finance and admin only",
        ),
        (
            "{mode: backstage, backstage: {base_url: 'http://admin:hunter2@b:7007'}}",
            "api.auth.backstage.base_url: must not carry a user or password",
        ),
        (
            "{mode: backstage, backstage: {base_url: 'http://b', issuer: ''}}",
            "api.auth.backstage.issuer: empty; leave it out for the default",
        ),
        (
            "{mode: backstage, backstage: {base_url: 'http://b', audience: ' '}}",
            "api.auth.backstage.audience: empty; leave it out for the default",
        ),
    ],
)
def test_auth_config_mistakes_name_the_field(tmp_path: Path, auth: str, message: str) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(f"sources: []\napi:\n  auth: {auth}\n")
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert message in str(error.value)


def test_a_service_token_from_an_unset_variable_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        "sources: []\napi:\n  auth: {mode: tokens,"
        " service_tokens: [{subject: ci, role: finance, env: FINOPS_CI}]}\n"
    )
    monkeypatch.delenv("FINOPS_CI", raising=False)
    with pytest.raises(ConfigError, match=r"api.auth.service_tokens\[0\].env: FINOPS_CI is not set"):
        create_app("postgresql://unused", api=load_config(config).api)


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("x", r"the token in FINOPS_CI has 1 characters; a service token needs at least 16"),
        ("two words token here", r"the token in FINOPS_CI holds a space; a bearer token has none"),
        ("  \n", r"FINOPS_CI is not set"),
    ],
)
def test_a_service_token_too_short_or_with_a_space_is_refused_at_startup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, refused: str
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        "sources: []\napi:\n  auth: {mode: tokens,"
        " service_tokens: [{subject: ci, role: admin, env: FINOPS_CI}]}\n"
    )
    monkeypatch.setenv("FINOPS_CI", value)
    with pytest.raises(ConfigError, match=rf"api.auth.service_tokens\[0\].env: {refused}"):
        create_app("postgresql://unused", api=load_config(config).api)


def test_the_same_token_twice_is_refused_naming_both_entries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # the first entry won silently: a token meant as admin was a viewer's
    digest = hashlib.sha256(CI_TOKEN.encode()).hexdigest()
    config = tmp_path / "finops.yaml"
    config.write_text(
        "sources: []\napi:\n  auth: {mode: tokens, service_tokens: ["
        f"{{subject: view, role: viewer, sha256: {digest}}},"
        " {subject: ops, role: admin, env: FINOPS_CI}]}\n"
    )
    monkeypatch.setenv("FINOPS_CI", CI_TOKEN)
    same = r"api.auth.service_tokens\[1\]: the same token as api.auth.service_tokens\[0\]; give each its own"
    with pytest.raises(ConfigError, match=same):
        create_app("postgresql://unused", api=load_config(config).api)


async def test_a_token_read_with_its_line_end_is_the_token(
    costs_mart: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a secret mounted from a file keeps its newline: every request with the token was a 401
    config = tmp_path / "finops.yaml"
    config.write_text(
        "sources: []\napi:\n  auth: {mode: tokens,"
        " service_tokens: [{subject: ci, role: finance, env: FINOPS_CI}]}\n"
    )
    monkeypatch.setenv("FINOPS_CI", CI_TOKEN + "\n")
    async with AsyncTestClient(app=create_app(costs_mart, api=load_config(config).api)) as client:
        response = await client.get("/api/v1/me", headers=bearer(CI_TOKEN))
    assert response.status_code == 200
    assert response.json()["subject"] == "ci"


def test_finops_serve_refuses_to_start_without_auth(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text("sources: []\n")
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    assert main(["serve", "--port", "1"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"finops: error: {AUTH_MISSING}"]


async def test_a_verified_token_is_kept_until_its_key_is_gone(
    auth_client: Client, backstage: FakeBackstage
) -> None:
    token = backstage.token("user:default/pat")
    for _ in range(3):
        assert (await auth_client.get("/api/v1/applications", headers=bearer(token))).status_code == 200
    assert (backstage.jwks_requests, backstage.userinfo_requests) == (1, 1)
    # Backstage restarted: a token of the new key makes the API fetch the keys, and the kept
    # token is refused as verifying it anew would refuse it
    new_kid = backstage.rotate()
    fresh = backstage.token("user:default/pat", kid=new_kid)
    assert (await auth_client.get("/api/v1/applications", headers=bearer(fresh))).status_code == 200
    assert backstage.jwks_requests == 2
    response = await auth_client.get("/api/v1/applications", headers=bearer(token))
    assert_unauthorized(response, "is not one of Backstage's keys")


async def test_a_kept_token_expires_with_its_exp(costs_mart: str, backstage: FakeBackstage) -> None:
    api = auth_config(backstage.url)
    assert api.auth is not None and api.auth.backstage is not None
    no_leeway = msgspec.structs.replace(api.auth.backstage, leeway_seconds=0)
    api = msgspec.structs.replace(api, auth=msgspec.structs.replace(api.auth, backstage=no_leeway))
    expires = int(time.time()) + 2
    token = backstage.token("user:default/pat", exp=expires)
    async with AsyncTestClient(app=create_app(costs_mart, api=api)) as client:
        assert (await client.get("/api/v1/applications", headers=bearer(token))).status_code == 200
        await asyncio.sleep(expires - time.time() + 1.1)  # exp has passed (PyJWT: now > exp)
        response = await client.get("/api/v1/applications", headers=bearer(token))
        assert_unauthorized(response, "the token has expired")
    assert backstage.userinfo_requests == 1


async def test_backstage_down_is_a_503_that_names_neither_its_address_nor_its_credentials(
    costs_mart: str, backstage: FakeBackstage, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = auth_config(f"http://admin:hunter2@127.0.0.1:{port}")
    token = backstage.token("user:default/pat")  # well formed; its keys cannot be fetched
    async with AsyncTestClient(app=create_app(costs_mart, api=api)) as client:
        response = await client.get(COSTS, headers=bearer(token))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["detail"] == (
        "the token could not be verified: Backstage could not be asked for its keys or its user's "
        "groups; the server's log says why"
    )
    assert "hunter2" not in response.text and str(port) not in response.text
    jwks = f"http://127.0.0.1:{port}/api/auth/.well-known/jwks.json"
    assert [r.getMessage() for r in caplog.records if r.name == "finops_api.auth.middleware"] == [
        f"authentication unavailable: the signing keys could not be read from {jwks}: "
        "All connection attempts failed"
    ]
