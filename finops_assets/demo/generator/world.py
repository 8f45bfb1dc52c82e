"""The world: everything that does not change from month to month (accounts, commitments,
products and their prices, tagged and untagged resources, and the string tables the month's rows
gather from), drawn once per (size, seed) from its own random stream."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from finops_assets.demo.generator.catalogue import (
    BILLING_ACCOUNTS,
    ENVIRONMENTS,
    PROVIDERS,
    TEAMS,
    application_names,
)
from finops_assets.demo.generator.identifiers import account_id, commitment_id, sub_account_id
from finops_assets.demo.generator.series import I64, Mask, lookup
from finops_assets.demo.generator.services import KINDS, product_catalogue
from finops_assets.demo.generator.tables import string_tables


@dataclass(frozen=True)
class World:
    n_products: int
    n_apps: int
    # billing accounts (B), sub-accounts (S), commitments (K, one per account that has one)
    ba_provider: I64
    ba_negotiated: I64
    ba_tax_bp: I64
    ba_commitment: I64  # commitment index or -1
    commitment_ba: I64
    commitment_sub: I64  # the sub-account that bought it
    commitment_discount: I64
    sub_ba: I64
    # products (P)
    product_price: I64  # (P, B): list price in the account's currency, 1e-6
    product_consumed_factor: I64
    product_eligible: Mask  # coverable by a commitment
    product_kind: I64  # 0 hours, 1 storage, 2 volume
    # resources (R): tagged pool first, then the untagged pool
    n_tagged: int
    res_product: I64
    res_sub: I64
    res_app: I64
    res_region: I64  # global region index
    res_tag: I64  # index into tables["Tags"] or -1
    res_spot_percent: I64  # spot price, percent of list; 0 when not spot
    res_count: I64  # instances (hours) ...
    res_size: I64  # ... GB (storage) or base daily quantity in 1e-4 (volume)
    # string tables, gathered by index arrays
    tables: dict[str, pl.Series]


def _region_tables() -> tuple[list[tuple[str, str]], I64, I64]:
    """All regions, the first global index of each provider's regions, and their counts."""
    regions = [region for provider in PROVIDERS for region in provider.regions]
    counts = np.array([len(p.regions) for p in PROVIDERS], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return regions, starts, counts


@lru_cache(maxsize=8)
def world_for(rows_per_month: int, n_apps: int, n_products: int, seed: int) -> World:
    rng = np.random.default_rng([seed, 0, 0])  # months never have year 0: a separate stream
    regions, region_start, region_count = _region_tables()
    products = product_catalogue(n_products)
    apps = application_names(n_apps)

    # Accounts and sub-accounts: fixed names, ids drawn from the seed.
    ba_ids = [account_id(rng, ba.provider) for ba in BILLING_ACCOUNTS]
    subs = [(b, name, env) for b, ba in enumerate(BILLING_ACCOUNTS) for name, env in ba.sub_accounts]
    sub_ids = [sub_account_id(rng, BILLING_ACCOUNTS[b].provider, name) for b, name, _ in subs]
    sub_ba = np.array([b for b, _, _ in subs], dtype=np.int64)
    sub_env = np.array([env for _, _, env in subs], dtype=np.int64)
    sub_region = np.array(
        [
            region_start[BILLING_ACCOUNTS[b].provider] + rng.choice(BILLING_ACCOUNTS[b].regions)
            for b, _, _ in subs
        ],
        dtype=np.int64,
    )
    ba_provider = np.array([ba.provider for ba in BILLING_ACCOUNTS], dtype=np.int64)
    sub_provider = ba_provider[sub_ba]

    # Products
    product_provider = np.array([p.provider for p in products], dtype=np.int64)
    base_price = np.array([p.price for p in products], dtype=np.int64)
    price_percent = np.array([ba.price_percent for ba in BILLING_ACCOUNTS], dtype=np.int64)
    product_price = base_price[:, None] * price_percent[None, :] // 100
    providers_used = np.unique(product_provider)

    product_eligible = np.array(
        [p.category in ("Compute", "Databases") and p.kind == "hours" for p in products]
    )

    # A commitment exists where its provider has products it can cover.
    coverable = set(product_provider[product_eligible].tolist())
    commitments = [
        (b, ba.commitment)
        for b, ba in enumerate(BILLING_ACCOUNTS)
        if ba.commitment is not None and ba.provider in coverable
    ]
    ba_commitment = np.full(len(BILLING_ACCOUNTS), -1, dtype=np.int64)
    for k, (b, _) in enumerate(commitments):
        ba_commitment[b] = k
    commitment_ba = np.array([b for b, _ in commitments], dtype=np.int64)
    commitment_sub = np.array([int(np.flatnonzero(sub_ba == b)[0]) for b in commitment_ba], dtype=np.int64)
    commitment_ids = [
        commitment_id(rng, BILLING_ACCOUNTS[b].provider, sub_ids[int(commitment_sub[k])])
        for k, (b, _) in enumerate(commitments)
    ]

    # Resources: the tagged pool holds every application and every product at least once, the
    # untagged pool every product at least once; the rest is drawn with skewed weights.
    n_tagged = max(n_apps + n_products, rows_per_month // 25)
    n_untagged = max(n_products, n_tagged // 10)
    n_res = n_tagged + n_untagged
    provider_weight = np.array([p.weight for p in PROVIDERS], dtype=np.float64)  # float ok: weights
    per_provider = np.bincount(product_provider, minlength=len(PROVIDERS))
    product_weight = provider_weight[product_provider] / per_provider[product_provider]  # float ok
    product_weight /= product_weight.sum()  # float ok
    res_product = rng.choice(n_products, size=n_res, p=product_weight).astype(np.int64)
    res_product[:n_products] = np.arange(n_products)
    res_product[n_tagged : n_tagged + n_products] = np.arange(n_products)

    app_weight = 1.0 / (rng.permutation(n_apps) + 1.0) ** 0.8  # float ok: Zipf-like popularity
    res_app = rng.choice(n_apps, size=n_res, p=app_weight / app_weight.sum()).astype(np.int64)
    res_app[:n_apps] = np.arange(n_apps)
    app_team = rng.integers(0, len(TEAMS), size=n_apps)

    # Sub-account: the application's home sub-account at the product's provider, mostly.
    provider_subs = [np.flatnonzero(sub_provider == p) for p in range(len(PROVIDERS))]
    app_home = np.zeros((n_apps, len(PROVIDERS)), dtype=np.int64)
    for p in providers_used:
        app_home[:, p] = rng.choice(provider_subs[p], size=n_apps)
    sub_table = np.zeros((len(PROVIDERS), max(map(len, provider_subs))), dtype=np.int64)
    for p, members in enumerate(provider_subs):
        sub_table[p, : len(members)] = members
    res_provider = product_provider[res_product]
    sub_count = np.array([len(members) for members in provider_subs], dtype=np.int64)
    other_sub = sub_table[res_provider, rng.integers(0, np.maximum(sub_count[res_provider], 1))]
    res_sub = np.where(rng.random(n_res) < 0.8, app_home[res_app, res_provider], other_sub)  # float ok

    other_region = region_start[res_provider] + rng.integers(0, region_count[res_provider])
    res_region = np.where(rng.random(n_res) < 0.8, sub_region[res_sub], other_region)  # float ok
    res_env = np.where(rng.random(n_res) < 0.85, sub_env[res_sub], rng.integers(0, 3, n_res))  # float ok

    # Tags: app x env for the tagged pool; the untagged pool has null Tags or team/env only.
    tag_texts: list[str] = [
        json.dumps({"application": app, "environment": env, "team": TEAMS[int(app_team[a])]},
                   separators=(",", ":"))
        for a, app in enumerate(apps) for env in ENVIRONMENTS
    ]  # fmt: skip
    tag_texts += [
        json.dumps({"environment": env, "team": team}, separators=(",", ":"))
        for team in TEAMS for env in ENVIRONMENTS
    ]  # fmt: skip
    untagged_team = rng.integers(0, len(TEAMS), n_res)
    res_tag = np.where(
        np.arange(n_res) < n_tagged,
        res_app * 3 + res_env,
        np.where(rng.random(n_res) < 0.5, -1, 3 * n_apps + untagged_team * 3 + res_env),  # float ok
    ).astype(np.int64)

    # Quantities: instance counts, storage sizes, typical daily volumes.
    kinds = np.array([p.kind for p in products])
    lo = np.array([p.exponents[0] for p in products], dtype=np.int64)
    hi = np.array([p.exponents[1] for p in products], dtype=np.int64)
    res_kind = kinds[res_product]
    res_count = np.minimum(rng.geometric(0.55, n_res), 8).astype(np.int64)  # float ok: a probability
    gigabytes = rng.integers(1, 10, n_res) * 10 ** rng.integers(1, 5, n_res)
    volume = rng.integers(1, 10, n_res) * 10 ** rng.integers(lo[res_product], hi[res_product] + 1)
    res_size = np.where(res_kind == "storage", gigabytes, volume).astype(np.int64)
    is_vm = np.array([p.subcategory == "Virtual Machines" and p.kind == "hours" for p in products])
    spot = is_vm[res_product] & (rng.random(n_res) < 0.15)  # float ok: a probability
    res_spot_percent = np.where(spot, rng.integers(25, 46, n_res), 0).astype(np.int64)
    res_hex = rng.integers(0, 2**63, size=(n_res, 2), dtype=np.int64).view(np.uint64)
    tables = string_tables(
        products, apps, ba_ids, subs, sub_ids, regions, commitments, commitment_ids,
        res_product, res_sub, res_app, res_env, res_region, res_hex, n_tagged, rng,
    )  # fmt: skip
    tables["Tags"] = pl.Series("Tags", tag_texts, dtype=pl.String)
    tables = {name: lookup(table) for name, table in tables.items()}

    return World(
        n_products=n_products,
        n_apps=n_apps,
        ba_provider=ba_provider,
        ba_negotiated=np.array([ba.negotiated_discount for ba in BILLING_ACCOUNTS], dtype=np.int64),
        ba_tax_bp=np.array([ba.tax_basis_points for ba in BILLING_ACCOUNTS], dtype=np.int64),
        ba_commitment=ba_commitment,
        commitment_ba=commitment_ba,
        commitment_sub=commitment_sub,
        commitment_discount=np.array([c.discount_percent for _, c in commitments], dtype=np.int64),
        sub_ba=sub_ba,
        product_price=product_price,
        product_consumed_factor=np.array([p.consumed_per_unit for p in products], dtype=np.int64),
        product_eligible=product_eligible,
        product_kind=np.array([KINDS.index(p.kind) for p in products], dtype=np.int64),
        n_tagged=n_tagged,
        res_product=res_product,
        res_sub=res_sub.astype(np.int64),
        res_app=res_app,
        res_region=res_region.astype(np.int64),
        res_tag=res_tag,
        res_spot_percent=res_spot_percent,
        res_count=res_count,
        res_size=res_size,
        tables=tables,
    )
