"""Licence names to accessibility classes, from one reviewed table (``data/licences.csv``).

Sources spell licences freely ("Apache 2.0", "Apache-2.0", "apache 2.0 license"); a
licence is looked up by its key: lower case, the words "licence"/"license" and every
character that is not a letter or digit removed. The table lists each key with a match
rule (``exact``, or ``prefix`` for families such as "llama*" and "gemma*"; exact rows win),
an Epoch accessibility class and its rung on the openness ladder (``rung``: permissive,
use-bounded, non-commercial, closed or unknown; the ``note`` says what bounds a
use-bounded licence). The rung must be the one of the class (:meth:`Rung.of`): a row where
they disagree is refused, naming its row. Each adapter decides what an unknown licence
means for it (a licence that is not blank but not listed is never guessed into a class).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..errors import InputError
from ..types import Accessibility, Rung


def licence_key(text: object) -> str:
    """Normalised licence spelling: "Apache 2.0" and "Apache-2.0" give "apache20"."""
    value = re.sub(r"licen[cs]e", "", str(text).lower())
    return re.sub(r"[^a-z0-9]", "", value)


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, Accessibility], tuple[tuple[str, Accessibility], ...]]:
    from importlib import resources

    return read_licences(str(resources.files("gaplens").joinpath("data", "licences.csv")))


def read_licences(path: str) -> tuple[dict[str, Accessibility],
                                      tuple[tuple[str, Accessibility], ...]]:
    """A licence table (exact keys, prefixes longest first), validated row by row."""
    from ._fields import read_csv_text

    frame = read_csv_text(path)
    exact, prefixes = {}, []
    for row, (key, match, access, rung) in enumerate(
            zip(frame["key"], frame["match"], frame["accessibility"], frame["rung"]), start=2):
        cls = Accessibility.parse(access)
        try:
            stated = Rung(str(rung).strip())
        except ValueError:
            raise InputError(path, f"unknown rung '{rung}' (expected one of: "
                             + ", ".join(r.value for r in Rung) + ")", row, "rung") from None
        if stated is not Rung.of(cls):
            raise InputError(path, f"rung '{stated.value}' does not fit the class '{cls.value}' "
                             f"(expected '{Rung.of(cls).value}')", row, "rung")
        if match == "prefix":
            prefixes.append((key, cls))
        else:
            exact[key] = cls
    return exact, tuple(sorted(prefixes, key=lambda p: -len(p[0])))


def licence_class(text: object) -> Accessibility | None:
    """The class of a licence string; ``None`` when blank or not in the table."""
    if text is None or text != text:  # None or NaN
        return None
    key = licence_key(text)
    if not key:
        return None
    exact, prefixes = _table()
    if key in exact:
        return exact[key]
    for prefix, cls in prefixes:
        if key.startswith(prefix):
            return cls
    return None


def licence_rung(text: object) -> Rung | None:
    """The ladder rung of a licence string (``permissive``, ``use-bounded``,
    ``non-commercial``, ``closed``, ``unknown``); ``None`` when blank or not in the table.
    Open source is a property of a release, not of a licence (:mod:`gaplens.ladder`)."""
    cls = licence_class(text)
    return None if cls is None else Rung.of(cls)
