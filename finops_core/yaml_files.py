"""Hand-written YAML files (finops.yaml, the catalog, pricing and allocation files) decoded
into their msgspec types, every mistake a ConfigError in one line naming the file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from finops_core.errors import ConfigError

Decoded = TypeVar("Decoded")


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """msgspec.yaml's loader, refusing a key written twice in one mapping: PyYAML keeps the
    last one without a word, so a second `scale:` or `catalog:` silently replaced the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults` is overridden by the mapping's own keys, as meant
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} is written twice", key_node.start_mark
                    )
                seen.add(key)
            except TypeError:  # an unhashable key: the base class refuses it, naming it
                break
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        return mapping


def _yaml_problem(error: yaml.YAMLError) -> str:
    """PyYAML's error in one line: its text spans lines, with the context before the problem."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        return f"{error.problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(error).split())


def _nul_location(value: object, where: str) -> str | None:
    """Where a text holds a NUL character ("\\0" in a quoted YAML string): PostgreSQL stores
    none, so applying it failed with a raw psycopg error instead of naming the entry."""
    if isinstance(value, str):
        return where if "\0" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        inner = f"{where}.{key}" if isinstance(value, dict) else f"{where}[{key}]"
        if (found := _nul_location(key, inner) or _nul_location(item, inner)) is not None:
            return found
    return None


def decode_yaml(path: Path, into: type[Decoded]) -> Decoded:
    """A hand-written YAML file (finops.yaml, the catalog, pricing and allocation files) as
    `into`, or a ConfigError in one line naming the file and what is wrong in it: unreadable
    (a folder), not UTF-8, not YAML (line, column), a key written twice, a NUL character, or
    a value of the wrong type (msgspec's message and path, e.g. `$.domains[0].kind`)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 text (byte {data[error.start]:#04x})") from None
    try:
        document = yaml.load(data, _UniqueKeyLoader)  # a SafeLoader: no Python objects built
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {_yaml_problem(error)}") from None
    if (where := _nul_location(document, "$")) is not None:
        raise ConfigError(f"{path}: a NUL character in the text at `{where}`")
    try:
        # as msgspec.yaml.decode converts: YAML dates stay dates (refused where a month is text)
        return msgspec.convert(document, into, builtin_types=(datetime, date))
    except msgspec.ValidationError as error:
        raise ConfigError(f"{path}: {error}") from None
