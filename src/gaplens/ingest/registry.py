"""The source registry: one declaration per outside source.

A :class:`Source` says where a publisher's data live (its :class:`Endpoint` URLs), on
what terms (licence and the attribution line the publisher asks for), with which key
(the environment variable that holds it, never stored), how long a capture stays fresh,
which names in ``aliases.csv`` apply to it, and which reader turns a capture (a file or
folder on disk) into a validated :class:`~gaplens.ingest.batch.IngestBatch`.

Adding a source is one declaration (in ``ingest/sources.py``), one reader and one test
on a file in the source's real format. Everything else (``gaplens update``, ``sources``,
the credits of the report) reads the registry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from ..errors import ConfigError
from .batch import IngestBatch

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Endpoint:
    """One URL of a source and what its body must be.

    ``name`` is the file name the body is stored under in a capture; ``media`` is what
    the body must look like before any parser sees it (``zip``, ``json``, ``csv``,
    ``parquet``): a wrong type (an HTML error page where a zip was expected) is refused.
    ``paged`` endpoints follow ``pagination{page, total_pages, has_more}``. The reader of
    a source with one endpoint is given that body's file; with several, the capture folder,
    each body under its ``name`` (an ``optional`` endpoint that failed is absent).
    """

    name: str
    url: str
    media: str
    paged: bool = False
    optional: bool = False


@dataclass(frozen=True)
class ReadContext:
    """What a reader may consult besides its capture: the warehouse's models, the
    reviewed alias table, the benchmark taxonomy, the capture date."""

    models: pd.DataFrame
    aliases: pd.DataFrame
    taxonomy: object | None = None
    retrieved_on: dt.date | None = None
    progress: Progress | None = None


Reader = Callable[[str, ReadContext], IngestBatch]


@dataclass(frozen=True)
class Source:
    """One outside source of evaluation data."""

    name: str  # the kind stored in the warehouse's ``sources`` table and the alias scope
    title: str
    homepage: str
    licence: str
    attribution: str
    read: Reader
    endpoints: tuple[Endpoint, ...] = ()
    key_env: str | None = None  # environment variable holding the key
    key_header: str | None = None  # "x-api-key", or "Authorization" (sent as "Bearer KEY")
    key_required: bool = False  # without a key the source is skipped, not failed
    cache_hours: float = 24.0  # a capture younger than this is not fetched again
    bundled: tuple[str, ...] = ()  # paths under gaplens/data, in loading order
    bundled_published: dt.date | None = None  # the date the bundled copy was published
    # The date each bundled copy was taken (its PROVENANCE.md), in the order of ``bundled``:
    # this, not the date it was loaded, is its ``retrieved_on``.
    bundled_retrieved: tuple[dt.date, ...] = ()
    bundle_allowed: bool = True  # whether the licence lets gaplens ship a copy
    creates_models: bool = True  # False: only matches models other sources made
    notes: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def retrieved_on(self, relpath: str) -> dt.date | None:
        """The date the bundled copy at ``relpath`` was taken, if declared."""
        dates = dict(zip(self.bundled, self.bundled_retrieved))
        return dates.get(relpath)

    @property
    def alias_scope(self) -> str:
        return self.name


_REGISTRY: dict[str, Source] = {}


def register(source: Source) -> Source:
    if source.name in _REGISTRY:
        raise ValueError(f"source {source.name!r} is declared twice")
    _REGISTRY[source.name] = source
    return source


def sources() -> list[Source]:
    """Every declared source, in loading order (sources that make models first)."""
    from . import sources as _declarations  # noqa: F401  (the declarations register)

    return list(_REGISTRY.values())


def source(name: str) -> Source:
    """The declaration of ``name``; an unknown name is a one-line error listing them."""
    known = {s.name: s for s in sources()}
    if name not in known:
        raise ConfigError(f"unknown source '{name}' (choose " + ", ".join(known) + ")")
    return known[name]
