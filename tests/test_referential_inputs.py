"""Referential and configuration files with a mistake: refused before anything is written, in
one line naming the file, the entry or line, and what is wrong (never a raw polars, psycopg,
decimal or PyYAML error, never a silent default)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from finops_assets.referentials.allocation import apply_allocation, read_allocation
from finops_assets.referentials.catalog import read_catalog
from finops_assets.referentials.pricing import read_pricing
from finops_core.config import ConfigError, load_config
from tests.pipeline import query

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RULE = "allocation_rules:\n  - {code: a, scope: {product: apm-licence}, method: %s}\n"
KEYS = "driver,month,application,weight\n"
EMPTY_KEYS = "keys/team_size.csv: empty; expected at least the header driver,month,application,weight"
NO_ROWS = "a header and no rows; to withdraw what it declared, delete the file (or the entry naming it)"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "ex")
    return tmp_path / "ex"


def refused(read: Callable[[Path], object], path: Path, root: Path | None = None) -> str:
    """The one-line message of reading `path`, its paths relative to `root` (default: path)."""
    with pytest.raises(ConfigError) as error:
        read(path)
    message = str(error.value)
    assert "\n" not in message
    return message.replace(f"{root or path}/", "")


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (RULE % "fixed, shares: {payments: 'NaN', search: '100'}",
         "rules.yaml: allocation_rules[0].shares.payments: not a number: 'NaN'"),
        (RULE % "fixed, shares: {payments: '50.000000000000000000000000001', search: '50'}",
         "rules.yaml: allocation_rules[0].shares.payments: more than 18 decimal places: "
         "'50.000000000000000000000000001'"),
        (RULE % "fixed, shares: {'': '50', search: '50'}",
         "rules.yaml: allocation_rules[0].shares: an empty application code"),
        (RULE % "even, applications: ['', payments]",
         "rules.yaml: allocation_rules[0].applications: an empty application code"),
        (RULE % "even, basis: cost",
         "rules.yaml: allocation_rules[0].basis: only a proportional rule takes basis"),
        ("allocation_rules:\n  - {code: a, scope: {product: ''}, method: even}\n",
         "rules.yaml: allocation_rules[0].scope.product: empty; name a product code"),
        ("allocation_rules:\n  - {code: a, scope: {product: p}, method: even}\n"
         "  - {code: a, scope: {product: p}, method: even, from: 2026-10}\n",
         "rules.yaml: allocation_rules[1].from: 'a' is also declared valid in 2026-10 "
         "(rules.yaml: allocation_rules[0]); close that version with `to`"),
        ("allocation_rules:\n  - code: a\n    scale: 2\n    scale: 4\n",
         "rules.yaml: not valid YAML: the key 'scale' is written twice (line 4, column 5)"),
        ("allocation_rules:\n  - {code: a, method: [even}\n",
         "rules.yaml: not valid YAML: did not find expected ',' or ']' (line 2, column 28)"),
    ],
)  # fmt: skip
def test_allocation_rules_are_refused_naming_the_entry(example: Path, rules: str, message: str) -> None:
    (example / "allocation" / "rules.yaml").write_text(rules)
    assert refused(read_allocation, example / "allocation") == message


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (KEYS + "t,2026-09,crm,2,9\n", "keys/team_size.csv: line 2: 5 fields, the header has 4"),
        (KEYS + "t,2026-09,crm\n", "keys/team_size.csv: line 2: 3 fields, the header has 4"),
        (b"", EMPTY_KEYS),
        (b"\xef\xbb\xbf\n", EMPTY_KEYS),  # Excel's "CSV UTF-8" of an empty sheet: its BOM alone
        # a record's line is the one it starts on, a quoted cell spanning lines
        (KEYS + 't,2026-09,"c\nrm",2,9\n', "keys/team_size.csv: line 2: 5 fields, the header has 4"),
        (KEYS + "t,2026-09,crm,  \n", "keys/team_size.csv:2: weight: empty; expected a number"),
        (KEYS.encode() + b"t,2026-09,cr\xe9,2\n", "keys/team_size.csv: line 2: not UTF-8 text (byte 0xe9)"),
        (KEYS + 't,2026-09,"crm,2\n', "keys/team_size.csv: line 2: unexpected end of data"),
        (KEYS.replace("\n", "\r") + "t,2026-09,crm,2\r",
         "keys/team_size.csv: line 1: a CR alone ends a line; save the file with LF or CRLF line ends"),
        (KEYS + "t,2026-09,c\0rm,2\n", "keys/team_size.csv: line 2: a NUL character"),
        (KEYS + "t,2026-09,crm,1e400\n", "keys/team_size.csv:2: weight: over 20 integer digits: '1E+400'"),
        (KEYS + "t,2026-09,crm,\n", "keys/team_size.csv:2: weight: empty; expected a number"),
        (KEYS + "t,,crm,2\n", "keys/team_size.csv:2: month: empty; expected YYYY-MM, e.g. 2025-03"),
        (KEYS + "backstage:team_size,2026-09,crm,2\n",
         "keys/team_size.csv:2: driver: 'backstage:team_size': backstage:... drivers come from Backstage"),
        # a quoted cell over two lines: the next record starts on line 4, not 3
        (KEYS + 't,2026-09,"crm\nlegacy",2\nt,2026-09,crm,x\n',
         "keys/team_size.csv:4: weight: not a number: 'x'"),
        (KEYS + "t,2026-09,crm,2\n\nt,2026-09,erp,-1\n",
         "keys/team_size.csv:4: weight: -1 must be a number >= 0"),
        (KEYS + "t,2026-09,crm,2\n,2026-09,erp,1\n",
         "keys/team_size.csv:3: driver and application are required"),
        # an export that failed after its header would withdraw every key, of every month
        (KEYS, "keys/team_size.csv: " + NO_ROWS),
        (KEYS + "\n\n", "keys/team_size.csv: " + NO_ROWS),
    ],
)  # fmt: skip
def test_allocation_keys_are_refused_naming_the_line(example: Path, keys: str | bytes, message: str) -> None:
    path = example / "allocation" / "keys" / "team_size.csv"
    path.write_bytes(keys if isinstance(keys, bytes) else keys.encode())
    assert refused(read_allocation, example / "allocation") == message


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ("2026-09,EUR,EUR,0.9\n", "fx_rates.csv:2: a rate from EUR to itself"),
        ("2026-09,USD,EUR,1e200000\n", "fx_rates.csv:2: rate: over 20 integer digits: '1E+200000'"),
        ("2026-09,USD,EUR,0.9,1\n", "fx_rates.csv: line 2: 5 fields, the header has 4"),
        (
            '"2026-09",USD,EUR,"0.9\n"\n2026-09,USD,GBP,0\n',
            "fx_rates.csv:4: rate: 0 must be a positive number",
        ),
        (
            "",
            "fx_rates.csv: " + NO_ROWS,
        ),
    ],
)
def test_fx_rates_are_refused_naming_the_line(example: Path, rates: str, message: str) -> None:
    (example / "pricing" / "fx_rates.csv").write_text("month,from_currency,to_currency,rate\n" + rates)
    assert refused(read_pricing, example / "pricing") == message


@pytest.mark.parametrize(
    ("view", "csv", "message"),
    [
        ("prices: [{product: p, unit_price: '1e999999', currency: EUR}]", None,
         "budget-2026.yaml: pricing_views[0].prices[0].unit_price: over 20 integer digits: '1E+999999'"),
        ("prices: [{product: '', unit_price: '1', currency: EUR}]", None,
         "budget-2026.yaml: pricing_views[0].prices[0].product: empty; name the product's code"),
        ("prices_file: p.csv", "p,NaN,EUR,2027-01,\n",
         "p.csv:2: price.unit_price: NaN must be a number >= 0"),
        ("prices_file: p.csv", "p,1,EUR\n",
         "budget-2026.yaml: pricing_views[0].prices_file: p.csv: line 2: 3 fields, the header has 5"),
        ("prices_file: p.csv", '"p\r\nq",1,EUR,2027-01,\np,-1,EUR,2027-01,\n',
         "p.csv:4: price.unit_price: -1 must be a number >= 0"),
        ("prices_file: p.csv", "",
         "budget-2026.yaml: pricing_views[0].prices_file: p.csv: " + NO_ROWS),
    ],
)  # fmt: skip
def test_rate_cards_are_refused_naming_the_entry(
    example: Path, view: str, csv: str | None, message: str
) -> None:
    folder = example / "pricing"
    (folder / "budget-2026.yaml").write_text(
        f"pricing_views:\n  - {{code: b, name: B, currency: EUR, {view}}}\n"
    )
    if csv is not None:
        (folder / "p.csv").write_text("product,unit_price,currency,from,to\n" + csv)
    assert refused(read_pricing, folder) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("domains: [{code: '', name: D, kind: direct}]\n", "a.yaml: domains[0].code: empty"),
        ("domains: [{code: d, name: '  ', kind: direct}]\n", "a.yaml: domains[0].name: empty"),
        ("domains: [{code: d, name: D, kind: direct}]\nfamilies: [{code: f, name: F, domain: d}]\n"
         "products: [{code: p, name: P, family: f, unit: ''}]\n", "a.yaml: products[0].unit: empty"),
        ('domains: [{code: d, name: "D\\0", kind: direct}]\n',
         "a.yaml: a NUL character in the text at `$.domains[0].name`"),
        ("domains: [{code: d, name: D, kind: direct, kind: indirect}]\n",
         "a.yaml: not valid YAML: the key 'kind' is written twice (line 1, column 44)"),
    ],
)  # fmt: skip
def test_catalog_entries_are_refused_naming_the_entry(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "a.yaml").write_text(text)
    assert refused(read_catalog, tmp_path) == message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("catalog: catalog/", "catalog: ''",
         "finops.yaml: catalog: an empty path; name the folder, e.g. catalog/"),
        ("path: licences/invoices.csv", "path: ''",
         "finops.yaml: sources[2].path: an empty path; name a file, a glob or a folder"),
        ("catalog: catalog/", "catalog: catalog/\ncatalog: other/",
         "finops.yaml: not valid YAML: the key 'catalog' is written twice (line 7, column 1)"),
        ("quantity: {column: seats}", "quantity: {constant: .nan}",
         "finops.yaml: sources[2].mapping.quantity.constant: not a finite number: nan"),
        ("application: {column: team}", "application: {constant: ''}",
         "finops.yaml: sources[2].mapping.application.constant: empty; give a value, or a column"),
        ("month: {column: month}", "month: {column: ' '}",
         "finops.yaml: sources[2].mapping.month.column: empty column name"),
        ("api: {auth: {mode: none}}",
         "api: {auth: {mode: backstage, backstage: {base_url: 'http://b', leeway_seconds: .nan}}}",
         "finops.yaml: api.auth.backstage.leeway_seconds: must be positive"),
        ("api: {auth: {mode: none}}", "api: {auth: {mode: none}, statement_timeout_seconds: .inf}",
         "finops.yaml: api.statement_timeout_seconds: must be a positive number of seconds"),
    ],
)  # fmt: skip
def test_config_mistakes_are_refused_naming_the_entry(
    example: Path, old: str, new: str, message: str
) -> None:
    path = example / "finops.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    assert refused(load_config, path, example) == message


def test_a_config_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "finops.yaml").mkdir()
    with pytest.raises(ConfigError, match=r"finops\.yaml: cannot be read: Is a directory$"):
        load_config(tmp_path / "finops.yaml")


def test_a_refused_key_file_changes_nothing_applied(mart_url: str, example: Path) -> None:
    folder = example / "allocation"
    apply_allocation(mart_url, read_allocation(folder))
    before = query(
        mart_url, "SELECT driver, month, application_code, weight FROM finops.allocation_key ORDER BY 1, 2, 3"
    )
    (folder / "keys" / "team_size.csv").write_text(KEYS + "team_size,2026-09,payments,1e200000\n")
    with pytest.raises(ConfigError, match="over 20 integer digits"):
        apply_allocation(mart_url, read_allocation(folder))
    assert (
        query(
            mart_url,
            "SELECT driver, month, application_code, weight FROM finops.allocation_key ORDER BY 1, 2, 3",
        )
        == before
    )


@pytest.mark.parametrize(
    ("folder", "file", "read"),
    [
        ("allocation", "rules.yaml", read_allocation),
        ("allocation", "keys/team_size.csv", read_allocation),
        ("catalog", "licences.yaml", read_catalog),
        ("pricing", "budget-2026.yaml", read_pricing),
    ],
)
def test_a_folder_named_as_a_declaration_file_is_refused_not_skipped(
    example: Path, folder: str, file: str, read: Callable[[Path], object]
) -> None:
    # Docker makes such a folder when the file a volume should mount is missing: skipped, every
    # rule, key, product or price the file declared was withdrawn without a word
    path = example / folder / file
    path.unlink()
    path.mkdir()
    assert refused(read, example / folder) == (
        f"{file}: a folder where a file belongs (Docker makes one when the file a volume should "
        "mount is missing)"
    )


def test_blank_lines_of_a_key_file_declare_nothing(example: Path) -> None:
    path = example / "allocation" / "keys" / "team_size.csv"
    path.write_text("\n" + KEYS + "t,2026-09,crm,2\n\n  \nt,2026-09,erp,3\n\n")
    keys = [key for key in read_allocation(example / "allocation").keys if key.driver == "t"]
    assert [(key.application_code, key.weight) for key in keys] == [("crm", Decimal(2)), ("erp", Decimal(3))]
