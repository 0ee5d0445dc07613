"""``gaplens update`` against a local server serving each source's real format: what is
stored (captures, provenance), what is skipped, and that every failure leaves the
warehouse file and the last good capture byte for byte as they were. No network."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import shutil
import zipfile

import pytest

from gaplens import api
from gaplens.ingest.bundled import epoch_export_path
from gaplens.ingest.captures import CaptureStore, captures_root
from gaplens.ingest.http import FetchPolicy
from gaplens.ingest.registry import source
from httpserver import Reply

KEY = "aa-PLANTED-KEY-5b1e0d"
EPOCH_PATH = "/epoch.ai/data/benchmark_data.zip"
AA_PATH = "/artificialanalysis.ai/api/v2/data/llms/models"
SMALL = ("epoch_capabilities_index.csv", "gpqa_diamond.csv", "frontiermath.csv")


def epoch_zip(members=None, rename=None) -> bytes:
    """A zip of the bundled Epoch export (flat layout), optionally only some files and
    with a column renamed in the index file."""
    folder = epoch_export_path()
    names = members or sorted(n for n in os.listdir(folder) if n.endswith(".csv"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                text = handle.read()
            if rename and name == "epoch_capabilities_index.csv":
                header, rest = text.split("\n", 1)
                text = header.replace(rename[0], rename[1]) + "\n" + rest
            archive.writestr(name, text)
    return buffer.getvalue()


def zip_reply(body: bytes, etag: str = '"e1"') -> Reply:
    return Reply(200, body, {"Content-Type": "application/zip", "ETag": etag,
                             "Last-Modified": "Sun, 29 Nov 2026 09:00:00 GMT"})


def aa_payload(names=("Kimi K2", "Planted Open Model")) -> bytes:
    models = [{
        "id": f"id-{n}", "name": n, "short_name": n, "release_date": "2026-10-01",
        "reasoning_model": True, "deprecated": False,
        "creator": {"name": "Planted Labs", "slug": "planted", "country": "us"},
        "evaluations": {"artificial_analysis_intelligence_index": 40.0 + i,
                        "artificial_analysis_intelligence_index_is_estimated": False,
                        "gpqa": 0.7, "hle": None},
        "pricing": {"price_1m_blended_3_to_1": 1.25},
        "open_weights": {"is_open_weights": True, "commercial_allowed": True,
                         "license_name": "MIT"},
    } for i, n in enumerate(names)]
    return json.dumps({"meta": {"fetched_at": "2026-11-29T08:00:00+00:00"},
                       "models": models}).encode()


def sha_file(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def sha_tree(folder: str) -> str:
    digest = hashlib.sha256()
    for root, _, files in sorted(os.walk(folder)):
        for name in sorted(files):
            path = os.path.join(root, name)
            digest.update(os.path.relpath(path, folder).encode())
            digest.update(sha_file(path).encode())
    return digest.hexdigest()


def policy(sleeps=None, **kw) -> FetchPolicy:
    return FetchPolicy(sleep=(sleeps if sleeps is not None else []).append,
                       **{"retries": 1, "backoff": 0.01, **kw})


def fresh(name: str):
    """The declaration of ``name`` with no cache lifetime (every run fetches)."""
    return dataclasses.replace(source(name), cache_hours=0.0)


def aa_former():
    """The AA declaration with only its former endpoint (``/api/v2/data/llms/models``), as
    a required one: the key tests below answer on that path."""
    aa = fresh("aa")
    former = [dataclasses.replace(e, optional=False) for e in aa.endpoints
              if e.name == "llms_models.json"]
    return dataclasses.replace(aa, endpoints=tuple(former))


def run(server, db, names=("epoch",), **kw):
    declarations = kw.pop("declarations", None) or [fresh("epoch"), aa_former()]
    return api.update(list(names), db=db, mirror=server.base, policy=kw.pop("policy", policy()),
                      declarations=declarations, environ=kw.pop("environ", {}), **kw)


def one(result, name):
    return next(s for s in result.sources if s.source == name)


@pytest.fixture(scope="module")
def _small_epoch_template(bundled_db, tmp_path_factory):
    """A warehouse with a last good Epoch capture (a three-file export), made once."""
    from httpserver import LocalServer

    folder = tmp_path_factory.mktemp("small-epoch")
    path = str(folder / "warehouse.duckdb")
    shutil.copyfile(bundled_db, path)
    with LocalServer() as server:
        server.route(EPOCH_PATH, zip_reply(epoch_zip(SMALL)))
        result = run(server, path)
    assert one(result, "epoch").status.value == "updated", result.table.to_dict("records")
    return str(folder)


@pytest.fixture
def small_epoch_db(_small_epoch_template, tmp_path) -> str:
    """A private copy of that warehouse and its captures folder."""
    folder = tmp_path / "data"
    shutil.copytree(_small_epoch_template, folder)
    return str(folder / "warehouse.duckdb")


def test_epoch_zip_is_captured_ingested_and_then_unchanged(db, local_server):
    body = epoch_zip()  # the whole bundled export, as Epoch publishes it
    local_server.route(EPOCH_PATH, zip_reply(body))
    before = len(api.sources(db=db))
    result = api.update(["epoch"], db=db, mirror=local_server.base, policy=policy(),
                        environ={})
    epoch = one(result, "epoch")
    assert epoch.status.value == "updated" and not result.failed
    assert epoch.added == 0 and epoch.changed == 0  # the same content as the bundled copy
    assert epoch.sha256 == hashlib.sha256(body).hexdigest() and epoch.size == len(body)
    assert epoch.reason == f"fetched {len(body):,} bytes into capture " \
        f"{os.path.basename(epoch.capture)}"

    # the capture: the body under its endpoint name, capture.json, and LAST_GOOD on it
    root = captures_root(db)
    store = CaptureStore(root, "epoch")
    good = store.last_good()
    assert good.folder == epoch.capture and os.path.dirname(good.folder) == store.dir
    assert sorted(os.listdir(good.folder)) == ["benchmark_data.zip", "capture.json"]
    meta = json.load(open(os.path.join(good.folder, "capture.json")))
    assert meta["url"] == local_server.base + EPOCH_PATH
    assert meta["status"] == 200 and meta["size"] == len(body)
    assert meta["sha256"] == sha_file(os.path.join(good.folder, "benchmark_data.zip"))
    entry = meta["endpoints"][0]
    assert entry["etag"] == '"e1"' and entry["content_type"] == "application/zip"
    assert entry["last_modified"] == "Sun, 29 Nov 2026 09:00:00 GMT"

    # provenance in the warehouse: origin, URL, fetch time, the publisher's date
    sources = api.sources(db=db)
    assert len(sources) == before + 1
    row = sources.iloc[-1]
    assert row["kind"] == "epoch" and row["origin"] == "update"
    assert row["url"] == local_server.base + EPOCH_PATH
    assert str(row["published_on"])[:10] == "2026-11-29"
    assert row["fetched_at"].strftime("%Y-%m-%dT%H:%M:%SZ") == meta["fetched_at"]
    assert str(row["retrieved_on"])[:10] == meta["fetched_at"][:10]

    # within the cache lifetime: skipped, no request
    hits = len(local_server.requests)
    again = api.update(["epoch"], db=db, mirror=local_server.base, policy=policy(), environ={})
    assert one(again, "epoch").status.value == "skipped"
    assert "fresh for 24 h" in one(again, "epoch").reason
    assert len(local_server.requests) == hits

    # past it: a conditional request; 304 is unchanged and nothing is ingested
    local_server.route(EPOCH_PATH, Reply(304, b"", {"ETag": '"e1"'}))
    result = run(local_server, db)
    assert one(result, "epoch").status.value == "unchanged"
    assert local_server.requests[-1].headers["if-none-match"] == '"e1"'
    # --force: no conditional headers; the same bytes again are unchanged too
    local_server.route(EPOCH_PATH, zip_reply(body, etag='"e2"'))
    result = run(local_server, db, force=True)
    assert one(result, "epoch").status.value == "unchanged"
    assert one(result, "epoch").reason == "same sha256 as the last capture"
    assert "if-none-match" not in local_server.requests[-1].headers
    assert len(api.sources(db=db)) == before + 1
    assert sorted(n for n in os.listdir(store.dir) if not n.startswith(".")) == \
        sorted([good.stamp, "LAST_GOOD"])


FAILURES = {
    "401": (Reply(401, b'{"error": "unauthorized"}', {"Content-Type": "application/json"}),
            "HTTP 401 Unauthorized"),
    "429": (Reply(429, b"", {"Retry-After": "2"}), "HTTP 429 Too Many Requests (rate limited"),
    "500": (Reply(500, b"oops"), "HTTP 500 Internal Server Error"),
    "truncated zip": (Reply(200, epoch_zip(SMALL)[:9000], {"Content-Type": "application/zip"}),
                      "the zip is damaged or cut short"),
    "html page": (Reply(200, b"<!doctype html><html><title>Page not found</title></html>",
                        {"Content-Type": "text/html"}), "expected zip, got an HTML page"),
    "renamed column": (zip_reply(epoch_zip(SMALL, rename=("Model accessibility",
                                                           "Accessibility")), etag='"e9"'),
                       "missing required column 'Model accessibility'"),
    "size limit": (zip_reply(epoch_zip(), etag='"e8"'), "past the size limit"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failure_leaves_warehouse_and_last_good_capture_unchanged(small_epoch_db,
                                                                   local_server, case):
    db = small_epoch_db
    store = CaptureStore(captures_root(db), "epoch")
    good = store.last_good()
    pointer = open(os.path.join(store.dir, "LAST_GOOD")).read()
    before = (sha_file(db), sha_tree(good.folder))
    reply, words = FAILURES[case]
    local_server.route(EPOCH_PATH, reply)
    limit = dict(max_bytes=len(epoch_zip(SMALL)) + 10) if case == "size limit" else {}
    sleeps = []
    result = run(local_server, db, policy=policy(sleeps, **limit))
    epoch = one(result, "epoch")
    assert epoch.status.value == "failed" and result.failed
    assert words in epoch.reason and "\n" not in epoch.reason
    assert (sha_file(db), sha_tree(good.folder)) == before
    assert open(os.path.join(store.dir, "LAST_GOOD")).read() == pointer
    assert store.last_good().folder == good.folder
    if case == "429":
        assert sleeps == [2.0]  # Retry-After honoured before the retry
    # what failed is kept for diagnosis, with its reason, beside the good capture
    kept = [f for f in store.folders() if f != good.folder]
    assert len(kept) == 1
    assert words in open(os.path.join(kept[0], "REASON")).read()


def test_429_with_retry_after_then_success_updates(small_epoch_db, local_server):
    local_server.route(EPOCH_PATH, Reply(429, b"", {"Retry-After": "4"}),
                       zip_reply(epoch_zip(SMALL[:2]), etag='"e3"'))
    sleeps = []
    result = run(local_server, small_epoch_db, policy=policy(sleeps))
    assert one(result, "epoch").status.value == "updated"
    assert sleeps == [4.0]


def test_keys_skip_fetch_and_never_reach_any_written_file(small_epoch_db, local_server,
                                                         tmp_path):
    db = small_epoch_db
    # without the key: skipped, naming the variable; no request made
    hits = len(local_server.requests)
    result = run(local_server, db, names=("aa",))
    assert one(result, "aa").status.value == "skipped"
    assert one(result, "aa").reason == "no key: set ARTIFICIAL_ANALYSIS_API_KEY"
    assert len(local_server.requests) == hits

    env = {"ARTIFICIAL_ANALYSIS_API_KEY": KEY}
    local_server.route(AA_PATH, Reply(200, aa_payload(), {
        "Content-Type": "application/json", "X-RateLimit-Remaining": "999",
        "X-RateLimit-Reset": "3600", "X-RateLimit-Echo": KEY}))
    result = run(local_server, db, names=("aa",), environ=env)
    aa = one(result, "aa")
    assert aa.status.value == "updated", aa.reason
    assert local_server.requests[-1].headers["x-api-key"] == KEY
    assert aa.rate_limits == {"x-ratelimit-remaining": "999", "x-ratelimit-reset": "3600",
                              "x-ratelimit-echo": "***"}  # an echoed key is not kept
    models = api.models(db=db)
    assert "Planted Open Model" in set(models["model_id"])

    # a refused key: failed, one line naming the variable, and no key in it
    local_server.route(AA_PATH, Reply(401, json.dumps({"detail": f"bad {KEY}"}).encode(),
                                      {"Content-Type": "application/json"}))
    result = run(local_server, db, names=("aa",), environ=env)
    assert one(result, "aa").reason == ("aa/llms_models.json: HTTP 401 Unauthorized (check the key "
                                        "in ARTIFICIAL_ANALYSIS_API_KEY)")
    # malformed JSON: refused before the reader sees it
    local_server.route(AA_PATH, Reply(200, b'{"models": [', {"Content-Type": "application/json"}))
    result = run(local_server, db, names=("aa",), environ=env)
    assert "not valid JSON" in one(result, "aa").reason
    # the key is in no file gaplens wrote: the warehouse, captures, pointers, reasons
    folder = os.path.dirname(db)
    for root, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                assert KEY.encode() not in handle.read(), os.path.join(root, name)
    assert all(KEY not in s.reason for s in result.sources)
    assert KEY not in result.table.to_csv()


def test_the_free_aa_endpoint_is_fetched_page_by_page_and_read(small_epoch_db, local_server):
    """The current AA endpoint, in its real format (tests/fixtures/sources/aa), split over
    two pages; the former endpoint is gone (404) and optional."""
    fixture = os.path.join(os.path.dirname(__file__), "fixtures", "sources", "aa",
                           "language_models_free.json")
    with open(fixture, encoding="utf-8") as handle:
        doc = json.load(handle)
    free = "/artificialanalysis.ai/api/v2/language/models/free"
    pages = []
    for page, rows in ((1, doc["data"][:3]), (2, doc["data"][3:])):
        body = {**doc, "data": rows, "pagination": {"page": page, "page_size": 3,
                                                     "total_pages": 2, "has_more": page == 1}}
        pages.append(Reply(200, json.dumps(body).encode(),
                           {"Content-Type": "application/json"}))
    local_server.route(free + "?page=1", pages[0])
    local_server.route(free + "?page=2", pages[1])
    local_server.route(free, pages[0])
    result = run(local_server, small_epoch_db, names=("aa",), declarations=[fresh("aa")],
                 environ={"ARTIFICIAL_ANALYSIS_API_KEY": KEY})
    aa = one(result, "aa")
    assert aa.status.value == "updated", aa.reason
    assert len(local_server.hits(free)) == 2
    rows = api.sources(db=small_epoch_db)
    assert rows.iloc[-1]["kind"] == "aa" and rows.iloc[-1]["origin"] == "update"


def test_one_failure_does_not_stop_the_others(small_epoch_db, local_server):
    local_server.route(EPOCH_PATH, Reply(500, b""))
    local_server.route(AA_PATH, Reply(200, aa_payload(("Other Planted",)),
                                      {"Content-Type": "application/json"}))
    result = run(local_server, small_epoch_db, names=("epoch", "aa"),
                 environ={"ARTIFICIAL_ANALYSIS_API_KEY": KEY})
    assert [s.status.value for s in result.sources] == ["failed", "updated"]


def test_offline_reingests_the_last_good_capture_without_the_network(small_epoch_db,
                                                                     local_server):
    db = small_epoch_db
    hits = len(local_server.requests)
    before = len(api.sources(db=db))
    result = run(local_server, db, names=("epoch", "aa"), offline=True)
    epoch, aa = one(result, "epoch"), one(result, "aa")
    assert epoch.status.value == "updated" and epoch.reason.startswith("re-ingested")
    assert aa.status.value == "skipped" and "no capture" in aa.reason
    assert len(local_server.requests) == hits
    row = api.sources(db=db).iloc[-1]
    assert len(api.sources(db=db)) == before + 1 and row["origin"] == "update"
    good = CaptureStore(captures_root(db), "epoch").last_good()
    assert row["url"] == good.meta["url"] and row["url"].endswith(EPOCH_PATH)
    assert row["fetched_at"].strftime("%Y-%m-%dT%H:%M:%SZ") == good.meta["fetched_at"]


def test_sources_without_a_download_are_skipped(db, local_server):
    bare = dataclasses.replace(source("epoch"), name="nodl", endpoints=())
    result = api.update(db=db, declarations=[bare], environ={})
    assert one(result, "nodl").status.value == "skipped"
    assert one(result, "nodl").reason == "no download declared"
    with pytest.raises(Exception, match="unknown source 'nope'"):
        api.update(["nope"], db=db, declarations=[bare])


def test_old_captures_are_pruned(small_epoch_db, local_server):
    store = CaptureStore(captures_root(small_epoch_db), "epoch")
    good = store.last_good()
    local_server.route(EPOCH_PATH, Reply(500, b""))
    for _ in range(4):
        run(local_server, small_epoch_db, keep=3)
    folders = store.folders()
    assert len(folders) == 3 and good.folder in folders


def test_cli_update_table_fits_80_columns_and_exits_2_on_failure(small_epoch_db,
                                                                 local_server, capsys,
                                                                 monkeypatch):
    from gaplens._cli import main as cli_main

    monkeypatch.setattr(cli_main.out, "_width", 80, raising=False)
    monkeypatch.delenv("ARTIFICIAL_ANALYSIS_API_KEY", raising=False)
    local_server.route(EPOCH_PATH, Reply(200, b"<html>moved to a new very long address "
                                         b"somewhere else</html>", {"Content-Type": "text/html"}))
    code = cli_main.main(["update", "epoch", "aa", "livebench", "--force", "--db",
                          small_epoch_db, "--mirror", local_server.base])
    out = capsys.readouterr().out
    assert code == 2
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "failed" in out and "expected zip" in out
    assert "ARTIFICIAL_ANALYSIS_API_KEY" in out and "livebench" in out and "404" in out

    code = cli_main.main(["update", "epoch", "--offline", "--db", small_epoch_db,
                          "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["schema"] == "gaplens.update/1"
    assert [(r["source"], r["status"]) for r in doc["sources"]] == [("epoch", "updated")]


def test_download_bars_draw_on_a_terminal(monkeypatch):
    from rich.console import Console

    from gaplens._cli import update_cmds

    sink = io.StringIO()
    monkeypatch.setattr(update_cmds, "err", Console(file=sink, force_terminal=True, width=80))
    with update_cmds.download_bars(True) as progress:
        progress("epoch benchmark_data.zip", 512, 2048)
        progress("epoch benchmark_data.zip", 2048, 2048)
        progress("aa models.json", 10, 0)  # no Content-Length: an open-ended bar
    assert "epoch benchmark_data.zip" in sink.getvalue()
    with update_cmds.download_bars(False) as progress:  # JSON mode: none
        assert progress is None


def _two_endpoint_source(server, seen):
    """A source with two endpoints (one optional) whose reader records what it was given."""
    from gaplens.ingest.batch import IngestBatch, SourceInfo
    from gaplens.ingest.registry import Endpoint, Source

    def read(path, ctx):
        seen.append((path, sorted(os.listdir(path)),
                     open(os.path.join(path, "a.json")).read()))
        return IngestBatch(source=SourceInfo(kind="two", path=path, sha256="x",
                                             retrieved_on=ctx.retrieved_on))

    return Source(name="two", title="Two files", homepage="", licence="", attribution="",
                  read=read, cache_hours=0.0,
                  endpoints=(Endpoint("a.json", "http://pub.example/a.json", "json"),
                             Endpoint("b.csv", "http://pub.example/b.csv", "csv"),
                             Endpoint("c.csv", "http://pub.example/c.csv", "csv",
                                      optional=True)))


def test_several_endpoints_one_capture_folder_and_per_endpoint_304(db, local_server):
    seen = []
    two = _two_endpoint_source(local_server, seen)
    a = Reply(200, b'{"v": 1}', {"Content-Type": "application/json", "ETag": '"a1"'})
    local_server.route("/pub.example/a.json", a)
    local_server.route("/pub.example/b.csv", Reply(200, b"x,y\n1,2\n",
                                                   {"Content-Type": "text/csv"}))
    # c.csv is optional and missing (404 HTML page): the capture goes on without it
    result = api.update(db=db, declarations=[two], mirror=local_server.base, policy=policy(),
                        environ={})
    assert one(result, "two").status.value == "updated", one(result, "two").reason
    folder = seen[-1][0]
    assert seen[-1][1] == ["a.json", "b.csv", "capture.json"]
    assert api.sources(db=db).iloc[-1]["kind"] == "two"

    # a.json unchanged (304), b.csv changed: a new capture holding the kept a.json
    local_server.route("/pub.example/a.json", Reply(304, b"", {"ETag": '"a1"'}))
    local_server.route("/pub.example/b.csv", Reply(200, b"x,y\n1,3\n",
                                                   {"Content-Type": "text/csv"}))
    result = api.update(db=db, declarations=[two], mirror=local_server.base, policy=policy(),
                        environ={})
    assert one(result, "two").status.value == "updated"
    assert seen[-1][0] != folder and seen[-1][2] == '{"v": 1}'
    sent = [r for r in local_server.requests if r.path.endswith("a.json")][-1].headers
    assert sent["if-none-match"] == '"a1"'
    meta = json.load(open(os.path.join(seen[-1][0], "capture.json")))
    assert [e["status"] for e in meta["endpoints"]] == [304, 200]

    # both 304: unchanged, no new capture, reader not called
    local_server.route("/pub.example/b.csv", Reply(304, b""))
    n = len(seen)
    result = api.update(db=db, declarations=[two], mirror=local_server.base, policy=policy(),
                        environ={})
    assert one(result, "two").status.value == "unchanged" and len(seen) == n
    assert one(result, "two").reason == "304 Not Modified"


def test_bundled_sources_are_dated_by_their_copy_not_their_load(bundled_db):
    from gaplens.ingest.registry import sources as declared

    frame = api.sources(db=bundled_db)
    bundled = frame.loc[frame["origin"] == "bundled"]
    assert set(bundled["kind"]) == {"epoch", "aa", "lmarena", "livebench", "openrouter"}
    published = {s.name: s.bundled_published for s in declared()}
    for row in bundled.itertuples():
        assert str(row.published_on)[:10] == str(published[row.kind])
    retrieved = {(r.kind, os.path.basename(r.path)): str(r.retrieved_on)[:10]
                 for r in bundled.itertuples()}
    assert retrieved == {  # the copy dates of each PROVENANCE.md
        ("epoch", "epoch_benchmarking_hub"): "2026-04-19",
        ("aa", "aa_llms_weekly_flat.csv"): "2026-07-10",
        ("lmarena", "lmarena_text_leaderboard_history.csv"): "2025-08-06",
        ("lmarena", "arena_ai_leaderboards_daily_2026.csv"): "2026-04-19",
        ("livebench", "livebench"): "2026-07-01",
        ("openrouter", "openrouter_weekly_top_models.csv"): "2026-05-11",
    }
    assert frame.loc[frame["kind"] == "overrides", "origin"].tolist() == ["file"]


def test_an_update_is_a_snapshot_and_diff_names_what_it_changed(small_epoch_db, local_server):
    """Epoch republishes one GPQA diamond score: the update replaces it (the publisher owns
    its rows whatever file they came from), takes a snapshot, and the diff names it."""
    folder = epoch_export_path()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in SMALL:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                text = handle.read()
            if name == "gpqa_diamond.csv":
                text = text.replace("gpt-5.4-mini-2026-03-17_high,0.8358585858585859,"
                                    "0.8358585858585859", "gpt-5.4-mini-2026-03-17_high,0.9,0.9",
                                    1)
            archive.writestr(name, text)
    local_server.route(EPOCH_PATH, zip_reply(buffer.getvalue(), etag='"planted"'))
    before = api.snapshots(db=small_epoch_db)
    result = run(local_server, small_epoch_db)
    assert one(result, "epoch").status.value == "updated"
    after = api.snapshots(db=small_epoch_db)
    assert len(after) == len(before) + 1 and after["label"].iloc[-1] == "update"
    change = api.diff(db=small_epoch_db, n_draws=50)
    scores = change.scores
    row = scores[scores["benchmark"] == "GPQA diamond"]
    assert len(row) == 1 and row["change"].iloc[0] == "changed"
    # raw 0.8359 -> 0.9; normalised on 0-100 with GPQA's baseline 0.25: (0.9 - 0.25) / 0.75
    assert row["raw_score_after"].iloc[0] == pytest.approx(0.9)
    assert row["score_after"].iloc[0] == pytest.approx(100 * 0.65 / 0.75)
    assert row["delta"].iloc[0] == pytest.approx(100 * (0.9 - 0.8358585858585859) / 0.75)
    assert len(change.models) == 0 and len(change.accessibility) == 0
