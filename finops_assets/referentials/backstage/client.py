"""A read-only client of the Backstage catalog API: GET /api/catalog/entities/by-query, paged.

The first request carries the filter, the fields and the page size; each next one carries only
the cursor of the previous answer (`pageInfo.nextCursor`, which encodes the filter), the page size
and the fields, until an answer has no cursor. Every failure raises BackstageError with a message
that says what to check; nothing here writes anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

import httpx
import msgspec

from finops_core.entity_refs import canonical_ref

ENTITIES_PATH = "/api/catalog/entities/by-query"


CONNECT_RETRIES = 3
"""Attempts again to connect (refused, reset, DNS) before the catalog counts as unreachable."""


class BackstageError(RuntimeError):
    """The catalog could not be read completely; the referential is left as it was.
    `transient`: trying again later may succeed (unreachable, 5xx, 429, changed while read);
    otherwise (a refused token, a wrong base_url, an unexpected answer) it will not."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


# Only what identifies an entity is checked while decoding (an answer without it is not the wire
# format, and no application could be kept or withdrawn by it); every other field is decoded as
# it comes and checked by mapping.py entity by entity, so that one malformed entity is reported
# by its ref while the others are synced.
class Metadata(msgspec.Struct, frozen=True):
    name: NonEmpty
    namespace: NonEmpty = "default"
    title: Any = None
    annotations: Any = msgspec.field(default_factory=dict)


class Entity(msgspec.Struct, frozen=True):
    kind: NonEmpty
    metadata: Metadata
    spec: Any = msgspec.field(default_factory=dict)
    relations: Any = msgspec.field(default_factory=list)

    @property
    def ref(self) -> str:
        return canonical_ref(f"{self.kind}:{self.metadata.namespace}/{self.metadata.name}")


class PageInfo(msgspec.Struct, frozen=True, rename="camel"):
    next_cursor: str | None = None


class Page(msgspec.Struct, frozen=True, rename="camel"):
    """The by-query answer: {"items": [...], "totalItems": N, "pageInfo": {"nextCursor": "..."}}."""

    items: list[Entity]
    total_items: int | None = None
    page_info: PageInfo = PageInfo()


PageCallback = Callable[[int, int, int, "int | None"], None]
"""Called after each page with (page number from 1, entities in it, entities so far, totalItems)."""


class CatalogClient:
    def __init__(self, base_url: str, token: str, token_env: str, timeout_seconds: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._token_env = token_env
        self._timeout = timeout_seconds

    def _http(self) -> httpx.Client:
        """One connection for every page of a query; connecting is retried by the transport,
        every read, write and pool wait is bounded by the timeout."""
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            timeout=httpx.Timeout(self._timeout),
            transport=httpx.HTTPTransport(retries=CONNECT_RETRIES),
        )

    def query(
        self,
        kind: str,
        filter_: str,
        fields: Sequence[str],
        page_size: int,
        on_page: PageCallback | None = None,
    ) -> tuple[list[Entity], int]:
        """Every entity matching `filter_` (a by-query filter naming `kind`, e.g. kind=component), and
        the number of pages read. Fails when the entities read are not the totalItems announced (the
        catalog changed while it was read), when an entity is not of `kind` (the filter was not
        applied), or when the paging does not advance (a cursor or an entity comes back, or a page
        is empty yet has a next one)."""
        with self._http() as http:
            return self._pages(http, kind, filter_, fields, page_size, on_page)

    def _pages(
        self,
        http: httpx.Client,
        kind: str,
        filter_: str,
        fields: Sequence[str],
        page_size: int,
        on_page: PageCallback | None,
    ) -> tuple[list[Entity], int]:
        entities: list[Entity] = []
        params: dict[str, str] = {"filter": filter_, "limit": str(page_size), "fields": ",".join(fields)}
        total: int | None = None
        seen_cursors: set[str] = set()
        seen_refs: set[str] = set()
        pages = 0
        while True:
            page = self._get(http, params)
            pages += 1
            for entity in page.items:
                ref = entity.ref
                if entity.kind.lower() != kind.lower():
                    # a proxy or an old backend ignoring the filter: mapping these entities would
                    # make applications of groups (or the reverse)
                    raise BackstageError(
                        f"Backstage at {self.base_url} answered {ENTITIES_PATH} ({filter_}, page {pages}) "
                        f"with {ref}, not a {kind}: the filter was not applied"
                    )
                if ref in seen_refs:  # canonical: two spellings of one entity are one ref
                    raise BackstageError(
                        f"Backstage at {self.base_url} returned {ref} twice ({filter_}, page {pages}): "
                        "its paging does not advance"
                    )
                seen_refs.add(ref)
            entities.extend(page.items)
            if page.total_items is not None:
                if total is not None and page.total_items != total:
                    raise BackstageError(
                        f"Backstage at {self.base_url}: the catalog changed while it was read "
                        f"({filter_}: totalItems went from {total} to {page.total_items}); "
                        "run the sync again",
                        transient=True,
                    )
                total = page.total_items
            if on_page is not None:
                on_page(pages, len(page.items), len(entities), total)
            cursor = page.page_info.next_cursor
            if not cursor:
                break
            # new cursors over empty pages, or more entities than announced, would page forever
            if not page.items:
                raise BackstageError(
                    f"Backstage at {self.base_url} answered page {pages} of {filter_} with no entities "
                    "but a next cursor: its paging does not advance"
                )
            if total is not None and len(entities) > total:
                break  # reported below, as any count other than totalItems
            if cursor in seen_cursors:
                raise BackstageError(
                    f"Backstage at {self.base_url} returned the same cursor twice ({filter_}, page {pages})"
                )
            seen_cursors.add(cursor)
            params = {"cursor": cursor, "limit": str(page_size), "fields": ",".join(fields)}
        if total is not None and len(entities) != total:
            raise BackstageError(
                f"Backstage at {self.base_url}: read {len(entities)} entities for {filter_} but the "
                f"catalog announced totalItems={total} (it changed while it was read?); run the sync again",
                transient=True,
            )
        return entities, pages

    def _get(self, http: httpx.Client, params: dict[str, str]) -> Page:
        try:
            response = http.get(ENTITIES_PATH, params=params)
        except httpx.TimeoutException:
            raise BackstageError(
                f"Backstage at {self.base_url} did not answer within {self._timeout:g} s", transient=True
            ) from None
        except httpx.TransportError as error:
            raise BackstageError(
                f"Backstage at {self.base_url} is unreachable: {error}", transient=True
            ) from None
        except httpx.RequestError as error:
            # reached, but the answer could not be read: a body not in its Content-Encoding,
            # redirects without end
            raise BackstageError(
                f"Backstage at {self.base_url} answered {ENTITIES_PATH} with a body that could not be "
                f"read: {error}"
            ) from None
        if response.status_code in (401, 403):
            raise BackstageError(
                f"Backstage at {self.base_url} refused the token (HTTP {response.status_code}): "
                f"check {self._token_env}"
            )
        if not response.is_success:
            # on one line: an HTML error page would otherwise spread the message over many
            detail = " ".join(response.content[:300].decode("utf-8", "replace").split())
            raise BackstageError(
                f"Backstage at {self.base_url} answered HTTP {response.status_code} to {ENTITIES_PATH}: "
                f"{detail}",
                transient=response.status_code == 429 or response.is_server_error,
            )
        body = response.content
        try:
            return msgspec.json.decode(body, type=Page)
        except msgspec.ValidationError as error:
            raise BackstageError(
                f"Backstage at {self.base_url} answered {ENTITIES_PATH} with an unexpected shape: {error}"
            ) from None
        except msgspec.DecodeError:
            start = body[:80].decode("utf-8", "replace")
            raise BackstageError(
                f"Backstage at {self.base_url} answered {ENTITIES_PATH} with something that is not JSON "
                f"(is base_url the Backstage backend?): {start!r}"
            ) from None
