"""The warehouse under stress: read-only locations, damaged layouts, a full disk,
interruptions, and one consistent state for a multi-step read."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

import gaplens
from gaplens import api
from gaplens import _api_core
from gaplens.errors import ConfigError, StoreError
from gaplens.store import warehouse as warehouse_module

from conftest import snapshot

SRC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "src")


@pytest.fixture
def unwritable(monkeypatch):
    """Make every writable open fail as it does on a read-only file system (root ignores
    permission bits, so the operating system cannot be asked to refuse here)."""
    real = duckdb.connect

    def connect(path, read_only=False, **kw):
        if not read_only:
            raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Read-only file '
                                     "system")
        return real(path, read_only=read_only, **kw)

    return lambda: monkeypatch.setattr(warehouse_module.duckdb, "connect", connect)


def test_a_read_only_warehouse_serves_reads_and_an_unstored_fit(fitted_copy, unwritable,
                                                               monkeypatch):
    from gaplens._api_index import stored_fit
    from gaplens.analysis import capability

    fitted = stored_fit(fitted_copy)  # stands in for a refit (the fit itself is slow)
    con = duckdb.connect(fitted_copy)
    for (name,) in con.execute("SELECT table_name FROM information_schema.tables "
                               "WHERE table_name LIKE 'fit\\_%' ESCAPE '\\'").fetchall():
        con.execute(f'DROP TABLE "{name}"')
    con.close()
    before = snapshot(fitted_copy)
    monkeypatch.setattr(capability, "fit_index", lambda *a, **k: fitted)
    unwritable()
    assert not gaplens.gap(db=fitted_copy, n_draws=50).table.empty
    table = api.index(db=fitted_copy)
    assert not table.table.empty
    assert any("read-only" in w for w in table.warnings)
    assert snapshot(fitted_copy) == before


def test_an_import_into_a_read_only_warehouse_is_one_line(db, tmp_path, unwritable):
    path = tmp_path / "a.csv"
    path.write_text("model,benchmark,score,release_date,accessibility\n"
                    "A,GPQA diamond,0.5,2025-01-01,API access\n")
    unwritable()
    with pytest.raises(StoreError) as info:
        gaplens.ingest_csv(str(path), db=db)
    assert "cannot be written" in str(info.value) and "\n" not in str(info.value)
    assert "corrupt" not in str(info.value)


@pytest.mark.parametrize("damage", ["DROP TABLE signals", "ALTER TABLE results DROP stderr"])
def test_a_damaged_layout_is_named(db, damage):
    con = duckdb.connect(db)
    con.execute(damage)
    con.close()
    with pytest.raises(StoreError) as info:
        gaplens.gap(db=db, n_draws=20)
    text = str(info.value)
    assert "damaged warehouse" in text
    assert ("'signals'" in text) if "signals" in damage else ("'results.stderr'" in text)


def test_an_empty_db_path_is_refused_not_read_as_the_default():
    with pytest.raises(ConfigError, match="--db is empty"):
        gaplens.gap(db="", n_draws=20)
    with pytest.raises(StoreError, match="empty"):
        warehouse_module.Warehouse("  ")


def test_a_held_state_keeps_other_processes_from_writing(db, tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text("model,benchmark,score,release_date,accessibility\n"
                   "A,GPQA diamond,0.5,2025-01-01,API access\n")
    before = snapshot(db)
    with _api_core.one_state(db):
        run = subprocess.run([sys.executable, "-m", "gaplens", "ingest", "csv", str(csv),
                              "--db", db], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": SRC})
        assert run.returncode == 2
        assert "locked" in run.stderr and "Traceback" not in run.stderr
        # reads inside the block share the held state
        assert not gaplens.models(db=db).empty
    assert snapshot(db) == before


def _tmpfs(path, size: int) -> bool:
    os.makedirs(path, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def test_a_full_disk_fails_in_one_line_and_keeps_the_state(bundled_db, tmp_path):
    mount = tmp_path / "small"
    # room for the warehouse and 2 MiB more: the import below needs several times that
    room = (os.path.getsize(bundled_db) // 4096 + 1) * 4096 + 2 * 1024 * 1024
    if not _tmpfs(mount, room):
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        db = str(mount / "w.duckdb")
        shutil.copyfile(bundled_db, db)
        before = snapshot(db)
        big = tmp_path / "big.csv"
        with open(big, "w") as handle:
            handle.write("model,benchmark,score,release_date,accessibility\n")
            for i in range(60_000):
                handle.write(f"M{i},GPQA diamond,0.{i % 1000:03d},2025-01-01,API access\n")
        run = subprocess.run([sys.executable, "-m", "gaplens", "ingest", "csv", str(big),
                              "--db", db], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": SRC})
        assert run.returncode == 2, run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "no space left" in lines[0], run.stderr
        assert snapshot(db) == before
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def _opened(pid: int, path: str) -> bool:
    """Whether process ``pid`` has ``path`` open (it is past its imports and working)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                return True
        except OSError:
            continue
    return False


def _interrupt_trials(db, command, sig, delays):
    """Run ``command`` and send ``sig`` ``delay`` seconds after it opened the warehouse;
    the warehouse must then hold the state before or the state after, never another. Each
    trial runs on its own copy of ``db`` (a command that finished before the signal must
    not be the next trial's starting state)."""
    before = snapshot(db)
    states = []
    for k, delay in enumerate(delays):
        trial = f"{db}.trial{k}.duckdb"
        shutil.copyfile(db, trial)
        proc = subprocess.Popen([sys.executable, "-m", "gaplens", *command, "--db", trial],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": SRC})
        deadline = time.monotonic() + 60
        while not _opened(proc.pid, os.path.realpath(trial)) and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=120)
        assert "Traceback" not in stderr, stderr
        states.append(snapshot(trial))
    return before, states


def test_kill_or_ctrl_c_during_an_import_leaves_before_or_after(db, tmp_path):
    big = tmp_path / "mid.csv"
    with open(big, "w") as handle:
        handle.write("model,benchmark,score,release_date,accessibility\n")
        for i in range(20_000):
            handle.write(f"K{i},GPQA diamond,0.{i % 1000:03d},2025-01-01,API access\n")
    after_db = str(tmp_path / "after.duckdb")
    shutil.copyfile(db, after_db)
    gaplens.ingest_csv(str(big), db=after_db)
    after = snapshot(after_db)
    seen = []
    for sig in (signal.SIGKILL, signal.SIGINT):
        before, states = _interrupt_trials(db, ["ingest", "csv", str(big)], sig,
                                           [0.0, 0.8])
        for state in states:
            assert state in (before, after)
        seen += states
    assert before != after


def _fit_state(path: str):
    """The stored fit as a fingerprint: each fit table's name, rows and content hash."""
    import pandas as pd

    con = duckdb.connect(path, read_only=True)
    try:
        names = sorted(r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_name LIKE 'fit\\_%' ESCAPE '\\'").fetchall())
        out = []
        for name in names:
            frame = con.execute(f'SELECT * FROM "{name}"').df()
            frame = frame.drop(columns=[c for c in ("created_at",) if c in frame])  # a clock
            out.append((name, len(frame),
                        int(pd.util.hash_pandas_object(frame.astype(str), index=False).sum())))
        return tuple(out)
    finally:
        con.close()


def test_kill_during_a_fit_leaves_the_old_fit_or_the_new_one(fitted_copy, tmp_path):
    """kill -9 at moments spread over a fit (its computation and its write) leaves the
    stored fit as it was before or as the finished fit stores it, never a mix."""
    before, data = _fit_state(fitted_copy), snapshot(fitted_copy)
    after_db = str(tmp_path / "after.duckdb")
    shutil.copyfile(fitted_copy, after_db)
    command = ["fit", "--draws", "10"]
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "gaplens", *command, "--db", after_db],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": SRC})
    assert run.returncode == 0, run.stderr
    took = time.monotonic() - started
    after = _fit_state(after_db)
    assert after != before
    for fraction in (0.6, 0.95):
        proc = subprocess.Popen([sys.executable, "-m", "gaplens", *command, "--db",
                                 fitted_copy], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, "PYTHONPATH": SRC})
        time.sleep(took * fraction)
        proc.kill()
        proc.communicate(timeout=120)
        state = _fit_state(fitted_copy)
        assert state in (before, after)
        assert snapshot(fitted_copy) == data  # a fit never touches the data
