"""The API of ``gaplens update``: fetch each declared source from its publisher, keep
the raw capture, ingest it through the same validated path as a file, and say per
source what happened. Not public: use :func:`gaplens.api.update`.

Per source, in the registry's order (sources that make models first):

1. nothing to do: no endpoint declared (``skipped``), a required key missing from the
   environment (``skipped``, naming the variable), or the last good capture confirmed
   less than ``Source.cache_hours`` ago (``skipped``, unless ``force``);
2. fetch every endpoint into a new capture (:mod:`gaplens.ingest.http`,
   :mod:`gaplens.ingest.captures`), conditional on the last good capture's ETag /
   Last-Modified; every endpoint answering 304, or the same bytes (sha256) as the last
   good capture, is ``unchanged``;
3. read the capture with the source's reader (the validated path every file ingest
   takes) and ingest the batch in one transaction, then move ``LAST_GOOD`` to it
   (``updated``).

Any failure (HTTP status, size, body type, a reader's refusal, the store) is ``failed``
with one line saying why; the warehouse and the last good capture stay as they were, and
the other sources go on. ``offline`` re-ingests each source's last good capture without
the network.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import shutil
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

import pandas as pd

from ._api_core import _taxonomy_of, open_warehouse, warehouse_path
from .errors import ConfigError, FetchError, GaplensError
from .ingest.aliases import bundled_aliases
from .ingest.batch import IngestBatch
from .ingest.captures import KEEP, Capture, CaptureStore, captures_root, utc_now
from .ingest.http import FetchPolicy, fetch, redact, source_key
from .ingest.registry import ReadContext, Source
from .ingest.registry import sources as registry_sources
from .store.snapshots import snapshot_if_changed
from .store import IngestReport, Warehouse, default_path

if TYPE_CHECKING:  # imported where a request is made: most commands make none
    import httpx

#: ``progress(label, bytes_done, bytes_total)`` for each download (total 0: unknown).
DownloadProgress = Callable[[str, int, int], None]


class UpdateStatus(str, Enum):
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class SourceUpdate:
    """What ``update`` did for one source."""

    source: str
    status: UpdateStatus
    reason: str = ""
    capture: str | None = None  # the capture folder read (updated) or kept (failed)
    fetched_at: dt.datetime | None = None  # UTC
    size: int = 0  # bytes of the capture
    sha256: str | None = None
    added: int = 0  # rows added to the warehouse
    changed: int = 0  # rows updated
    rejected: int = 0  # rows the reader refused
    rate_limits: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UpdateResult:
    """Per source what happened, in the registry's order."""

    db: str
    offline: bool
    sources: tuple[SourceUpdate, ...]

    @property
    def failed(self) -> bool:
        return any(s.status is UpdateStatus.FAILED for s in self.sources)

    @property
    def updated(self) -> tuple[str, ...]:
        return tuple(s.source for s in self.sources if s.status is UpdateStatus.UPDATED)

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame([dict(
            source=s.source, status=s.status.value, reason=s.reason,
            fetched_at=s.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ") if s.fetched_at else None,
            size=s.size, sha256=s.sha256, added=s.added, updated=s.changed,
            rejected=s.rejected, capture=s.capture) for s in self.sources],
            columns=["source", "status", "reason", "fetched_at", "size", "sha256", "added",
                     "updated", "rejected", "capture"])


def mirrored(url: str, mirror: str | None) -> str:
    """``url`` on a mirror laid out by host: ``<mirror>/<host>/<path>?<query>``."""
    if not mirror:
        return url
    import httpx

    parsed = httpx.URL(url)
    tail = parsed.raw_path.decode("ascii")
    return f"{mirror.rstrip('/')}/{parsed.host}{tail}"


def _selected(names: Sequence[str] | None, declared: Sequence[Source]) -> list[Source]:
    known = {s.name: s for s in declared}
    if not names:
        return list(declared)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(f"unknown source '{unknown[0]}' (choose " + ", ".join(known) + ")")
    wanted = set(names)
    return [s for s in declared if s.name in wanted]


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _last_modified_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        return None


def _as_update(batch: IngestBatch, source: Source, capture: Capture) -> IngestBatch:
    """The batch of a capture: origin ``update``, its URL, fetch time and date."""
    fetched = capture.fetched_at
    published = None
    endpoints = capture.meta.get("endpoints", [])
    if endpoints:
        published = _last_modified_date(endpoints[0].get("last_modified"))
    info = replace(batch.source, kind=source.name, origin="update", url=capture.meta["url"],
                   retrieved_on=fetched.date(), published_on=published,
                   fetched_at=fetched.astimezone(dt.timezone.utc).replace(tzinfo=None))
    return replace(batch, source=info)


def ingest_capture(source: Source, capture: Capture, db: str) -> IngestReport:
    """Read ``capture`` with the source's reader and ingest it in one transaction."""
    with open_warehouse(db) as warehouse:
        ctx = ReadContext(models=warehouse.models(), aliases=bundled_aliases(),
                          taxonomy=_taxonomy_of(warehouse, None),
                          retrieved_on=capture.fetched_at.date())
    batch = _as_update(source.read(capture.read_path(), ctx), source, capture)
    with Warehouse(db) as warehouse:
        return warehouse.ingest(batch)


def _done(source: Source, capture: Capture, report: IngestReport, reason: str) -> SourceUpdate:
    return SourceUpdate(
        source=source.name, status=UpdateStatus.UPDATED, reason=reason,
        capture=capture.folder, fetched_at=capture.fetched_at, size=int(capture.meta["size"]),
        sha256=capture.sha256, added=sum(c.added for c in report.counts.values()),
        changed=sum(c.updated for c in report.counts.values()), rejected=len(report.rejected),
        rate_limits=dict(capture.meta["endpoints"][0].get("rate_limits") or {}))


@dataclass(frozen=True)
class _Run:
    """What every source of one run shares."""

    db: str
    root: str
    force: bool
    policy: FetchPolicy
    environ: Mapping[str, str]
    mirror: str | None
    client: httpx.Client
    progress: DownloadProgress | None
    keep: int


def _endpoint_entry(fetched, name: str) -> dict:
    return dict(name=name, file=name, url=fetched.url, status=fetched.status,
                sha256=fetched.sha256, size=fetched.size, etag=fetched.etag,
                last_modified=fetched.last_modified, content_type=fetched.content_type,
                rate_limits=dict(fetched.rate_limits), pages=fetched.pages)


def _download(source: Source, store: CaptureStore, good: Capture | None, run: _Run,
              key: str | None) -> tuple[str, list[dict], bool]:
    """Fetch every endpoint into a new incoming folder: (folder, entries, all_304)."""
    tmp = store.begin()
    entries, all_304 = [], True
    try:
        for endpoint in source.endpoints:
            previous = good.endpoint(endpoint.name) if good else None
            validators = {} if run.force or previous is None else {
                "etag": previous.get("etag"), "last_modified": previous.get("last_modified")}
            label = f"{source.name} {endpoint.name}"
            progress = (lambda done, total, label=label: run.progress(label, done, total)) \
                if run.progress else None
            try:
                got = fetch(source, endpoint, os.path.join(tmp, endpoint.name),
                            url=mirrored(endpoint.url, run.mirror), policy=run.policy, key=key,
                            validators=validators, progress=progress, client=run.client)
            except FetchError:
                if endpoint.optional:  # absent this time; compared by name below
                    continue
                raise
            if got.not_modified:
                if previous is None:
                    raise FetchError(f"{label}: 304 Not Modified without a capture to keep")
                shutil.copy2(good.file(previous["file"]), os.path.join(tmp, endpoint.name))
                entries.append(dict(previous, status=304, rate_limits=dict(got.rate_limits)))
            else:
                all_304 = False
                entries.append(_endpoint_entry(got, endpoint.name))
        if not entries:
            raise FetchError(f"{source.name}: no endpoint answered")
    except BaseException as exc:
        reason = str(exc) if isinstance(exc, GaplensError) else type(exc).__name__
        store.discard(tmp, redact(reason, (key,)))
        raise
    return tmp, entries, all_304


def _update_one(source: Source, run: _Run) -> SourceUpdate:
    store = CaptureStore(run.root, source.name)
    good = store.last_good()
    if not source.endpoints:
        return SourceUpdate(source.name, UpdateStatus.SKIPPED, "no download declared")
    key = source_key(source, run.environ)
    if source.key_required and key is None:
        return SourceUpdate(source.name, UpdateStatus.SKIPPED, f"no key: set {source.key_env}")
    checked = store.checked_at()
    if checked is not None and not run.force:
        age = utc_now() - checked
        if age < dt.timedelta(hours=source.cache_hours):
            return SourceUpdate(
                source.name, UpdateStatus.SKIPPED,
                f"checked {_hours(age)} ago (fresh for {source.cache_hours:g} h; --force "
                "fetches now)", capture=good.folder, fetched_at=good.fetched_at,
                size=int(good.meta["size"]), sha256=good.sha256)
    try:
        tmp, entries, all_304 = _download(source, store, good, run, key)
        fetched_at = utc_now()
        if good is not None:
            same_files = [e["name"] for e in entries] == [
                e["name"] for e in good.meta.get("endpoints", [])]
            same = [e["sha256"] for e in entries] == [
                (good.endpoint(e["name"]) or {}).get("sha256") for e in entries]
            if same_files and (all_304 or same):
                store.discard(tmp)
                store.confirm(fetched_at)
                why = "304 Not Modified" if all_304 else "same sha256 as the last capture"
                return SourceUpdate(source.name, UpdateStatus.UNCHANGED, why,
                                    capture=good.folder, fetched_at=good.fetched_at,
                                    size=int(good.meta["size"]), sha256=good.sha256,
                                    rate_limits=dict(entries[0].get("rate_limits") or {}))
        capture = store.commit(tmp, entries, fetched_at)
        try:
            report = ingest_capture(source, capture, run.db)
        except BaseException as exc:
            reason = str(exc) if isinstance(exc, GaplensError) else type(exc).__name__
            store.mark_failed(capture, redact(reason, (key,)))
            raise
        store.set_last_good(capture)
        return _done(source, capture, report, f"fetched {int(capture.meta['size']):,} bytes "
                     f"into capture {capture.stamp}")
    finally:
        store.prune(run.keep)


def _reingest(source: Source, run: _Run) -> SourceUpdate:
    store = CaptureStore(run.root, source.name)
    good = store.last_good()
    if good is None:
        return SourceUpdate(source.name, UpdateStatus.SKIPPED,
                            "no capture to re-ingest (run 'gaplens update' online first)")
    report = ingest_capture(source, good, run.db)
    return _done(source, good, report, f"re-ingested the capture of "
                 f"{good.fetched_at:%Y-%m-%d %H:%M} UTC")


def update(
    sources: Sequence[str] | None = None,
    db: str | None = None,
    offline: bool = False,
    force: bool = False,
    progress: DownloadProgress | None = None,
    *,
    declarations: Sequence[Source] | None = None,
    mirror: str | None = None,
    policy: FetchPolicy | None = None,
    environ: Mapping[str, str] | None = None,
    keep: int = KEEP,
) -> UpdateResult:
    """Fetch the declared sources (all, or those named) and ingest what changed.

    ``offline`` re-ingests each source's last good capture without the network; ``force``
    fetches even when the last capture is younger than the source's cache lifetime (and
    without conditional headers). ``declarations`` replaces the registry's sources (same
    names, e.g. other URLs); ``mirror`` fetches every URL from ``<mirror>/<host>/<path>``
    instead (keys are sent there too); ``policy`` sets timeouts, retries and the size
    limit; ``environ`` is where keys are looked up (default: the process environment);
    ``keep`` is how many capture folders each source keeps. Captures live in
    ``<folder of the warehouse>/captures``.
    """
    declared = list(declarations) if declarations is not None else registry_sources()
    chosen = _selected(sources, declared)
    path = warehouse_path(db)
    with open_warehouse(path, write=True) as warehouse:  # a new one gets the bundled data
        # Data imported by hand since the last snapshot get a state of their own, so the
        # diff of this update shows only what the update changed.
        snapshot_if_changed(warehouse, "before update",
                            note="data imported since the last snapshot")
    policy = policy or FetchPolicy()
    import httpx

    client = httpx.Client(timeout=policy.timeout, follow_redirects=True)
    run = _Run(db=path, root=captures_root(path), force=force, policy=policy,
               environ=environ if environ is not None else os.environ, mirror=mirror,
               client=client, progress=progress, keep=keep)
    done = []
    try:
        for source in chosen:
            key = source_key(source, run.environ)
            try:
                done.append(_reingest(source, run) if offline else _update_one(source, run))
            except Exception as exc:  # noqa: BLE001 (one source's failure is reported, not fatal)
                text = str(exc).splitlines()[0] if str(exc) else ""
                reason = text if isinstance(exc, GaplensError) else \
                    f"{type(exc).__name__}: {text}".rstrip(": ")
                done.append(SourceUpdate(source.name, UpdateStatus.FAILED,
                                         redact(reason, (key,))))
    finally:
        client.close()
    result = UpdateResult(db=path, offline=offline, sources=tuple(done))
    if result.updated:
        with open_warehouse(path, write=True) as warehouse:
            snapshot_if_changed(warehouse, "update", note="updated: " + ", ".join(result.updated))
    return result


def declarations(declared: Sequence[Source] | None = None) -> pd.DataFrame:
    """What each declared source fetches, on what terms: one row per source."""
    rows = []
    for s in declared if declared is not None else registry_sources():
        rows.append(dict(
            source=s.name, title=s.title, homepage=s.homepage,
            urls=[e.url + (" (paged)" if e.paged else "") for e in s.endpoints],
            licence=s.licence, attribution=s.attribution, key_env=s.key_env,
            key_required=s.key_required, cache_hours=s.cache_hours,
            bundled_published=s.bundled_published))
    return pd.DataFrame(rows, columns=["source", "title", "homepage", "urls", "licence",
                                       "attribution", "key_env", "key_required",
                                       "cache_hours", "bundled_published"])


def declarations_markdown(declared: Sequence[Source] | None = None) -> str:
    """The table of docs/update.md, made from the registry."""
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|")

    lines = ["| source | downloads | key | cache | terms | attribution |",
             "|---|---|---|---|---|---|"]
    for s in declared if declared is not None else registry_sources():
        urls = "<br>".join(f"`{e.url}`" + (" (paged)" if e.paged else "")
                           for e in s.endpoints) or "none declared yet"
        if s.key_env:
            key = f"`{s.key_env}`" + (" (required)" if s.key_required else " (optional)")
        else:
            key = "none"
        hours = s.cache_hours
        cache = f"{hours / 24:g} days" if hours >= 48 else f"{hours:g} h"
        lines.append(f"| {s.name} ({cell(s.title)}) | {urls} | {key} | {cache} | "
                     f"{cell(s.licence)} | {cell(s.attribution)} |")
    return "\n".join(lines) + "\n"
