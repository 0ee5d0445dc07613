"""Zip archives read with limits: an Epoch export, an Inspect ``.eval`` log.

A zip from outside is read member by member, in chunks, never more than a member's limit
at a time:

* every member's *declared* size is checked before anything is decompressed: a member
  above ``max_member`` bytes, or members together above ``max_total``, refuse the archive
  (a 1 MiB zip may declare a 3 GiB member, and would otherwise be inflated whole);
* while reading, the bytes actually produced are counted against the same limits (the
  declared size is what the zip says, not a promise);
* every zip and zlib failure (a truncated archive, a bad CRC, a corrupt deflate stream, an
  encrypted member, a compression method Python cannot read, two members of one name)
  becomes one :class:`~gaplens.errors.InputError` naming the archive and the member.

Methods read: stored, deflate, bzip2 and LZMA (Python's own), plus any method the caller
gives a decoder for (``decoders``: method number -> function of the compressed bytes that
returns the decompressed bytes or ``None`` when it cannot).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable

from ..errors import InputError

MiB = 1 << 20
MAX_MEMBER = 256 * MiB
MAX_TOTAL = 1024 * MiB
CHUNK = MiB
_READABLE = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
               NotImplementedError, KeyError)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _mib(n: int) -> str:
    return f"{n / MiB:,.1f} MiB"


class Archive:
    """A zip opened for limited reading; use as a context manager.

    ``names`` lists the members (folders left out) in archive order.
    """

    def __init__(self, path: str, max_member: int = MAX_MEMBER, max_total: int = MAX_TOTAL,
                 decoders: dict[int, Callable[[bytes], bytes | None]] | None = None) -> None:
        self.path = path
        self.max_member = max_member
        self.max_total = max_total
        self.decoders = dict(decoders or {})
        self._read_total = 0
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise InputError(path, "no such file") from None
        except _ZIP_ERRORS as exc:
            raise InputError(path, f"not a readable zip archive ({_first_line(exc)})") from None
        try:
            self._check()
        except BaseException:
            self._zip.close()
            raise

    def _check(self) -> None:
        infos = [i for i in self._zip.infolist() if not i.is_dir()]
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            if name in seen:
                raise InputError(self.path, f"the archive holds two members named '{name}'",
                                 field=name)
            seen.add(name)
            if info.flag_bits & 0x1:
                raise InputError(self.path, f"member '{name}' is encrypted", field=name)
            if info.compress_type not in _READABLE and info.compress_type not in self.decoders:
                raise InputError(self.path, f"member '{name}' uses zip compression method "
                                 f"{info.compress_type}, which cannot be read", field=name)
            if info.file_size > self.max_member:
                raise InputError(self.path, f"member '{name}' declares {_mib(info.file_size)}, "
                                 f"above the limit of {_mib(self.max_member)} per member",
                                 field=name)
            total += info.file_size
            if total > self.max_total:
                raise InputError(self.path, f"the members declare more than the limit of "
                                 f"{_mib(self.max_total)} in all", field=name)
        self.names = [i.filename for i in infos]

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def label(self, name: str) -> str:
        return f"{self.path}:{name}"

    def size(self, name: str) -> int:
        return self._zip.getinfo(name).file_size

    def read(self, name: str) -> bytes:
        """The member's bytes, read in chunks under the limits."""
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            raise InputError(self.path, f"no member '{name}'", field=name) from None
        limit = min(self.max_member, self.max_total - self._read_total)
        if info.compress_type not in _READABLE:
            data = self._decode(info)
        else:
            parts: list[bytes] = []
            got = 0
            try:
                with self._zip.open(info) as stream:
                    while chunk := stream.read(CHUNK):
                        got += len(chunk)
                        if got > limit:
                            raise InputError(self.path, f"member '{name}' inflates past the "
                                             f"limit of {_mib(limit)}", field=name)
                        parts.append(chunk)
            except InputError:
                raise
            except _ZIP_ERRORS as exc:
                raise InputError(self.path, f"cannot read member '{name}' "
                                 f"({_first_line(exc)})", field=name) from None
            data = b"".join(parts)
        self._read_total += len(data)
        return data

    def _decode(self, info: zipfile.ZipInfo) -> bytes:
        name = info.filename
        if info.compress_size > self.max_member:
            raise InputError(self.path, f"member '{name}' is above the limit of "
                             f"{_mib(self.max_member)}", field=name)
        raw = _raw_member(self.path, info)
        try:
            data = self.decoders[info.compress_type](raw)
        except _ZIP_ERRORS as exc:
            raise InputError(self.path, f"cannot decompress member '{name}' "
                             f"({_first_line(exc)})", field=name) from None
        if data is None:
            raise InputError(self.path, f"member '{name}' uses zip compression method "
                             f"{info.compress_type}, which this Python cannot read", field=name)
        if len(data) > min(self.max_member, self.max_total - self._read_total):
            raise InputError(self.path, f"member '{name}' inflates past the limit", field=name)
        return bytes(data)


def _raw_member(path: str, info: zipfile.ZipInfo) -> bytes:
    """The stored (compressed) bytes of a member, from its local header."""
    with open(path, "rb") as handle:
        handle.seek(info.header_offset)
        header = handle.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise InputError(path, f"member '{info.filename}' has a broken local header",
                             field=info.filename)
        name_len = int.from_bytes(header[26:28], "little")
        extra_len = int.from_bytes(header[28:30], "little")
        handle.seek(info.header_offset + 30 + name_len + extra_len)
        data = handle.read(info.compress_size)
    if len(data) < info.compress_size:
        raise InputError(path, f"member '{info.filename}' is cut short", field=info.filename)
    return data


def is_zip(path: str) -> bool:
    """True when ``path`` is a file that starts like a zip (or is one, by its directory)."""
    if not os.path.isfile(path):
        return False
    with open(path, "rb") as handle:
        if handle.read(4) == b"PK\x03\x04":
            return True
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False
