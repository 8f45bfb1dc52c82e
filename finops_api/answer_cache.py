"""The answers of the cost reads, kept in each API process under their ETag
(finops_api/caching.py). The ETag is derived from the data version, what the caller may see and
the request, so a kept answer is never served once the data it was read from has changed: a
month re-materialized, a simulation written, an owner changed (api/data_version.sql)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import cast

from litestar.datastructures import State

MEGABYTE = 1024 * 1024
ANSWER_BYTES = 4 * 1024 * 1024
"""The largest answer kept: larger ones are exports, not dashboard calls."""
CACHE_ANSWERS = "cache_answers"
"""The opt key of the handlers whose answers are kept."""


def keep_answers() -> dict[str, bool]:
    """The opt of a controller whose answers are kept (Litestar copies it into each handler)."""
    return {CACHE_ANSWERS: True}


_STATE_KEY = "finops_answer_cache"


@dataclass(frozen=True)
class Answer:
    body: bytes
    media_type: str


class AnswerCache:
    """At most max_bytes of answers (api.answer_cache_megabytes), the least recently used going
    first; 0 keeps none."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._answers: OrderedDict[str, Answer] = OrderedDict()

    def get(self, etag: str) -> Answer | None:
        answer = self._answers.get(etag)
        if answer is not None:
            self._answers.move_to_end(etag)
        return answer

    def put(self, etag: str, answer: Answer) -> None:
        if len(answer.body) > min(ANSWER_BYTES, self._max_bytes) or etag in self._answers:
            return
        self._answers[etag] = answer
        self._bytes += len(answer.body)
        while self._bytes > self._max_bytes:
            _, dropped = self._answers.popitem(last=False)
            self._bytes -= len(dropped.body)


def answer_cache(state: State) -> AnswerCache:
    """The app's cache, made on first use (no await in between: one per app)."""
    if _STATE_KEY not in state:
        state[_STATE_KEY] = AnswerCache(state.api_config.answer_cache_megabytes * MEGABYTE)
    return cast(AnswerCache, state[_STATE_KEY])
