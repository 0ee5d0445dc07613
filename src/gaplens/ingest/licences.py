"""Licence names to accessibility classes, from one reviewed table (``data/licences.csv``).

Sources spell licences freely ("Apache 2.0", "Apache-2.0", "apache 2.0 license"); a
licence is looked up by its key: lower case, the words "licence"/"license" and every
character that is not a letter or digit removed. The table lists each key with a match
rule (``exact``, or ``prefix`` for families such as "llama*" and "gemma*"; exact rows win)
and an Epoch accessibility class. Each adapter decides what an unknown licence means for
it (a licence that is not blank but not listed is never guessed into a class).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..types import Accessibility


def licence_key(text: object) -> str:
    """Normalised licence spelling: "Apache 2.0" and "Apache-2.0" give "apache20"."""
    value = re.sub(r"licen[cs]e", "", str(text).lower())
    return re.sub(r"[^a-z0-9]", "", value)


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, Accessibility], tuple[tuple[str, Accessibility], ...]]:
    from importlib import resources

    from ._fields import read_csv_text

    frame = read_csv_text(str(resources.files("gaplens").joinpath("data", "licences.csv")))
    exact, prefixes = {}, []
    for key, match, access in zip(frame["key"], frame["match"], frame["accessibility"]):
        cls = Accessibility.parse(access)
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
