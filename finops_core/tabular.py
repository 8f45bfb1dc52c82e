"""The mapping of a `kind: tabular` source in finops.yaml: which column (or constant) gives
each fact field, and the value transforms applied on the way.

    mapping:
      month: {column: snapshot_date}            # or {from_file_name: '(\\d{4}-\\d{2})'}
      application: {column: project, transforms: [{regex: '^prj-(.+)$'}, {rename: {pay: payments}}]}
      product: {constant: vm-vcpu}
      quantity: {column: vcpus}
      cost: {column: chargeback_eur}            # optional: without it the source is valued at 0
      currency: EUR                             # or {column: ...}
      unit: vCPU-month

Decoding (msgspec) checks the shape; `mapping_problem` checks what the types cannot say, and
names the field at fault, e.g. `quantity: needs exactly one of column, constant` or
`application.transforms[0].regex: needs exactly one group (...), has 0`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import msgspec

from finops_core.months import MONTH_PATTERN
from finops_core.regex_dialect import polars_regex_groups
from finops_core.vocabulary import CURRENCY_PATTERN

TRANSFORM_NAMES = ("rename", "regex", "lower", "upper", "default")


class Transform(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """One step, applied to the text value in order; exactly one key is set."""

    rename: dict[str, str] | None = None
    """Old value -> new value; values not listed are kept."""
    regex: str | None = None
    """A pattern with one group: the value becomes what the group matched (null: no match)."""
    lower: bool = False
    upper: bool = False
    default: str | None = None
    """The value for a null or empty one."""

    def names(self) -> list[str]:
        flags = {"lower": self.lower, "upper": self.upper}
        return [n for n in TRANSFORM_NAMES if flags.get(n, getattr(self, n) is not None)]


class FieldSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    column: str | None = None
    constant: str | int | float | None = None
    transforms: list[Transform] = msgspec.field(default_factory=list)

    @property
    def constant_text(self) -> str | None:
        return None if self.constant is None else str(self.constant)

    @property
    def label(self) -> str | None:
        """The column name, which rejects name as the column at fault."""
        return self.column


class MonthSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    column: str | None = None
    """Values YYYY-MM, YYYYMM, YYYY-MM-DD, MM/DD/YYYY (US order, as Azure and Excel write
    them), ISO timestamps (placed in their UTC month) or Excel serial day numbers."""
    from_file_name: str | None = None
    """A pattern with one group matching YYYY-MM (or YYYYMM) in the file's name."""


class TabularMapping(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    month: MonthSpec
    application: FieldSpec
    product: FieldSpec
    quantity: FieldSpec
    unit: str | FieldSpec
    """The quantity's unit, fixed for the source or a column (each line its own unit; a product
    keeps one unit)."""
    currency: str | FieldSpec
    """ISO 4217, fixed for the source, or a column; also the currency a cost-less source's
    quantities are valued in (0 in the actual view)."""
    cost: FieldSpec | None = None
    sub_account: FieldSpec | None = None
    region: FieldSpec | None = None

    def fields(self) -> dict[str, FieldSpec]:
        named = {
            "application": self.application,
            "product": self.product,
            "quantity": self.quantity,
            "cost": self.cost,
            "currency": self.currency if isinstance(self.currency, FieldSpec) else None,
            "unit": self.unit if isinstance(self.unit, FieldSpec) else None,
            "sub_account": self.sub_account,
            "region": self.region,
        }
        return {name: spec for name, spec in named.items() if spec is not None}


def _one_group_problem(pattern: str, in_polars: bool) -> str | None:
    """in_polars: the pattern runs in polars (a transform), else in Python (a file's name)."""
    try:
        groups = polars_regex_groups(pattern) if in_polars else re.compile(pattern).groups
    except (re.error, ValueError) as error:
        return f"not a valid regular expression: {error}"
    return None if groups == 1 else f"needs exactly one group (...), has {groups}"


def _field_problem(spec: FieldSpec, numeric: bool) -> tuple[str, str] | None:
    """(where in the field, what is wrong), or None."""
    if (spec.column is None) == (spec.constant is None):
        return "", "needs exactly one of column, constant"
    if spec.column is not None and not spec.column.strip():
        return ".column", "empty column name"
    if spec.constant is not None and not str(spec.constant).strip():
        return ".constant", "empty; give a value, or a column"
    for index, transform in enumerate(spec.transforms):
        names = transform.names()
        if len(names) != 1:
            return f".transforms[{index}]", f"needs exactly one of {', '.join(TRANSFORM_NAMES)}"
        if transform.regex is not None and (problem := _one_group_problem(transform.regex, in_polars=True)):
            return f".transforms[{index}].regex", problem
    if numeric and spec.constant is not None and not spec.transforms:
        try:
            number = Decimal(str(spec.constant))
        except InvalidOperation:
            return ".constant", f"not a number: {spec.constant!r}"
        if not number.is_finite():  # NaN or .inf: every line's amount would be no number
            return ".constant", f"not a finite number: {spec.constant!r}"
    return None


def mapping_problem(mapping: TabularMapping) -> str | None:
    """The first thing wrong with the mapping, as `field: reason`; None when it is usable."""
    month = mapping.month
    if (month.column is None) == (month.from_file_name is None):
        return "month: needs exactly one of column, from_file_name"
    if month.column is not None and not month.column.strip():
        return "month.column: empty column name"
    name_pattern = month.from_file_name
    if name_pattern is not None and (problem := _one_group_problem(name_pattern, in_polars=False)):
        return f"month.from_file_name: {problem}"
    for name, spec in mapping.fields().items():
        if found := _field_problem(spec, numeric=name in ("quantity", "cost")):
            return f"{name}{found[0]}: {found[1]}"
    if isinstance(mapping.currency, str) and not re.fullmatch(CURRENCY_PATTERN, mapping.currency):
        return f"currency: expected an ISO 4217 code such as EUR, got {mapping.currency!r}"
    if isinstance(mapping.unit, str) and not mapping.unit.strip():
        return "unit: empty"
    return None


def file_name_month(pattern: str, name: str) -> str | None:
    """YYYY-MM from a file's name with the month pattern's group; None when it has none."""
    match = re.search(pattern, name)
    if match is None or match.group(1) is None:
        return None
    text = match.group(1)
    if re.fullmatch(r"\d{6}", text):
        text = f"{text[:4]}-{text[4:]}"
    return text if re.match(MONTH_PATTERN, text) else None
