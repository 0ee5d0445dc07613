"""Closed sets used across gaplens: accessibility classes, open definitions, formats.

Open sets that users extend (domains, benchmarks, overrides) are data files, not enums.
"""

from __future__ import annotations

from enum import Enum


class Accessibility(str, Enum):
    """How a model can be used, following Epoch AI's ``Model accessibility`` classes.

    ``OPEN_UNSPECIFIED`` and ``CLOSED_UNSPECIFIED`` come from user files that only give
    an open/closed flag: they are never guessed into a finer class.
    """

    API = "API access"
    HOSTED = "Hosted access (no API)"
    OPEN_UNRESTRICTED = "Open weights (unrestricted)"
    OPEN_RESTRICTED = "Open weights (restricted use)"
    OPEN_NONCOMMERCIAL = "Open weights (non-commercial)"
    OPEN_UNSPECIFIED = "Open weights (licence unspecified)"
    CLOSED_UNSPECIFIED = "Closed weights (unspecified)"
    UNRELEASED = "Unreleased"
    UNKNOWN = "Unknown"

    @classmethod
    def parse(cls, text: object) -> "Accessibility":
        """Parse a class name case-insensitively; blank means UNKNOWN. Raises ValueError."""
        if text is None or (isinstance(text, float) and text != text):
            return cls.UNKNOWN
        value = str(text).strip()
        if not value:
            return cls.UNKNOWN
        for member in cls:
            if member.value.lower() == value.lower() or member.name.lower() == value.lower():
                return member
        raise ValueError(
            f"unknown accessibility '{value}' (expected one of: "
            + ", ".join(m.value for m in cls)
            + ")"
        )

    @property
    def is_open_weights(self) -> bool:
        return self in _OPEN_WEIGHTS

    @property
    def is_closed(self) -> bool:
        return self in _CLOSED


_OPEN_WEIGHTS = frozenset(
    {
        Accessibility.OPEN_UNRESTRICTED,
        Accessibility.OPEN_RESTRICTED,
        Accessibility.OPEN_NONCOMMERCIAL,
        Accessibility.OPEN_UNSPECIFIED,
    }
)
_CLOSED = frozenset({Accessibility.API, Accessibility.HOSTED, Accessibility.CLOSED_UNSPECIFIED})


class Rung(str, Enum):
    """A rung of the openness ladder, most open first (docs/openness.md).

    ``open-source``: permissive weights plus released training code and data information
    (a reviewed list, ``data/open_source.csv``); ``permissive``: weights under a licence
    without use restrictions (MIT, Apache-2.0, ...); ``use-bounded``: commercial use under
    user or revenue caps or a use policy; ``non-commercial``: research or non-commercial
    use only; ``closed``: no downloadable weights; ``unknown``: open weights whose licence
    no source names, or no accessibility at all.
    """

    OPEN_SOURCE = "open-source"
    PERMISSIVE = "permissive"
    USE_BOUNDED = "use-bounded"
    NON_COMMERCIAL = "non-commercial"
    CLOSED = "closed"
    UNKNOWN = "unknown"

    @property
    def order(self) -> int:
        """0 for the most open rung; closed and unknown come last."""
        return list(Rung).index(self)

    @property
    def is_open(self) -> bool:
        """Whether the rung is one of downloadable weights with a known licence."""
        return self.order <= Rung.NON_COMMERCIAL.order

    @classmethod
    def of(cls, accessibility: "Accessibility", open_source: bool = False) -> "Rung":
        """The rung of an accessibility class; ``open_source``: the model is on the
        reviewed open-source list (it counts only with permissive weights)."""
        if accessibility is Accessibility.OPEN_UNRESTRICTED:
            return cls.OPEN_SOURCE if open_source else cls.PERMISSIVE
        return _RUNG_OF_CLASS[accessibility]


_RUNG_OF_CLASS = {
    Accessibility.OPEN_RESTRICTED: Rung.USE_BOUNDED,
    Accessibility.OPEN_NONCOMMERCIAL: Rung.NON_COMMERCIAL,
    Accessibility.OPEN_UNSPECIFIED: Rung.UNKNOWN,
    Accessibility.API: Rung.CLOSED,
    Accessibility.HOSTED: Rung.CLOSED,
    Accessibility.CLOSED_UNSPECIFIED: Rung.CLOSED,
    Accessibility.UNRELEASED: Rung.CLOSED,
    Accessibility.UNKNOWN: Rung.UNKNOWN,
}


class OpenDefinition(str, Enum):
    """Which models count as "open". Closed is always API or hosted access.

    Models that are open weights but outside the chosen definition (for example
    restricted-use weights under ``unrestricted``), unreleased models and models of
    unknown accessibility belong to neither group and are left out of the comparison.

    The last four are rungs of the openness ladder (:class:`Rung`), each meaning "this
    rung or a more open one"; they are nested, and open weights whose licence no source
    names are in none of them (``open-weights`` and ``any-open`` include them).
    ``open-source`` needs the model ids (:meth:`groups`).
    """

    UNRESTRICTED = "unrestricted"
    OPEN_WEIGHTS = "open-weights"
    ANY_OPEN = "any-open"
    OPEN_SOURCE = "open-source"
    PERMISSIVE = "permissive"
    USE_BOUNDED = "use-bounded"
    NON_COMMERCIAL = "non-commercial"

    @property
    def rung(self) -> Rung | None:
        """The ladder rung of a rung definition; ``None`` for the first three."""
        try:
            return Rung(self.value)
        except ValueError:
            return None

    @property
    def open_rungs(self) -> frozenset[Rung]:
        """The rungs counted as open (for the first three, the rungs of their classes;
        ``unknown`` stands for licence-unspecified weights)."""
        if self.rung is not None:
            return frozenset(r for r in Rung if r.order <= self.rung.order)
        rungs = {Rung.of(a) for a in self.open_classes} | (
            {Rung.OPEN_SOURCE} if Accessibility.OPEN_UNRESTRICTED in self.open_classes
            else set())
        return frozenset(rungs)

    @property
    def open_classes(self) -> frozenset[Accessibility]:
        """The accessibility classes that can count as open (under ``open-source`` only
        the listed models of its class do)."""
        if self is OpenDefinition.UNRESTRICTED:
            return frozenset({Accessibility.OPEN_UNRESTRICTED})
        if self is OpenDefinition.OPEN_WEIGHTS:
            return frozenset(
                {
                    Accessibility.OPEN_UNRESTRICTED,
                    Accessibility.OPEN_RESTRICTED,
                    Accessibility.OPEN_UNSPECIFIED,
                }
            )
        if self is OpenDefinition.ANY_OPEN:
            return _OPEN_WEIGHTS
        return frozenset(a for a in _OPEN_WEIGHTS
                         if Rung.of(a, open_source=True) in self.open_rungs)

    @property
    def description(self) -> str:
        return {
            OpenDefinition.UNRESTRICTED: "open = weights under an unrestricted licence only",
            OpenDefinition.OPEN_WEIGHTS: (
                "open = downloadable weights for commercial use (unrestricted or restricted-use "
                "licences); non-commercial weights excluded"
            ),
            OpenDefinition.ANY_OPEN: "open = any downloadable weights, non-commercial included",
            OpenDefinition.OPEN_SOURCE: (
                "open = open source: permissive weights with released training code and data "
                "information (reviewed list)"
            ),
            OpenDefinition.PERMISSIVE: "open = permissive weights (MIT, Apache-2.0, ...) or "
                                       "open source",
            OpenDefinition.USE_BOUNDED: (
                "open = weights usable commercially, permissive or under user or revenue caps "
                "or a use policy; licence-unspecified weights excluded"
            ),
            OpenDefinition.NON_COMMERCIAL: (
                "open = downloadable weights under a known licence, non-commercial included; "
                "licence-unspecified weights excluded"
            ),
        }[self]

    def groups(self, accessibilities, model_ids=None):
        """'open' / 'closed' / None per accessibility text (object array).

        ``model_ids`` (aligned with ``accessibilities``) are needed by ``open-source``,
        whose members are listed by model (``data/open_source.csv``)."""
        import numpy as np

        if self is OpenDefinition.OPEN_SOURCE:
            if model_ids is None:
                raise ValueError("the open-source definition needs the model ids")
            from .ladder import open_source_ids

            listed = open_source_ids()
            return np.array([self.group_of(Accessibility.parse(a), m in listed)
                             for a, m in zip(accessibilities, model_ids)], dtype=object)
        seen: dict = {}  # each distinct text parsed once (a column repeats a few classes)

        def group(a):
            try:
                if a not in seen:
                    seen[a] = self.group_of(Accessibility.parse(a))
                return seen[a]
            except TypeError:  # unhashable
                return self.group_of(Accessibility.parse(a))

        return np.array([group(a) for a in accessibilities], dtype=object)

    def group_of(self, accessibility: Accessibility, open_source: bool = False) -> str | None:
        """'open', 'closed' or None (left out) for an accessibility class (``open_source``:
        the model is on the reviewed open-source list)."""
        if self is OpenDefinition.OPEN_SOURCE:
            if Rung.of(accessibility, open_source) is Rung.OPEN_SOURCE:
                return "open"
        elif accessibility in self.open_classes:
            return "open"
        if accessibility.is_closed:
            return "closed"
        return None


#: The definitions the report precomputes (the rung definitions are for the other commands).
REPORT_DEFINITIONS = (OpenDefinition.UNRESTRICTED, OpenDefinition.OPEN_WEIGHTS,
                      OpenDefinition.ANY_OPEN)


class OutputFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class ExportFormat(str, Enum):
    """Record formats ``gaplens export`` writes: ``every-eval-ever`` (schema 0.2.3)."""

    EVERY_EVAL_EVER = "every-eval-ever"


class ReportFormat(str, Enum):
    """``html``: one interactive page; ``md``: Markdown with static charts."""

    HTML = "html"
    MD = "md"


class Group(str, Enum):
    OPEN = "open"
    CLOSED = "closed"
