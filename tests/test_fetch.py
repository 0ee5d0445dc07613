"""The fetch layer (ingest/http.py) and raw captures (ingest/captures.py), against a
local server: retries and Retry-After, conditional requests, size limit, body checks,
paged endpoints, keys kept out of every message. No network, no waiting."""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import json
import os
import random
import zipfile

import pytest

from gaplens.errors import FetchError
from gaplens.ingest.captures import CaptureStore
from gaplens.ingest.http import FetchPolicy, check_body, fetch, redact, retry_after
from gaplens.ingest.registry import Endpoint, Source
from httpserver import Reply

KEY = "sk-PLANTED-7f3a9c"


def _source(key_header=None) -> Source:
    return Source(name="demo", title="Demo", homepage="", licence="", attribution="",
                  read=lambda path, ctx: None, key_env="DEMO_KEY" if key_header else None,
                  key_header=key_header)


def _policy(sleeps, **kw) -> FetchPolicy:
    return FetchPolicy(sleep=sleeps.append, **{"retries": 2, "backoff": 0.5, **kw})


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        rng = random.Random(0)  # incompressible, so a cut is a real cut
        archive.writestr("a.csv", "x,y\n" + "".join(f"{rng.random()},{rng.random()}\n"
                                                   for _ in range(2000)))
    return buffer.getvalue()


def test_retry_after_reads_seconds_and_http_dates():
    now = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.timezone.utc)
    assert retry_after("7", now) == 7.0
    later = email.utils.format_datetime(now + dt.timedelta(seconds=30), usegmt=True)
    assert retry_after(later, now) == 30.0
    earlier = email.utils.format_datetime(now - dt.timedelta(seconds=30), usegmt=True)
    assert retry_after(earlier, now) == 0.0
    assert retry_after("soon", now) is None and retry_after(None, now) is None


def test_429_waits_as_told_then_succeeds(local_server, tmp_path):
    body = b'{"data": [1, 2]}'
    local_server.route("/x.json", Reply(429, b"slow down", {"Retry-After": "3"}),
                       Reply(200, body, {"Content-Type": "application/json",
                                         "X-RateLimit-Remaining": "998",
                                         "X-RateLimit-Limit": "1000"}))
    sleeps = []
    got = fetch(_source(), Endpoint("x.json", local_server.base + "/x.json", "json"),
                str(tmp_path / "x.json"), policy=_policy(sleeps))
    assert sleeps == [3.0]  # the server's Retry-After, not the backoff
    assert got.status == 200 and got.size == len(body)
    assert got.rate_limits == {"x-ratelimit-remaining": "998", "x-ratelimit-limit": "1000"}
    assert (tmp_path / "x.json").read_bytes() == body


def test_a_long_retry_after_is_capped(local_server, tmp_path):
    local_server.route("/x.json", Reply(429, b"", {"Retry-After": "86400"}),
                       Reply(200, b"[]", {"Content-Type": "application/json"}))
    sleeps = []
    fetch(_source(), Endpoint("x.json", local_server.base + "/x.json", "json"),
          str(tmp_path / "x.json"), policy=_policy(sleeps, max_wait=5.0))
    assert sleeps == [5.0]


def test_5xx_backs_off_exponentially_then_fails_in_one_line(local_server, tmp_path):
    local_server.route("/x.zip", Reply(503, b"down"))
    sleeps = []
    with pytest.raises(FetchError) as info:
        fetch(_source(), Endpoint("x.zip", local_server.base + "/x.zip", "zip"),
              str(tmp_path / "x.zip"), policy=_policy(sleeps))
    assert sleeps == [0.5, 1.0]  # backoff, doubled; 3 attempts in all
    assert len(local_server.hits("/x.zip")) == 3
    assert str(info.value) == "demo/x.zip: HTTP 503 Service Unavailable"


def test_connection_errors_are_retried_then_reported(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = []
    with pytest.raises(FetchError) as info:
        fetch(_source(), Endpoint("x.zip", f"http://127.0.0.1:{port}/x.zip", "zip"),
              str(tmp_path / "x.zip"), policy=_policy(sleeps))
    assert sleeps == [0.5, 1.0]
    assert "ConnectError after 3 attempts" in str(info.value)
    assert "\n" not in str(info.value)


def test_a_host_that_does_not_resolve_fails_at_once(tmp_path):
    """No DNS answer (no network, or a wrong host) is not retried: waiting cannot help."""
    import httpx

    def refuse(request):
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    sleeps = []
    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(FetchError) as info:
        fetch(_source(), Endpoint("x.zip", "https://data.example.org/x.zip", "zip"),
              str(tmp_path / "x.zip"), policy=_policy(sleeps), client=client)
    assert sleeps == []
    assert "cannot resolve data.example.org (no network, or a wrong host" in str(info.value)
    assert "\n" not in str(info.value)


def test_conditional_request_and_304(local_server, tmp_path):
    local_server.route("/x.zip", Reply(304, b"", {"ETag": '"v1"'}))
    got = fetch(_source(), Endpoint("x.zip", local_server.base + "/x.zip", "zip"),
                str(tmp_path / "x.zip"), policy=_policy([]),
                validators={"etag": '"v1"', "last_modified": "Sun, 29 Nov 2026 10:00:00 GMT"})
    assert got.not_modified and got.path is None
    sent = local_server.hits("/x.zip")[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Sun, 29 Nov 2026 10:00:00 GMT"
    assert not (tmp_path / "x.zip").exists() or (tmp_path / "x.zip").stat().st_size == 0


@pytest.mark.parametrize("length", [None, -1])  # declared, or only seen while streaming
def test_size_limit_stops_the_download(local_server, tmp_path, length):
    body = _zip_bytes()
    local_server.route("/x.zip", Reply(200, body, {"Content-Type": "application/zip"},
                                       length=length))
    with pytest.raises(FetchError, match="size limit"):
        fetch(_source(), Endpoint("x.zip", local_server.base + "/x.zip", "zip"),
              str(tmp_path / "x.zip"), policy=_policy([], max_bytes=len(body) // 2))


def test_progress_reports_bytes(local_server, tmp_path):
    body = b"a,b\n" + b"1,2\n" * 50000
    local_server.route("/x.csv", Reply(200, body, {"Content-Type": "text/csv"}))
    seen = []
    fetch(_source(), Endpoint("x.csv", local_server.base + "/x.csv", "csv"),
          str(tmp_path / "x.csv"), policy=_policy([]),
          progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(body), len(body))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > 1


@pytest.mark.parametrize("media,reply,words", [
    ("zip", Reply(200, b"<!DOCTYPE html><html><body>Not here</body></html>",
                  {"Content-Type": "text/html; charset=utf-8"}),
     "expected zip, got an HTML page (text/html)"),
    ("zip", Reply(200, _zip_bytes()[:20000], {"Content-Type": "application/zip"}),
     "the zip is damaged or cut short"),
    ("zip", Reply(200, b"PK\x03\x04 not really", {"Content-Type": "application/zip"}),
     "the zip is damaged or cut short"),
    ("json", Reply(200, b'{"data": [1, 2', {"Content-Type": "application/json"}),
     "not valid JSON"),
    ("json", Reply(200, b"[" * 200000 + b"]" * 200000, {"Content-Type": "application/json"}),
     "nested too deeply"),
    ("csv", Reply(200, b"  <html><head></head></html>", {"Content-Type": "text/csv"}),
     "got an HTML page"),
    ("csv", Reply(200, b"a,b\n\xff\xfe,1\n", {"Content-Type": "text/csv"}), "not UTF-8"),
    ("parquet", Reply(200, b"PAR1 cut short", {}), "PAR1 at both ends"),
    ("json", Reply(200, b"", {"Content-Type": "application/json"}), "empty body"),
])
def test_unexpected_bodies_are_refused_before_parsing(local_server, tmp_path, media, reply,
                                                      words):
    local_server.route("/x", reply)
    with pytest.raises(FetchError) as info:
        fetch(_source(), Endpoint("x", local_server.base + "/x", media), str(tmp_path / "x"),
              policy=_policy([]))
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_a_body_cut_short_of_its_content_length_is_refused(local_server, tmp_path):
    body = _zip_bytes()
    local_server.route("/x.zip", Reply(200, body[:1000], {"Content-Type": "application/zip"},
                                       length=len(body)))
    with pytest.raises(FetchError):
        fetch(_source(), Endpoint("x.zip", local_server.base + "/x.zip", "zip"),
              str(tmp_path / "x.zip"), policy=_policy([]))


def test_valid_bodies_pass():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for media, body in (("zip", _zip_bytes()), ("json", b'{"a": 1}'),
                            ("csv", "a,b\nÄ,1\n".encode()),
                            ("parquet", b"PAR1" + b"\0" * 16 + b"PAR1")):
            path = os.path.join(folder, media)
            with open(path, "wb") as handle:
                handle.write(body)
            check_body(path, media, None, media)


def test_paged_endpoint_is_merged_into_one_document(local_server, tmp_path):
    def page(n, more):
        return Reply(200, json.dumps({"status": 200, "data": [{"id": f"m{n}a"}, {"id": f"m{n}b"}],
                                      "pagination": {"page": n, "total_pages": 3,
                                                     "has_more": more}}).encode(),
                     {"Content-Type": "application/json"})

    for n in (1, 2, 3):
        local_server.route(f"/api/v2/language/models/free?page={n}", page(n, n < 3))
    source = _source("x-api-key")
    got = fetch(source, Endpoint("free.json", local_server.base + "/api/v2/language/models/free",
                                 "json", paged=True),
                str(tmp_path / "free.json"), policy=_policy([]), key=KEY)
    doc = json.loads((tmp_path / "free.json").read_text())
    assert [d["id"] for d in doc["data"]] == ["m1a", "m1b", "m2a", "m2b", "m3a", "m3b"]
    assert doc["pagination"] == {"page": 1, "total_pages": 3, "has_more": False,
                                 "pages_fetched": 3}
    assert doc["status"] == 200 and got.pages == 3
    assert all(r.headers["x-api-key"] == KEY for r in local_server.requests)


def test_keys_go_in_the_declared_header_and_never_into_errors(local_server, tmp_path):
    local_server.route("/x.json", Reply(401, json.dumps({"error": f"bad key {KEY}"}).encode(),
                                        {"Content-Type": "application/json"}))
    with pytest.raises(FetchError) as info:
        fetch(_source("Authorization"), Endpoint("x.json", local_server.base + "/x.json",
                                                 "json"),
              str(tmp_path / "x.json"), policy=_policy([]), key=KEY)
    assert local_server.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in str(info.value)
    assert str(info.value) == "demo/x.json: HTTP 401 Unauthorized (check the key in DEMO_KEY)"
    # a key in a URL (a mirror given with one) is redacted too
    with pytest.raises(FetchError) as info:
        fetch(_source("x-api-key"), Endpoint("x.json", f"http://[::1{KEY}/x.json", "json"),
              str(tmp_path / "x.json"), policy=_policy([]), key=KEY)
    assert KEY not in str(info.value)
    assert redact(f"a {KEY} b {KEY}", (KEY, None)) == "a *** b ***"


def test_captures_commit_atomically_and_the_pointer_moves_only_when_told(tmp_path):
    store = CaptureStore(str(tmp_path), "demo")
    now = dt.datetime(2026, 11, 30, 1, 2, 3, tzinfo=dt.timezone.utc)
    tmp = store.begin()
    assert os.path.basename(tmp).startswith(".incoming-")
    with open(os.path.join(tmp, "x.json"), "w") as handle:
        handle.write("{}")
    entry = dict(name="x.json", file="x.json", url="http://h/x.json", status=200, sha256="ab",
                 size=2, etag=None, last_modified=None, content_type="application/json",
                 rate_limits={}, pages=1)
    capture = store.commit(tmp, [entry], now)
    assert capture.stamp == "20261130T010203Z" and not os.path.exists(tmp)
    assert capture.read_path() == os.path.join(capture.folder, "x.json")
    assert store.last_good() is None  # not until ingested
    store.set_last_good(capture)
    assert store.last_good().folder == capture.folder
    assert store.checked_at() == now
    # a second capture in the same second gets its own folder
    tmp2 = store.begin()
    second = store.commit(tmp2, [dict(entry, sha256="cd")], now)
    assert second.folder != capture.folder
    assert store.last_good().folder == capture.folder
    # failed downloads are kept with their reason, never pointed to, and pruned
    for _ in range(4):
        store.discard(store.begin(), "demo/x.json: HTTP 500")
    stale, live = store.begin(), store.begin()  # left by a crashed run; one in progress
    os.utime(stale, (0, 0))
    store.prune(keep=3)
    assert not os.path.exists(stale) and os.path.exists(live)
    os.rmdir(live)
    names = sorted(os.listdir(store.dir))
    assert capture.stamp in names and "LAST_GOOD" in names
    assert len([n for n in names if n != "LAST_GOOD"]) == 3
    failed = [n for n in names if n.endswith(".failed")]
    assert failed and open(os.path.join(store.dir, failed[0], "REASON")).read().startswith(
        "demo/x.json: HTTP 500")
