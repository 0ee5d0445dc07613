"""One error hierarchy for gaplens.

Every error the library raises on purpose is a :class:`GaplensError`. The CLI
translates it once into a single line (``str(error)``) without a traceback.
Errors about input data name the file, the row and the field at fault.
"""

from __future__ import annotations

from dataclasses import dataclass


class GaplensError(Exception):
    """Base class of every deliberate gaplens error."""


@dataclass(eq=False)
class InputError(GaplensError):
    """A problem with an input file: names the file, row and field.

    ``row`` is the 1-based data row as a spreadsheet shows it (the header is row 1,
    so the first data row is row 2); ``None`` when the problem concerns the whole file.
    """

    file: str
    message: str
    row: int | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class StoreError(GaplensError):
    """The warehouse cannot be opened, read or written (locked, corrupt, wrong schema)."""


class ReadOnlyStoreError(StoreError):
    """The warehouse exists but cannot be written (permissions, read-only file system)."""


class UnknownNameError(GaplensError):
    """A name the user gave (model, benchmark, domain) is not in the warehouse."""


class ConfigError(GaplensError):
    """An option or setting is invalid (bad date, unknown definition, ...)."""


class FetchError(GaplensError):
    """A download failed or brought something other than what the source declares
    (status, size, type). The message never contains a key."""


class MissingDependencyError(GaplensError):
    """An optional dependency is needed for this feature."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the '{package}' package: pip install 'gaplens[{extra}]'"
        )
