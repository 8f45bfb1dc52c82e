"""Backstage entities to referential rows: Components (or Systems) to applications, Groups to groups.

Our own annotations on a Component or System (all optional):

    finops/application: payments     the application code, when it is not metadata.name
    finops/exclude: "true"           not an application of ours: skipped
    finops/cost-center: CC-1042      the cost center

An application's owner is spec.owner as a full entity ref: a bare name is a group of the
entity's namespace (`payments-team` -> `group:default/payments-team`), a `user:` owner stays a
user ref. A group's member count is its direct members: the distinct targets of its `hasMember`
relations (which the catalog derives from the group's spec.members and from the users'
spec.memberOf) together with spec.members itself; members of sub-groups are not counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from finops_assets.referentials.backstage.client import BackstageError, Entity

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

ApplicationRow = tuple[str, str, str | None, str | None, str, str | None]
"""(code, name, owner, cost_center, entity_ref, lifecycle): history.APPLICATION's order."""
GroupRow = tuple[str, str, str | None, int]
"""(group_ref, name, parent_ref, member_count): history.GROUP's order."""


def full_ref(text: str, default_kind: str, default_namespace: str) -> str:
    """`[kind:][namespace/]name` completed with the defaults, the kind lower-cased."""
    kind, colon, rest = text.strip().partition(":")
    if not colon:
        kind, rest = default_kind, text.strip()
    namespace, slash, name = rest.partition("/")
    if not slash:
        namespace, name = default_namespace, rest
    if not (kind and namespace and name):
        raise ValueError(f"{text!r} is not an entity ref ([kind:][namespace/]name)")
    return f"{kind.lower()}:{namespace}/{name}"


def _spec_text(entity: Entity, key: str) -> str | None:
    value = entity.spec.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise BackstageError(f"{entity.ref}: spec.{key} is {type(value).__name__}, expected a string")


def map_applications(entities: Iterable[Entity]) -> list[ApplicationRow]:
    """One row per entity not excluded, in code order; two entities with one code fail."""
    rows: dict[str, ApplicationRow] = {}
    for entity in entities:
        annotations = entity.metadata.annotations
        if annotations.get(EXCLUDE_ANNOTATION, "").strip().lower() == "true":
            continue
        code = annotations.get(APPLICATION_ANNOTATION, entity.metadata.name).strip()
        if not code:
            raise BackstageError(f"{entity.ref}: annotation {APPLICATION_ANNOTATION} is empty")
        if code in rows:
            raise BackstageError(
                f"{rows[code][4]} and {entity.ref} both map to application {code!r}: "
                f"give one of them another code with the annotation {APPLICATION_ANNOTATION}"
            )
        owner = _spec_text(entity, "owner")
        try:
            owner_ref = full_ref(owner, "group", entity.metadata.namespace) if owner else None
        except ValueError as error:
            raise BackstageError(f"{entity.ref}: spec.owner {error}") from None
        rows[code] = (
            code,
            entity.metadata.title or entity.metadata.name,
            owner_ref,
            annotations.get(COST_CENTER_ANNOTATION) or None,
            entity.ref,
            _spec_text(entity, "lifecycle"),
        )
    return [rows[code] for code in sorted(rows)]


def _members(entity: Entity) -> set[str]:
    namespace = entity.metadata.namespace
    members = {r.target_ref.lower() for r in entity.relations if r.type == "hasMember" and r.target_ref}
    declared: Any = entity.spec.get("members") or []
    if not isinstance(declared, Sequence) or isinstance(declared, str):
        raise BackstageError(f"{entity.ref}: spec.members is not a list")
    for member in declared:
        try:
            members.add(full_ref(str(member), "user", namespace).lower())
        except ValueError as error:
            raise BackstageError(f"{entity.ref}: spec.members {error}") from None
    return members


def map_groups(entities: Iterable[Entity]) -> list[GroupRow]:
    """One row per group, in ref order, with its number of direct members."""
    rows: dict[str, GroupRow] = {}
    for entity in entities:
        ref = entity.ref
        if ref in rows:
            raise BackstageError(f"group {ref} is in the catalog twice")
        profile = entity.spec.get("profile")
        display = profile.get("displayName") if isinstance(profile, dict) else None
        parent = _spec_text(entity, "parent")
        try:
            parent_ref = full_ref(parent, "group", entity.metadata.namespace) if parent else None
        except ValueError as error:
            raise BackstageError(f"{ref}: spec.parent {error}") from None
        name = display if isinstance(display, str) and display else None
        rows[ref] = (
            ref,
            name or entity.metadata.title or entity.metadata.name,
            parent_ref,
            len(_members(entity)),
        )
    return [rows[ref] for ref in sorted(rows)]
