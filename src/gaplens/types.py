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


class OpenDefinition(str, Enum):
    """Which models count as "open". Closed is always API or hosted access.

    Models that are open weights but outside the chosen definition (for example
    restricted-use weights under ``unrestricted``), unreleased models and models of
    unknown accessibility belong to neither group and are left out of the comparison.
    """

    UNRESTRICTED = "unrestricted"
    OPEN_WEIGHTS = "open-weights"
    ANY_OPEN = "any-open"

    @property
    def open_classes(self) -> frozenset[Accessibility]:
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
        return _OPEN_WEIGHTS

    @property
    def description(self) -> str:
        return {
            OpenDefinition.UNRESTRICTED: "open = weights under an unrestricted licence only",
            OpenDefinition.OPEN_WEIGHTS: (
                "open = downloadable weights for commercial use (unrestricted or restricted-use "
                "licences); non-commercial weights excluded"
            ),
            OpenDefinition.ANY_OPEN: "open = any downloadable weights, non-commercial included",
        }[self]

    def groups(self, accessibilities):
        """'open' / 'closed' / None per accessibility text (object array)."""
        import numpy as np

        seen: dict = {}  # each distinct text parsed once (a column repeats a few classes)

        def group(a):
            try:
                if a not in seen:
                    seen[a] = self.group_of(Accessibility.parse(a))
                return seen[a]
            except TypeError:  # unhashable
                return self.group_of(Accessibility.parse(a))

        return np.array([group(a) for a in accessibilities], dtype=object)

    def group_of(self, accessibility: Accessibility) -> str | None:
        """'open', 'closed' or None (left out) for an accessibility class."""
        if accessibility in self.open_classes:
            return "open"
        if accessibility.is_closed:
            return "closed"
        return None


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
