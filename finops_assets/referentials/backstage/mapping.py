"""Backstage entities to referential rows: Components (or Systems) to applications, Groups to groups.

Our own annotations on a Component or System (all optional):

    finops/application: payments     the application code, when it is not metadata.name
    finops/exclude: "true"           not an application of ours: skipped
    finops/cost-center: CC-1042      the cost center

An application's owner is spec.owner as a full entity ref: a bare name is a group of the
entity's namespace (`payments-team` -> `group:default/payments-team`), a `user:` owner stays a
user ref. Every ref is stored lower-cased, as Backstage compares them
(finops_core/entity_refs.py): `Payments-Team` owns as `group:default/payments-team`. A group's
member count is its direct members: the distinct targets of its `hasMember` relations (which the
catalog derives from the group's spec.members and from the users' spec.memberOf) together with
spec.members itself; members of sub-groups are not counted.

What identifies an entity (its ref, an application's code) must be readable, else the sync
fails: without it nobody can tell which application to keep. Any other field that cannot be
used (an owner that is no group or user ref, a text that is no text, members that are no list)
is a problem of that entity alone: it is reported, and its application or group is kept in the
mart exactly as it was, rather than written wrong, withdrawn, or failing every other entity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from finops_assets.referentials.backstage.client import BackstageError, Entity
from finops_core.entity_refs import canonical_ref

APPLICATION_ANNOTATION = "finops/application"
EXCLUDE_ANNOTATION = "finops/exclude"
COST_CENTER_ANNOTATION = "finops/cost-center"

APPLICATION_FIELDS = (
    "kind",
    "metadata.name",
    "metadata.namespace",
    "metadata.title",
    "metadata.annotations",
    "spec.owner",
    "spec.lifecycle",
)
GROUP_FIELDS = (
    "kind",
    "metadata.name",
    "metadata.namespace",
    "metadata.title",
    "spec.profile",
    "spec.parent",
    "spec.members",
    "relations",
)
OWNER_KINDS = ("group", "user")
"""The kinds Backstage lets own an entity; any other owner is not one the team size can weigh."""

ApplicationRow = tuple[str, str, str | None, str | None, str, str | None]
"""(code, name, owner, cost_center, entity_ref, lifecycle): history.APPLICATION's order."""
GroupRow = tuple[str, str, str | None, int]
"""(group_ref, name, parent_ref, member_count): history.GROUP's order."""

Row = TypeVar("Row", ApplicationRow, GroupRow)

# A namespace or a name: any characters but separators, blanks and controls (Backstage allows
# fewer; unicode ones are kept as they join their group all the same).
_REF_PART = re.compile(r"[^\s:/]+")


class EntityProblem(ValueError):
    """One field of one entity cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Mapped(Generic[Row]):
    rows: list[Row]
    """The rows of the entities mapped, in code order."""
    kept: list[str] = field(default_factory=list)
    """Codes of the entities that could not be mapped: their rows in the mart stay as they are."""
    problems: list[str] = field(default_factory=list)
    """One line per entity that could not be mapped, naming it, in ref order."""


def _has_control(text: str) -> bool:
    return any(unicodedata.category(character) == "Cc" for character in text)


def full_ref(text: str, default_kind: str, default_namespace: str) -> str:
    """`[kind:][namespace/]name` completed with the defaults, in its canonical form."""
    kind, colon, rest = text.strip().partition(":")
    if not colon:
        kind, rest = default_kind, text.strip()
    namespace, slash, name = rest.partition("/")
    if not slash:
        namespace, name = default_namespace, rest
    if not (kind.isalpha() and _REF_PART.fullmatch(namespace) and _REF_PART.fullmatch(name)):
        raise ValueError(f"{text!r} is not an entity ref ([kind:][namespace/]name)")
    if _has_control(text):  # PostgreSQL refuses a NUL in text: the whole apply would fail
        raise ValueError(f"{text!r} holds control characters")
    return canonical_ref(f"{kind}:{namespace}/{name}")


def _text(value: Any, where: str) -> str | None:
    """A text field as the mart stores it: None when absent or empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise EntityProblem(f"{where} is {type(value).__name__}, expected a string")
    if _has_control(value):
        raise EntityProblem(f"{where} {value!r} holds control characters")
    return value or None


def _spec(entity: Entity) -> dict[str, Any]:
    if not isinstance(entity.spec, dict):
        raise EntityProblem(f"spec is {type(entity.spec).__name__}, expected an object")
    return entity.spec


def _ref(text: Any, where: str, default_kind: str, namespace: str) -> str | None:
    value = _text(text, where)
    try:
        return full_ref(value, default_kind, namespace) if value else None
    except ValueError as error:
        raise EntityProblem(f"{where} {error}") from None


def _identity(entity: Entity) -> str:
    """The entity's ref; a ref the mart cannot store fails the sync (see the module doc)."""
    ref = entity.ref
    if _has_control(ref) or not all(
        _REF_PART.fullmatch(part) for part in (entity.metadata.namespace, entity.metadata.name)
    ):
        raise BackstageError(f"{ref!r}: metadata.namespace or metadata.name is not an entity name")
    return ref


def _annotations(entity: Entity) -> dict[str, Any]:
    annotations = entity.metadata.annotations
    if not isinstance(annotations, dict):
        # they say whether the entity is ours and under which code: nothing can be kept by it
        raise BackstageError(
            f"{entity.ref}: metadata.annotations is {type(annotations).__name__}, expected an object"
        )
    return annotations


def _code(entity: Entity, annotations: dict[str, Any]) -> str:
    code = annotations.get(APPLICATION_ANNOTATION, entity.metadata.name)
    if not isinstance(code, str):
        raise BackstageError(
            f"{entity.ref}: annotation {APPLICATION_ANNOTATION} is {type(code).__name__}, expected a string"
        )
    code = code.strip()
    if not code:
        raise BackstageError(f"{entity.ref}: annotation {APPLICATION_ANNOTATION} is empty")
    if _has_control(code):
        raise BackstageError(f"{entity.ref}: annotation {APPLICATION_ANNOTATION} holds control characters")
    return code


def _excluded(entity: Entity, annotations: dict[str, Any]) -> bool:
    flag = _text(annotations.get(EXCLUDE_ANNOTATION), f"annotation {EXCLUDE_ANNOTATION}") or ""
    return flag.strip().lower() == "true"


def _application(entity: Entity, code: str, annotations: dict[str, Any]) -> ApplicationRow:
    spec = _spec(entity)
    namespace = entity.metadata.namespace
    if not isinstance(spec.get("owner"), str) or not spec["owner"].strip():
        # Backstage requires an owner: none is an answer we cannot use, not an application
        # nobody owns (writing NULL would withdraw its owner and its team size)
        shown = "missing" if spec.get("owner") is None else f"{spec['owner']!r}, not an entity ref"
        raise EntityProblem(f"spec.owner is {shown}")
    owner = _ref(spec["owner"], "spec.owner", "group", namespace)
    if owner is not None and owner.partition(":")[0] not in OWNER_KINDS:
        raise EntityProblem(f"spec.owner {owner!r} is not a group or a user")
    return (
        code,
        _text(entity.metadata.title, "metadata.title") or entity.metadata.name,
        owner,
        _text(annotations.get(COST_CENTER_ANNOTATION), f"annotation {COST_CENTER_ANNOTATION}"),
        entity.ref,
        _text(spec.get("lifecycle"), "spec.lifecycle"),
    )


def _mapped(entities: Iterable[tuple[Entity, str]], row: Callable[[Entity, str], Row | None]) -> Mapped[Row]:
    """`row` of each (entity, code), an EntityProblem of one entity reported and its code kept."""
    rows: dict[str, Row] = {}
    kept: list[str] = []
    problems: list[str] = []
    for entity, code in entities:
        try:
            mapped = row(entity, code)
        except EntityProblem as problem:
            kept.append(code)
            problems.append(f"{entity.ref}: {problem}; {code} kept as it was")
            continue
        if mapped is not None:
            rows[code] = mapped
    return Mapped([rows[code] for code in sorted(rows)], sorted(kept), sorted(problems))


def map_applications(entities: Iterable[Entity]) -> Mapped[ApplicationRow]:
    """One row per entity not excluded, in code order; two entities with one code fail."""
    coded: dict[str, Entity] = {}
    for entity in entities:
        _identity(entity)
        annotations = _annotations(entity)
        code = _code(entity, annotations)
        if code in coded:
            raise BackstageError(
                f"{coded[code].ref} and {entity.ref} both map to application {code!r}: "
                f"give one of them another code with the annotation {APPLICATION_ANNOTATION}"
            )
        coded[code] = entity

    def row(entity: Entity, code: str) -> ApplicationRow | None:
        annotations = _annotations(entity)
        return None if _excluded(entity, annotations) else _application(entity, code, annotations)

    return _mapped(((entity, code) for code, entity in coded.items()), row)


def _members(entity: Entity, spec: dict[str, Any]) -> set[str]:
    namespace = entity.metadata.namespace
    relations = entity.relations
    if not isinstance(relations, list):
        raise EntityProblem(f"relations is {type(relations).__name__}, expected a list")
    members: set[str] = set()
    for index, relation in enumerate(relations):
        if not isinstance(relation, dict):
            raise EntityProblem(f"relations[{index}] is {type(relation).__name__}, expected an object")
        if relation.get("type") == "hasMember":
            target = _ref(relation.get("targetRef"), f"relations[{index}].targetRef", "user", namespace)
            if target is not None:
                members.add(target)
    declared = spec.get("members") or []
    if not isinstance(declared, list):
        raise EntityProblem(f"spec.members is {type(declared).__name__}, expected a list")
    for index, member in enumerate(declared):
        target = _ref(member, f"spec.members[{index}]", "user", namespace)
        if target is None:
            raise EntityProblem(f"spec.members[{index}] is empty")
        members.add(target)
    return members


def _group(entity: Entity, ref: str) -> GroupRow:
    spec = _spec(entity)
    profile = spec.get("profile")
    display = profile.get("displayName") if isinstance(profile, dict) else None
    name = display if isinstance(display, str) and display and not _has_control(display) else None
    return (
        ref,
        name or _text(entity.metadata.title, "metadata.title") or entity.metadata.name,
        _ref(spec.get("parent"), "spec.parent", "group", entity.metadata.namespace),
        len(_members(entity, spec)),
    )


def map_groups(entities: Iterable[Entity]) -> Mapped[GroupRow]:
    """One row per group, in ref order, with its number of direct members."""
    refs: dict[str, Entity] = {}
    for entity in entities:
        ref = _identity(entity)
        if ref in refs:
            raise BackstageError(f"group {ref} is in the catalog twice")
        refs[ref] = entity
    return _mapped(((e, r) for r, e in refs.items()), _group)
