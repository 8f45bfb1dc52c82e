"""The API as the HTTP load benchmark serves it: `uvicorn --factory benchmarks.http_app:create`.

uvicorn's workers each import and build the app, so the benchmark hands them the mart and the
`api` section through the environment: FINOPS_BENCH_DATABASE_URL and FINOPS_BENCH_API (the
ApiConfig as JSON), validated as finops.yaml's would be.
"""

from __future__ import annotations

import logging
import os

import msgspec
from litestar import Litestar

from finops_api.app import create_app
from finops_core.api_config import ApiConfig, validate_api

DATABASE_ENV = "FINOPS_BENCH_DATABASE_URL"
API_ENV = "FINOPS_BENCH_API"


def create() -> Litestar:
    api = msgspec.json.decode(os.environ[API_ENV], type=ApiConfig)
    validate_api(api, API_ENV)
    # the authenticator's calls to Backstage would log a line each
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return create_app(os.environ[DATABASE_ENV], api=api)
