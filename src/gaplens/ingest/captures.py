"""Raw captures: every fetch of a source, kept as it came, beside the warehouse.

Layout (``<data dir>`` is the folder of the warehouse file)::

    <data dir>/captures/<source>/
        20261130T004512Z/            one capture: a UTC stamp of its fetch
            benchmark_data.zip       each body, named by its Endpoint.name
            capture.json             what was fetched (see below)
        20261129T221003Z.failed/     a fetch that failed (kept for diagnosis; REASON says why)
        LAST_GOOD                    {"capture": "20261130T004512Z", "moved_at", "checked_at"}

``capture.json`` holds ``source``, ``fetched_at`` (UTC, ISO 8601), ``url``, ``status``,
``sha256`` and ``size`` of the capture (for several endpoints: a digest of the endpoint
digests, and the sum), and per endpoint (``endpoints``): ``name``, ``file``, ``url``
(never a key: keys travel in headers), ``status``, ``sha256``, ``size``, ``etag``,
``last_modified``, ``content_type``, ``rate_limits`` and ``pages``.

A capture is written in a hidden ``.incoming-*`` folder and renamed into place in one
step, so a capture folder is always whole. ``LAST_GOOD`` is replaced atomically and only
after the capture was parsed and ingested; a download that failed, was cut short or
brought something unexpected never becomes the last good capture. A capture that
downloaded but did not parse or ingest keeps its folder with a ``REASON`` file. Only the
newest :data:`KEEP` capture folders per source are kept (the last good one always).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from typing import Any

CAPTURES = "captures"
META = "capture.json"
LAST_GOOD = "LAST_GOOD"
REASON = "REASON"
FAILED_SUFFIX = ".failed"
KEEP = 5


def captures_root(db_path: str) -> str:
    """``<folder of the warehouse>/captures``."""
    return os.path.join(os.path.dirname(os.path.abspath(db_path)), CAPTURES)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _atomic_write(path: str, text: str) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def combined_sha256(digests: list[str]) -> str:
    """One digest for a capture: the digest itself for one file, else a digest of the
    sorted per-file digests."""
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()


@dataclass(frozen=True)
class Capture:
    """One stored capture (a complete folder)."""

    source: str
    folder: str
    meta: dict[str, Any]

    @property
    def stamp(self) -> str:
        return os.path.basename(self.folder)

    @property
    def fetched_at(self) -> dt.datetime:
        return parse_iso(self.meta["fetched_at"])

    @property
    def sha256(self) -> str:
        return self.meta["sha256"]

    def endpoint(self, name: str) -> dict[str, Any] | None:
        return next((e for e in self.meta.get("endpoints", []) if e["name"] == name), None)

    def file(self, name: str) -> str:
        return os.path.join(self.folder, name)

    def read_path(self) -> str:
        """What the source's reader is given: the body file when the capture holds one
        endpoint, else the capture folder (files named by ``Endpoint.name``)."""
        names = [e["file"] for e in self.meta.get("endpoints", [])]
        return self.file(names[0]) if len(names) == 1 else self.folder


class CaptureStore:
    """The captures of one source."""

    def __init__(self, root: str, source: str) -> None:
        self.source = source
        self.dir = os.path.join(root, source)

    # -- writing --------------------------------------------------------------------------
    def begin(self) -> str:
        """A fresh hidden folder to download into."""
        os.makedirs(self.dir, exist_ok=True)
        stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
        n = 0
        while True:
            tmp = os.path.join(self.dir, f".incoming-{stamp}-{os.getpid()}-{n}")
            if not os.path.exists(tmp):
                os.makedirs(tmp)
                return tmp
            n += 1

    def _final_name(self, moment: dt.datetime, suffix: str = "") -> str:
        stamp = moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        name, n = stamp + suffix, 1
        while os.path.exists(os.path.join(self.dir, name)):
            name, n = f"{stamp}-{n}{suffix}", n + 1
        return os.path.join(self.dir, name)

    def commit(self, tmp: str, endpoints: list[dict[str, Any]],
               fetched_at: dt.datetime) -> Capture:
        """Write ``capture.json`` into ``tmp`` and rename it into place."""
        meta = dict(
            source=self.source,
            fetched_at=_iso(fetched_at),
            url=endpoints[0]["url"],
            status=endpoints[0]["status"],
            sha256=combined_sha256([e["sha256"] for e in endpoints]),
            size=sum(int(e["size"]) for e in endpoints),
            endpoints=endpoints,
        )
        with open(os.path.join(tmp, META), "w", encoding="utf-8") as handle:
            json.dump(meta, handle, indent=2, sort_keys=True)
        final = self._final_name(fetched_at)
        os.rename(tmp, final)
        return Capture(self.source, final, meta)

    def discard(self, tmp: str, reason: str | None = None) -> str | None:
        """Drop an incoming folder; with a ``reason``, keep it as ``<stamp>.failed``."""
        if not os.path.isdir(tmp):
            return None
        if reason is None:
            shutil.rmtree(tmp, ignore_errors=True)
            return None
        for name in os.listdir(tmp):  # a partial body is not worth keeping
            path = os.path.join(tmp, name)
            if os.path.isfile(path):
                os.remove(path)
        with open(os.path.join(tmp, REASON), "w", encoding="utf-8") as handle:
            handle.write(reason + "\n")
        final = self._final_name(utc_now(), FAILED_SUFFIX)
        os.rename(tmp, final)
        return final

    def mark_failed(self, capture: Capture, reason: str) -> None:
        """A whole capture that did not parse or ingest: say why beside it."""
        _atomic_write(os.path.join(capture.folder, REASON), reason + "\n")

    # -- the pointer ----------------------------------------------------------------------
    def _pointer(self) -> dict[str, Any] | None:
        path = os.path.join(self.dir, LAST_GOOD)
        try:
            with open(path, encoding="utf-8") as handle:
                pointer = json.load(handle)
        except (OSError, ValueError):
            return None
        return pointer if isinstance(pointer, dict) and "capture" in pointer else None

    def last_good(self) -> Capture | None:
        """The last capture that was parsed and ingested (None if there is none or its
        folder is gone)."""
        pointer = self._pointer()
        if pointer is None:
            return None
        folder = os.path.join(self.dir, os.path.basename(str(pointer["capture"])))
        try:
            with open(os.path.join(folder, META), encoding="utf-8") as handle:
                meta = json.load(handle)
        except (OSError, ValueError):
            return None
        return Capture(self.source, folder, meta)

    def checked_at(self) -> dt.datetime | None:
        """When the last good capture was last confirmed current (its fetch, or a later
        check that found it unchanged)."""
        pointer = self._pointer()
        if pointer is None or self.last_good() is None:
            return None
        return parse_iso(pointer.get("checked_at") or pointer["moved_at"])

    def set_last_good(self, capture: Capture, checked_at: dt.datetime | None = None) -> None:
        now = utc_now()
        _atomic_write(os.path.join(self.dir, LAST_GOOD), json.dumps(dict(
            capture=capture.stamp, moved_at=_iso(now),
            checked_at=_iso(checked_at or capture.fetched_at)), indent=2) + "\n")

    def confirm(self, checked_at: dt.datetime) -> None:
        """The last good capture is still current as of ``checked_at``."""
        good, pointer = self.last_good(), self._pointer()
        if good is None or pointer is None:
            return
        pointer["checked_at"] = _iso(checked_at)
        _atomic_write(os.path.join(self.dir, LAST_GOOD), json.dumps(pointer, indent=2) + "\n")

    # -- housekeeping ---------------------------------------------------------------------
    def folders(self) -> list[str]:
        """Capture folders (whole or failed), oldest first."""
        if not os.path.isdir(self.dir):
            return []
        return sorted(os.path.join(self.dir, n) for n in os.listdir(self.dir)
                      if not n.startswith(".") and os.path.isdir(os.path.join(self.dir, n)))

    def prune(self, keep: int = KEEP) -> list[str]:
        """Remove all but the newest ``keep`` capture folders (never the last good one),
        and incoming folders a crashed run left more than a day ago."""
        if os.path.isdir(self.dir):
            day_ago = utc_now().timestamp() - 86400
            for name in os.listdir(self.dir):
                path = os.path.join(self.dir, name)
                if name.startswith(".incoming-") and os.path.getmtime(path) < day_ago:
                    shutil.rmtree(path, ignore_errors=True)
        good = self.last_good()
        keep_folder = good.folder if good else None
        old = [f for f in self.folders() if f != keep_folder]
        removed = old[:max(0, len(old) - max(keep - (1 if keep_folder else 0), 0))]
        for folder in removed:
            shutil.rmtree(folder, ignore_errors=True)
        return removed
