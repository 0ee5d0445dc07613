"""Hostile zip archives, built here: every one is a one-line InputError, and a member that
declares (or inflates to) more than the limit is refused with bounded memory."""

from __future__ import annotations

import struct
import tracemalloc
import zipfile

import pytest

from gaplens.errors import InputError
from gaplens.ingest import bundled_taxonomy, read_epoch
from gaplens.ingest.archive import MiB, Archive

CSV = b"Model version,mean_score\nm1,0.5\n" * 200


def _zip(path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> str:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return str(path)


def _patch_sizes(path, size: int) -> None:
    """Rewrite every declared uncompressed size (local and central headers) to ``size``."""
    data = bytearray(open(path, "rb").read())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            data[i + offset:i + offset + 4] = struct.pack("<I", size)
            start = i + 4
    open(path, "wb").write(bytes(data))


def _one_line(exc: InputError, path) -> None:
    assert "\n" not in str(exc) and str(path) in str(exc)


def _read_all(path, **limits) -> None:
    with Archive(str(path), **limits) as archive:
        for name in archive.names:
            archive.read(name)


def test_a_small_zip_declaring_a_huge_member_fails_before_inflating(tmp_path):
    path = _zip(tmp_path / "bomb.zip", {"a.csv": CSV})
    _patch_sizes(path, 3 * 1024 * MiB)  # a 3 GiB member, as the zip says
    tracemalloc.start()
    with pytest.raises(InputError, match="declares 3,072.0 MiB") as err:
        _read_all(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    _one_line(err.value, path)
    assert peak < 2 * MiB


def test_a_real_bomb_is_stopped_at_the_limit_with_bounded_memory(tmp_path):
    # 64 MiB of zeros deflate to ~64 KiB; the limit is 4 MiB per member.
    path = tmp_path / "zeros.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("zeros.csv", "w") as member:
            chunk = bytes(MiB)
            for _ in range(64):
                member.write(chunk)
    assert path.stat().st_size < MiB
    tracemalloc.start()
    with pytest.raises(InputError, match="above the limit") as err:
        _read_all(path, max_member=4 * MiB)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * MiB
    _one_line(err.value, path)
    # A zip that lies (declares 1 KiB for the 64 MiB member): reading stops at the declared
    # size and the CRC check fails; memory stays bounded.
    _patch_sizes(path, 1024)
    tracemalloc.start()
    with pytest.raises(InputError, match="cannot read member") as err:
        _read_all(path, max_member=4 * MiB)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * MiB


def test_the_total_limit_counts_every_member(tmp_path):
    path = _zip(tmp_path / "many.zip", {f"{i}.csv": bytes(2 * MiB) for i in range(3)})
    with pytest.raises(InputError, match="in all"):
        _read_all(path, max_member=4 * MiB, max_total=5 * MiB)
    _read_all(path, max_member=4 * MiB, max_total=6 * MiB)


def _corrupt(path, what: str) -> None:
    data = bytearray(open(path, "rb").read())
    local = data.find(b"PK\x03\x04")
    name_len, extra_len = struct.unpack("<HH", data[local + 26:local + 30])
    body = local + 30 + name_len + extra_len
    if what == "crc":
        for sig, offset in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
            i = data.find(sig)
            data[i + offset:i + offset + 4] = b"\x00\x00\x00\x00"
    elif what == "deflate":
        data[body:body + 8] = b"\xff" * 8
    elif what == "encrypted":
        for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            i = data.find(sig)
            flags = struct.unpack("<H", data[i + offset:i + offset + 2])[0]
            data[i + offset:i + offset + 2] = struct.pack("<H", flags | 1)
    elif what == "method":
        for sig, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
            i = data.find(sig)
            data[i + offset:i + offset + 2] = struct.pack("<H", 99)
    elif what == "truncated":
        data = data[: len(data) // 2]
    open(path, "wb").write(bytes(data))


@pytest.mark.parametrize("what, message", [
    ("crc", "cannot read member"),
    ("deflate", "cannot read member"),
    ("encrypted", "is encrypted"),
    ("method", "compression method 99"),
    ("truncated", "not a readable zip archive"),
])
def test_every_zip_error_is_one_line(tmp_path, what, message):
    path = _zip(tmp_path / f"{what}.zip", {"a.csv": CSV})
    _corrupt(path, what)
    with pytest.raises(InputError, match=message) as err:
        _read_all(path)
    _one_line(err.value, path)


def test_two_members_of_one_name_are_refused(tmp_path):
    path = tmp_path / "twice.zip"
    with pytest.warns(UserWarning):  # zipfile warns on a duplicate name
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("epoch_capabilities_index.csv", "a\n1\n")
            z.writestr("epoch_capabilities_index.csv", "a\n2\n")
    with pytest.raises(InputError, match="two members named"):
        _read_all(path)


@pytest.mark.parametrize("what", ["crc", "deflate", "encrypted", "method", "truncated"])
def test_a_broken_epoch_zip_is_one_line_from_the_reader(tmp_path, what):
    eci = (b"Model version,ECI Score,Release date,Organization,Country,Model accessibility,"
           b"Model name\nm1,100,2025-01-01,O,C,API access,M1\n")
    path = _zip(tmp_path / "export.zip", {"epoch_capabilities_index.csv": eci,
                                          "gpqa_diamond.csv": CSV})
    _corrupt(path, what)
    with pytest.raises(InputError) as err:
        read_epoch(path, bundled_taxonomy())
    _one_line(err.value, path)


def test_a_zlib_level_error_on_an_inspect_eval_is_one_line(tmp_path):
    from gaplens.ingest.inspect_logs import read_log_header

    path = _zip(tmp_path / "log.eval", {"header.json": b'{"eval": {}}' * 100})
    _corrupt(path, "deflate")
    with pytest.raises(InputError) as err:
        read_log_header(str(path))
    _one_line(err.value, path)
