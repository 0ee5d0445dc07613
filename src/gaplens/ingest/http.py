"""Fetching a source's endpoints over HTTP, carefully (``gaplens update``).

One :func:`fetch` call downloads one :class:`~gaplens.ingest.registry.Endpoint` into a
file and says what came back (:class:`Fetched`). What it guarantees:

* **Timeouts** on connecting and reading (:class:`FetchPolicy.timeout`).
* **Retries** on HTTP 429 and 5xx and on connection errors, waiting
  ``backoff * 2**attempt`` seconds, or the server's ``Retry-After`` (seconds or an HTTP
  date) when it gives one; every wait is capped at ``max_wait``. The sleep function is
  part of the policy, so tests run without waiting.
* **Conditional requests**: the ETag / Last-Modified of the last good capture go out as
  ``If-None-Match`` / ``If-Modified-Since``; a 304 answer is "unchanged" and no body is
  stored.
* **A size limit**: a declared ``Content-Length`` past ``max_bytes`` is refused before
  reading, and a streamed body is cut off (and refused) as soon as it passes it.
* **The body is checked before anything parses it**, against ``Endpoint.media``: a zip
  must start with the zip magic, open and pass ``testzip``; JSON must parse (a document
  nested deeper than Python can follow is refused, not crashed on); a CSV must decode as
  UTF-8 and not be an HTML page; a parquet file must start and end with ``PAR1``. An HTML
  page where data were expected (a wrong path often answers 200 with one) is refused
  with a one-line reason.
* **Paged endpoints** (``Endpoint.paged``) are followed page by page (``?page=N``) while
  the body's ``pagination`` says ``has_more`` (or ``page < total_pages``) and are stored as
  one JSON document: the first page's top-level fields, ``data`` = every page's ``data``
  list concatenated in page order, and ``pagination`` = ``{"page": 1, "total_pages": N,
  "has_more": false, "pages_fetched": N}``.
* **Keys** come from the environment variable the source names (``Source.key_env``) and go
  out in ``Source.key_header`` (``Authorization`` is sent as ``Bearer KEY``). They are
  never written: every text this module returns or raises passes :func:`redact`.
* **Rate-limit headers** (``X-RateLimit-*``, ``RateLimit-*``, ``Retry-After``) are
  returned for the capture's metadata.

Every failure is a :class:`~gaplens.errors.FetchError` with one line saying why.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import os
import time
import zipfile
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:  # imported where a request is made: most commands make none
    import httpx

from ..errors import FetchError
from .registry import Endpoint, Source

#: ``progress(bytes_done, bytes_total)``; ``bytes_total`` is 0 when the server does not say.
Progress = Callable[[int, int], None]

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_PAGES = 1000
_CHUNK = 1 << 16


# How a failed name resolution reads on Linux, macOS and Windows.
_NO_NAME = ("name or service not known", "nodename nor servname", "name resolution",
            "no address associated", "getaddrinfo failed")


@dataclass(frozen=True)
class FetchPolicy:
    """How patient and how trusting a fetch is."""

    timeout: float = 30.0  # seconds, connect and each read
    retries: int = 4  # further attempts after the first
    backoff: float = 1.0  # seconds before the first retry; doubled each time
    max_wait: float = 60.0  # cap on any single wait, Retry-After included
    max_bytes: int = 512 * 1024 * 1024  # per endpoint (a paged one: all pages together)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    user_agent: str = "gaplens"


@dataclass(frozen=True)
class Fetched:
    """What one endpoint gave: ``not_modified`` (304, nothing stored) or a checked body in
    ``path``."""

    endpoint: str
    url: str
    status: int
    fetched_at: dt.datetime  # UTC
    path: str | None = None
    size: int = 0
    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    rate_limits: Mapping[str, str] = field(default_factory=dict)
    pages: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def source_key(source: Source, environ: Mapping[str, str] | None = None) -> str | None:
    """The source's key from the environment (None when it has none or it is unset)."""
    if not source.key_env:
        return None
    value = (environ if environ is not None else os.environ).get(source.key_env, "").strip()
    return value or None


def redact(text: str, secrets: tuple[str | None, ...]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def auth_headers(source: Source, key: str | None) -> dict[str, str]:
    if not key or not source.key_header:
        return {}
    if source.key_header.lower() == "authorization":
        return {"Authorization": f"Bearer {key}"}
    return {source.key_header: key}


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date);
    None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = now or dt.datetime.now(dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def rate_limit_headers(headers: httpx.Headers) -> dict[str, str]:
    """The rate-limit headers of a response, names in lower case."""
    keep = {}
    for name, value in headers.items():
        low = name.lower()
        if low.startswith(("x-ratelimit-", "ratelimit", "x-rate-limit-")) or low == "retry-after":
            keep[low] = value
    return keep


# -- checking a body --------------------------------------------------------------------------

def _looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def check_body(path: str, media: str, content_type: str | None, what: str) -> None:
    """Refuse a body that is not what ``media`` says (one-line :class:`FetchError`)."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    with open(path, "rb") as handle:
        head = handle.read(512)
    if ctype == "text/html" or _looks_like_html(head):
        raise FetchError(f"{what}: expected {media}, got an HTML page"
                         + (f" ({ctype})" if ctype else ""))
    if not head:
        raise FetchError(f"{what}: empty body")
    if media == "zip":
        if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise FetchError(f"{what}: expected a zip, the body does not start like one")
        try:
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise FetchError(f"{what}: the zip is damaged or cut short ({exc})") from None
        if bad is not None:
            raise FetchError(f"{what}: the zip member '{bad}' fails its checksum")
    elif media == "json":
        try:
            with open(path, "rb") as handle:
                json.loads(handle.read().decode("utf-8-sig"))
        except RecursionError:
            raise FetchError(f"{what}: the JSON is nested too deeply to read") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchError(f"{what}: not valid JSON ({str(exc).splitlines()[0]})") from None
    elif media == "csv":
        try:
            with open(path, "rb") as handle:
                handle.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FetchError(f"{what}: the CSV is not UTF-8 text ({exc.reason} at byte "
                             f"{exc.start})") from None
    elif media == "parquet":
        tail = b""
        if os.path.getsize(path) >= 12:
            with open(path, "rb") as handle:
                handle.seek(-4, os.SEEK_END)
                tail = handle.read(4)
        if not head.startswith(b"PAR1") or tail != b"PAR1":
            raise FetchError(f"{what}: expected a parquet file (PAR1 at both ends)")
    else:
        raise FetchError(f"{what}: unknown media type '{media}' in the declaration")


# -- one request, with retries ------------------------------------------------------------------

def _request(client: httpx.Client, url: str, headers: dict[str, str], policy: FetchPolicy,
             dest: str, progress: Progress | None, budget: int, what: str
             ) -> tuple[httpx.Response, int, str]:
    """GET ``url`` into ``dest`` with retries; returns (response, size, sha256)."""
    import httpx

    attempt = 0
    while True:
        wait = None
        try:
            with client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in RETRY_STATUS and attempt < policy.retries:
                    wait = retry_after(response.headers.get("retry-after"))
                elif status == 304 or not 200 <= status < 300:
                    return response, 0, ""
                else:
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > budget:
                        raise FetchError(f"{what}: {int(declared):,} bytes is past the size "
                                         f"limit of {budget:,}")
                    total = int(declared) if declared and declared.isdigit() else 0
                    digest, size = hashlib.sha256(), 0
                    with open(dest, "wb") as handle:
                        for chunk in response.iter_bytes(_CHUNK):
                            size += len(chunk)
                            if size > budget:
                                raise FetchError(f"{what}: the body passed the size limit of "
                                                 f"{budget:,} bytes; download stopped")
                            handle.write(chunk)
                            digest.update(chunk)
                            if progress:
                                progress(size, total)
                    got = response.num_bytes_downloaded  # on the wire (before decoding)
                    if total and got < total:
                        raise FetchError(f"{what}: cut short ({got:,} of {total:,} bytes)")
                    return response, size, digest.hexdigest()
        except httpx.TransportError as exc:
            detail = str(exc).splitlines()[0] if str(exc) else ""
            if isinstance(exc, httpx.ConnectError) and any(
                    m in detail.lower() for m in _NO_NAME):
                # No DNS answer: no network, or a wrong host. Waiting will not help.
                raise FetchError(f"{what}: cannot resolve {httpx.URL(url).host} (no network, "
                                 f"or a wrong host: {detail})") from None
            if attempt >= policy.retries:
                kind = type(exc).__name__
                raise FetchError(f"{what}: {kind} after {attempt + 1} attempts "
                                 f"({str(exc).splitlines()[0] if str(exc) else 'no detail'})"
                                 ) from None
        if wait is None:
            wait = policy.backoff * (2 ** attempt)
        policy.sleep(min(wait, policy.max_wait))
        attempt += 1


def _status_error(response: httpx.Response, what: str, source: Source, key: str | None) -> str:
    status = response.status_code
    reason = response.reason_phrase or ""
    line = f"{what}: HTTP {status} {reason}".rstrip()
    if status in (401, 403) and source.key_env:
        line += (f" (check the key in {source.key_env})" if key
                 else f" (this source may need a key in {source.key_env})")
    elif status == 429:
        line += " (rate limited; retries used up)"
    return line


def _fetch_one(client, source, endpoint, url, dest, policy, key, validators, progress, budget):
    headers = dict(auth_headers(source, key))
    headers["User-Agent"] = policy.user_agent
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    what = f"{source.name}/{endpoint.name}"
    response, size, sha = _request(client, url, headers, policy, dest, progress, budget, what)
    fetched_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    common = dict(endpoint=endpoint.name, url=url, status=response.status_code,
                  fetched_at=fetched_at, etag=response.headers.get("etag"),
                  last_modified=response.headers.get("last-modified"),
                  content_type=response.headers.get("content-type"),
                  rate_limits=rate_limit_headers(response.headers))
    if response.status_code == 304:
        return Fetched(**common)
    if not 200 <= response.status_code < 300:
        raise FetchError(_status_error(response, what, source, key))
    check_body(dest, endpoint.media, common["content_type"], what)
    return Fetched(**common, path=dest, size=size, sha256=sha)


def _page_url(url: str, page: int) -> str:
    import httpx

    return str(httpx.URL(url).copy_merge_params({"page": page}))


def _fetch_paged(client, source, endpoint, url, dest, policy, key, progress, budget):
    """Every page of a paged JSON endpoint, merged into one document at ``dest``."""
    merged: dict | None = None
    data: list = []
    page, used, last = 1, 0, None
    part = dest + ".page"
    while True:
        single = Endpoint(endpoint.name, url, "json")
        last = _fetch_one(client, source, single, _page_url(url, page), part, policy, key, {},
                          progress, budget - used)
        used += last.size
        with open(part, "rb") as handle:
            body = json.loads(handle.read().decode("utf-8-sig"))
        what = f"{source.name}/{endpoint.name} page {page}"
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise FetchError(f"{what}: a paged answer without a 'data' list")
        info = body.get("pagination") or {}
        if merged is None:
            merged = {k: v for k, v in body.items() if k not in ("data", "pagination")}
        data.extend(body["data"])
        total = info.get("total_pages")
        more = info.get("has_more")
        if more is None:
            more = isinstance(total, int) and page < total
        if not more:
            break
        if page >= MAX_PAGES:
            raise FetchError(f"{what}: more than {MAX_PAGES} pages; stopped")
        page += 1
    os.remove(part)
    merged["data"] = data
    merged["pagination"] = {"page": 1, "total_pages": page, "has_more": False,
                            "pages_fetched": page}
    raw = json.dumps(merged, ensure_ascii=False, sort_keys=True).encode("utf-8")
    with open(dest, "wb") as handle:
        handle.write(raw)
    return Fetched(endpoint=endpoint.name, url=url, status=last.status,
                   fetched_at=last.fetched_at, path=dest, size=len(raw),
                   sha256=hashlib.sha256(raw).hexdigest(), etag=None, last_modified=None,
                   content_type="application/json", rate_limits=last.rate_limits, pages=page)


def fetch(source: Source, endpoint: Endpoint, dest: str, *, url: str | None = None,
          policy: FetchPolicy = FetchPolicy(), key: str | None = None,
          validators: Mapping[str, str | None] | None = None,
          progress: Progress | None = None, client: httpx.Client | None = None) -> Fetched:
    """Download ``endpoint`` of ``source`` into the file ``dest`` (``url`` replaces the
    declared URL, e.g. a mirror); ``validators`` are the ETag / Last-Modified of the last
    good capture. Raises :class:`FetchError` (redacted, one line) on any failure."""
    import httpx

    url = url or endpoint.url
    own = client is None
    if own:
        client = httpx.Client(timeout=policy.timeout, follow_redirects=True)
    try:
        if endpoint.paged:
            got = _fetch_paged(client, source, endpoint, url, dest, policy, key, progress,
                               policy.max_bytes)
        else:
            got = _fetch_one(client, source, endpoint, url, dest, policy, key,
                             dict(validators or {}), progress, policy.max_bytes)
        # whatever the server echoed goes into the capture's metadata without the key
        return replace(got, url=redact(got.url, (key,)), rate_limits={
            k: redact(v, (key,)) for k, v in got.rate_limits.items()})
    except FetchError as exc:
        raise FetchError(redact(str(exc), (key,))) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError,
            ValueError) as exc:  # an invalid URL, a full disk, ...
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FetchError(redact(f"{source.name}/{endpoint.name}: {detail}", (key,))) from None
    finally:
        if own:
            client.close()
