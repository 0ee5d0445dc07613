"""The API on snapshots and diffs: dated data states and what changed between two
(store/snapshots.py, analysis/diff.py)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from ._api_core import Progress, open_warehouse, parse_as_of, parse_open_definition
from .analysis.diff import DataState, DiffResult, DiffSettings, compare_states
from .errors import ConfigError
from .store import Warehouse
from .store.snapshots import (
    SnapshotInfo,
    current_extras,
    fingerprint,
    list_snapshots,
    materialise,
    snapshot_frames,
    take_snapshot,
)
from .types import OpenDefinition

CURRENT = "current"


def snapshots(db: str | None = None) -> pd.DataFrame:
    """Every dated snapshot of the warehouse, oldest first (id = UTC time taken)."""
    with open_warehouse(db) as warehouse:
        return list_snapshots(warehouse).drop(columns="fingerprint")


def snapshot(label: str = "manual", note: str = "", db: str | None = None) -> SnapshotInfo:
    """Take a snapshot of the warehouse's current data now."""
    with open_warehouse(db, write=True) as warehouse:
        return take_snapshot(warehouse, label, note)


def _states(warehouse: Warehouse) -> tuple[pd.DataFrame, bool]:
    """The snapshots (without their sizes), and whether the current data differ from the
    newest one."""
    table = list_snapshots(warehouse, sizes=False)
    differs = table.empty or table["fingerprint"].iloc[-1] != fingerprint(warehouse)
    return table, differs


def _resolve(spec: str, table: pd.DataFrame, differs: bool, what: str) -> str:
    """A state name (snapshot id or ``current``) for an id, a date, a label or 'current'."""
    spec = str(spec).strip()
    if spec == CURRENT:
        return CURRENT if differs or table.empty else table["snapshot_id"].iloc[-1]
    if spec in set(table["snapshot_id"]):
        return spec
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", spec):
        try:
            day = dt.date.fromisoformat(spec)
        except ValueError:
            raise ConfigError(f"{what} '{spec}' is not a date (expected YYYY-MM-DD)") from None
        on = table.loc[pd.to_datetime(table["taken_at"]).dt.date <= day]
        if on.empty:
            first = (f"; the first was taken {table['taken_at'].iloc[0]:%Y-%m-%d}"
                     if len(table) else "")
            raise ConfigError(f"{what} {spec}: no snapshot was taken on or before that date"
                              f"{first} (list them with 'gaplens snapshots')")
        return on["snapshot_id"].iloc[-1]
    labelled = table.loc[table["label"] == spec]
    if len(labelled):
        return labelled["snapshot_id"].iloc[-1]
    raise ConfigError(f"{what} '{spec}' is no snapshot id, date (YYYY-MM-DD), label or "
                      "'current' (list them with 'gaplens snapshots')")


def pick_states(warehouse: Warehouse, from_: str | None, to: str | None) -> tuple[str, str]:
    """The (before, after) state names for ``--from``/``--to``: by default the previous
    snapshot and the newest, or the newest and the current data when they differ from it."""
    table, differs = _states(warehouse)
    order = list(table["snapshot_id"]) + ([CURRENT] if differs else [])
    if len(order) < 2 and not (from_ and to):
        raise ConfigError("only one data state so far (" + (
            f"snapshot {order[0]}" if order and order[0] != CURRENT else "no snapshot yet")
            + "); there is nothing to compare until an update or a new snapshot "
            "('gaplens snapshot')")
    after = _resolve(to, table, differs, "--to") if to else order[-1]
    if from_:
        before = _resolve(from_, table, differs, "--from")
    else:
        at = order.index(after)
        if at == 0:
            raise ConfigError(f"--to {to}: no earlier state to compare it with")
        before = order[at - 1]
    if before == after:
        raise ConfigError(f"--from and --to name the same state ({before}); nothing to compare")
    return before, after


def _state(warehouse: Warehouse, name: str, table: pd.DataFrame) -> DataState:
    if name == CURRENT:
        extras = current_extras(warehouse)
        return DataState.from_warehouse(warehouse, CURRENT, "the current data", None,
                                        extras["unmatched"], extras["sources"])
    row = table.loc[table["snapshot_id"] == name].iloc[0]
    frames = snapshot_frames(warehouse, name)
    with materialise(warehouse, name) as memory:
        return DataState.from_warehouse(memory, name, row["label"],
                                        pd.Timestamp(row["taken_at"]).to_pydatetime(),
                                        frames["unmatched"], frames["sources"])


def diff(
    db: str | None = None,
    from_: str | None = None,
    to: str | None = None,
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    at_before: str | dt.date | None = None,
    at_after: str | dt.date | None = None,
    n_draws: int = 300,
    seed: int = 0,
    min_models: int = 3,
    ci: float = 0.90,
    progress: Progress | None = None,
) -> DiffResult:
    """What changed between two data states and what it did to the gap map.

    ``from_``/``to``: a snapshot id, a date (the newest snapshot taken on or before it), a
    snapshot label (its newest) or ``"current"``. By default: from the previous snapshot
    to the newest, or from the newest to the current data when they differ from it. Each
    map is as of its state's own data date unless ``at_before``/``at_after`` is given.
    """
    settings = DiffSettings(open_definition=parse_open_definition(open_definition),
                            as_of_before=parse_as_of(at_before),
                            as_of_after=parse_as_of(at_after), n_draws=n_draws, seed=seed,
                            min_models=min_models, ci=ci)
    with open_warehouse(db) as warehouse:
        return diff_warehouse(warehouse, from_, to, settings, progress=progress)


def diff_warehouse(warehouse: Warehouse, from_: str | None = None, to: str | None = None,
                   settings: DiffSettings | None = None,
                   progress: Progress | None = None) -> DiffResult:
    """:func:`diff` on an open warehouse (no bundled data are loaded into it)."""
    before, after = pick_states(warehouse, from_, to)
    table = list_snapshots(warehouse, sizes=False)
    a, b = _state(warehouse, before, table), _state(warehouse, after, table)
    return compare_states(a, b, settings or DiffSettings(), progress=progress)


def _since(warehouse: Warehouse, open_definition, n_draws: int, seed: int) -> tuple:
    """(the snapshots, the default diff or None when there is only one data state)."""
    table, differs = _states(warehouse)
    if len(table) + int(differs) < 2:
        return table, None
    settings = DiffSettings(open_definition=parse_open_definition(open_definition),
                            n_draws=n_draws, seed=seed)
    return table, diff_warehouse(warehouse, settings=settings)


def since_last_update(db: str | None = None, open_definition=OpenDefinition.OPEN_WEIGHTS,
                      n_draws: int = 300, seed: int = 0) -> DiffResult | None:
    """The default diff, or None when there is only one data state (no update since the
    bundled data)."""
    with open_warehouse(db) as warehouse:
        return _since(warehouse, open_definition, n_draws, seed)[1]


def since_last_update_text(db: str | None = None,
                           open_definition=OpenDefinition.OPEN_WEIGHTS, n_draws: int = 300,
                           seed: int = 0) -> tuple[str, ...]:
    """The report's "since the last update" section, in sentences (the default diff's, or
    what the snapshots say when there is only one data state)."""
    from .analysis.diff import summary_sentences

    with open_warehouse(db) as warehouse:
        table, result = _since(warehouse, open_definition, n_draws, seed)
    if result is not None:
        return tuple(summary_sentences(result))
    if table.empty:
        return ("No earlier state of the data is recorded (no snapshot yet), so there is "
                "nothing to compare with.",)
    last = table.iloc[-1]
    through = pd.Timestamp(last["data_through"]).date() if pd.notna(last["data_through"]) \
        else "unknown"
    if last["label"] == "bundled" and len(table) == 1:
        return (f"There has been no update since the bundled data (snapshot "
                f"{last['snapshot_id']}, data through {through}); 'gaplens update' fetches "
                "the publishers' current exports.",)
    return (f"The data have not changed since the last snapshot ({last['label']}, "
            f"{last['snapshot_id']}, data through {through}).",)
