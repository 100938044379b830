"""A source's fingerprint: what tells the pull whether a district's scorecard changed since
the last pull, without reading it (see ``sources``, and ``google`` for Google's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fingerprint:
    token: str  # equal tokens mean the content has not changed
    modified: str | None  # ISO 8601, for the master
    content_hash: str | None = None  # a slower, surer identity (local files)


__all__ = ["Fingerprint"]
