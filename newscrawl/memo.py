"""Bounded lookups for long crawls: what grows with the crawl holds compact keys, what is
remembered for speed holds two generations.

- :func:`compact_key`: a 64-bit digest that the sets growing with a crawl (requested URLs,
  record ids written, JSONL record keys) hold instead of the string: 36 bytes an entry
  instead of 65-200;
- :class:`Memo`: ``key -> value``, at most two generations of ``limit`` entries. When the current
  one is full it becomes the previous one (the older is dropped); a key found in the previous
  one moves back. Frequent keys survive a turnover, memory stays bounded however open the
  keys are (vocabularies, lines). Used by the cleaning rules and the dedup fingerprints.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def compact_key(text: str) -> int:
    """A 64-bit digest of ``text`` (blake2b). Two different strings share a key with a
    probability of n^2 / 2^65 among n (3e-8 for a million)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


class Memo(dict[K, V]):
    """Two generations of at most ``limit`` entries (see the module docstring). With ``fn``,
    ``memo[key]`` computes and remembers a missing key; without, use :meth:`recall` and
    :meth:`remember`. Values must not be None."""

    def __init__(self, limit: int, fn: Callable[[K], V] | None = None) -> None:
        super().__init__()
        self.limit = limit
        self.fn = fn
        self.previous: dict[K, V] = {}

    def recall(self, key: K) -> V | None:
        """The remembered value, or None; a hit in the previous generation moves back."""
        value = self.get(key)
        if value is None:
            value = self.previous.get(key)
            if value is not None:
                self.remember(key, value)
        return value

    def remember(self, key: K, value: V) -> None:
        if len(self) >= self.limit:
            self.previous = dict(self)
            self.clear()
        self[key] = value

    def __missing__(self, key: K) -> V:
        value = self.previous.get(key)
        if value is None:
            if self.fn is None:
                raise KeyError(key)
            value = self.fn(key)
        self.remember(key, value)
        return value
