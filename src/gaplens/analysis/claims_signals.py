"""Claims 3-5 of the debate, read from the lifecycle, real-world and over-fitting results.

Each function takes a finished result (or None), returns a :class:`~.claims.Claim` and never
raises: missing or thin input gives the ``not_enough_data`` form with the reason.

3. ``focus_shift`` (:func:`focus_claim`): "the focus of benchmarking shifts every 12-18
   months". Estimate: the mean interval between focus shifts with its bootstrap interval
   [lo, hi] (:class:`~.focus.ShiftInterval`, months). With the claim's window C = [12, 18]
   and a plausible window P = [9, 24] (a quarter of a year either side):

       supported      lo >= 9 and hi <= 24 and [lo, hi] overlaps [12, 18]
       not_supported  [lo, hi] misses [12, 18] entirely (hi < 12 or lo > 18)
       mixed          otherwise (the interval overlaps the claim but reaches past P:
                      the data allow much shorter or much longer intervals too)

   The current phase is the focus domain of the last quarter and the quarter its run
   began; a domain leading the last quarter(s) without two complete quarters is named as
   pending, and a partial last quarter is said to be partial.

4. ``use_vs_benchmarks`` (:func:`use_claim`): "benchmarks and real-world use part ways".
   Per usage signal (``RealWorld.usage``: OpenRouter token shares, LMArena arenas) the
   rank correlation rho with the general index and its 90 % interval; benchmarks
   *predict* a signal when the interval lies above 0. Per signal, the models furthest
   below and above the rank their index standing predicts; *far* models lie outside the
   residual's 90 % prediction band and a quarter of the field away
   (:func:`~.realworld.usage_alignment`).

       supported      benchmark standing does not predict at least one usage signal
       mixed          it predicts every signal, but at least one model sits far off
       not_supported  it predicts every signal and no model sits far off

   Estimate: rho of the signal benchmarks predict least (lowest rho), with its interval.

5. ``lab_focus`` (:func:`lab_claim`): "some labs focus more on benchmarks (leading Chinese
   open labs against US closed labs)". Per split of the over-fitting analysis
   (:mod:`.overfit`; delta = index on benchmarks a lab could not tune for minus the rest)
   and per country, organization and open/closed x country group: the group's mean delta
   with its interval, the permutation p-value of its difference from the other models and
   that p-value adjusted (Holm) over the split's groups. A group reads *consistent with*
   a benchmark focus when p_adjusted < 0.05 and the group's delta is below the other
   models' (vs_rest < 0); else *not detected*. Chinese groups: the country China, open
   models from China, and organizations all of whose models in the split are from China.
   US closed labs: the closed models from the United States (else all US models).

       supported      a Chinese group reads "consistent with" in a split where its mean
                      delta lies below that of the US closed labs
       not_supported  no group reads "consistent with" in any split
       mixed          otherwise (a signal, but not Chinese, or not larger than the US
                      closed labs', or no US closed group to compare with)

   Estimate: the mean delta (index points) of the Chinese group behind the verdict (the
   most significant one), else of the most significant group.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .claims import Claim, not_enough
from .focus import FIELD_CLAIM_MONTHS
from .overfit import GROUP_COLUMNS
from .realworld import USAGE_COLUMNS

PLAUSIBLE_MONTHS = (9.0, 24.0)
ALPHA = 0.05
CHINA = "China"
USA = "United States of America"

FOCUS_TITLE = "The focus of benchmarking shifts every 12-18 months"
FOCUS_STATEMENT = ("The focus of evaluation moves every 12-18 months (chat, then maths, then "
                   "code and agents, then professional knowledge work).")
USE_TITLE = "Benchmarks and real-world use part ways"
USE_STATEMENT = ("Models that top the benchmarks are not necessarily the ones people use "
                 "(Gemini 3: top benchmarks, little agent use).")
LAB_TITLE = "Some labs focus more on benchmarks"
LAB_STATEMENT = ("Some labs, the leading Chinese open labs more than the US closed labs, tune "
                 "for the benchmarks everyone reports.")

FOCUS_EVIDENCE = ["quarter", "focus_domain", "shift", "partial"]
USE_EVIDENCE = ["signal", "signal_label", "model_id", "display_name", "expected", "observed",
                "residual", "direction", "rho", "rho_ci_low", "rho_ci_high", "predicts"]
LAB_EVIDENCE = ["split", "grouping", "group", "n_models", "estimate", "ci_low", "ci_high",
                "p_value", "p_adjusted", "reading"]


def _missing(frame, columns) -> bool:
    return not isinstance(frame, pd.DataFrame) or any(c not in frame for c in columns)


def _finite(*values) -> bool:
    return all(v is not None and isinstance(v, (int, float, np.number)) and math.isfinite(v)
               for v in values)


def _date(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _num(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}".replace("-", "\u2212")


def _signed(x: float, digits: int = 1) -> str:
    return ("+" if round(x, digits) > 0 else "") + _num(x, digits)


def _ordinal(n: float) -> str:
    k = int(round(n))
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _join(items: list[str], word: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} {items[-1]}"


# --- 3. the focus of benchmarking -------------------------------------------------------------

def _label(domain, labels: Mapping[str, str] | None) -> str | None:
    if domain is None or (isinstance(domain, float) and math.isnan(domain)):
        return None
    return (labels or {}).get(domain, str(domain).replace("_", " "))


def focus_verdict(low: float, high: float) -> str:
    """The verdict of claim 3 on the interval [low, high] of the months between shifts."""
    lo, hi = FIELD_CLAIM_MONTHS
    if high < lo or low > hi:
        return "not_supported"
    if PLAUSIBLE_MONTHS[0] <= low and high <= PLAUSIBLE_MONTHS[1]:
        return "supported"
    return "mixed"


def domain_labels(domains) -> dict[str, str]:
    """Domain key -> its label (the warehouse's domain table), for :func:`focus_claim`."""
    if domains is None or "label" not in domains.columns:
        return {}
    return {k: str(v) for k, v in zip(domains["domain"], domains["label"]) if pd.notna(v)}


def focus_claim(lifecycle, as_of: dt.date | None, *,
                labels: Mapping[str, str] | None = None) -> Claim:
    """Claim 3 from a :class:`~.lifecycle.LifecycleResult` (None: not enough data).
    ``labels`` maps domain keys to their labels (default: the key, underscores as
    spaces)."""
    def thin(reason: str) -> Claim:
        return not_enough("focus_shift", FOCUS_TITLE, FOCUS_STATEMENT, as_of, reason)

    if lifecycle is None:
        return thin("no benchmark lifecycle was computed")
    try:
        focus, iv = lifecycle.focus, lifecycle.interval
        as_of = as_of or lifecycle.settings.as_of
    except AttributeError:
        return thin("the lifecycle result has no focus series")
    if focus is None or len(focus) == 0 or _missing(focus, ["quarter", "focus", "shift"]):
        return thin("no quarter has a focus domain")
    if iv is None:
        return thin("the lifecycle result has no interval between shifts")
    partial = (focus["partial"].astype(bool) if "partial" in focus
               else pd.Series(False, index=focus.index))
    evidence = pd.DataFrame({
        "quarter": focus["quarter"].astype(str),
        "focus_domain": [_label(d, labels) for d in focus["focus"]],
        "shift": focus["shift"].astype(bool), "partial": partial,
        "raw_focus_domain": [_label(d, labels) for d in focus.get("raw_focus", focus["focus"])],
        "focus_key": focus["focus"]})
    n_q = len(focus)
    if not _finite(iv.estimate_months, iv.ci_low, iv.ci_high):
        return Claim(key="focus_shift", title=FOCUS_TITLE, statement=FOCUS_STATEMENT,
                     verdict="not_enough_data",
                     sentence=(f"Not enough data to test this: {iv.n_shifts} focus shift(s) in "
                               f"{n_q} quarters, and an interval between shifts needs two."
                               + _phase(evidence, as_of)),
                     as_of=as_of, evidence=evidence, notes=tuple(lifecycle.notes))
    est, low, high = float(iv.estimate_months), float(iv.ci_low), float(iv.ci_high)
    low, high = min(low, est), max(high, est)
    verdict = focus_verdict(low, high)
    lo, hi = FIELD_CLAIM_MONTHS
    reading = {"supported": f"consistent with the claimed {lo:.0f}-{hi:.0f} months",
               "not_supported": f"outside the claimed {lo:.0f}-{hi:.0f} months",
               "mixed": (f"the interval overlaps the claimed {lo:.0f}-{hi:.0f} months but also "
                         f"allows intervals outside {PLAUSIBLE_MONTHS[0]:.0f}-"
                         f"{PLAUSIBLE_MONTHS[1]:.0f} months")}[verdict]
    sentence = (f"The focus of benchmarking (the domain whose still-discriminating "
                f"benchmarks spread the top models most) shifted {iv.n_shifts} times in "
                f"{n_q} quarters, every {_num(est)} months on average "
                f"(90% interval [{_num(low)}, {_num(high)}]): {reading}."
                + _phase(evidence, as_of))
    notes = [f"{iv.n_intervals} interval(s) between shifts; {iv.failed_draws} of {iv.draws} "
             "bootstrap draws had fewer than two shifts"] + list(lifecycle.notes)
    if iv.thin:
        notes.insert(0, "thin: few shifts, read the interval as indicative")
    return Claim(key="focus_shift", title=FOCUS_TITLE, statement=FOCUS_STATEMENT,
                 verdict=verdict, sentence=sentence, as_of=as_of, estimate=est, ci_low=low,
                 ci_high=high, unit="months", evidence=evidence, notes=tuple(notes))


def _phase(evidence: pd.DataFrame, as_of) -> str:
    """The current phase: the focus domain of the last quarter and since when, a pending
    leader, and whether the last quarter is partial."""
    last = evidence.iloc[-1]
    if last["focus_key"] is None or (isinstance(last["focus_key"], float)
                                     and math.isnan(last["focus_key"])):
        return " No focus domain holds yet."
    same = (evidence["focus_key"] == last["focus_key"]).to_numpy()
    start = len(same) - 1
    while start > 0 and same[start - 1]:
        start -= 1
    text = (f" Current phase: {last['focus_domain']} since "
            f"{evidence.iloc[start]['quarter']}")
    raw = evidence["raw_focus_domain"].to_numpy()
    if raw[-1] is not None and raw[-1] != last["focus_domain"]:
        lead = len(raw) - 1
        while lead > 0 and raw[lead - 1] == raw[-1]:
            lead -= 1
        text += (f"; {raw[-1]} has led since {evidence.iloc[lead]['quarter']}, not yet two "
                 "complete quarters")
    if bool(last["partial"]):
        text += f" ({last['quarter']} is partial, through {_date(as_of)})"
    return text + "."


# --- 4. benchmarks and real-world use -------------------------------------------------------

def use_claim(realworld, as_of: dt.date | None) -> Claim:
    """Claim 4 from a :class:`~.realworld.RealWorld` with its ``usage`` table (None or no
    usage signal: not enough data)."""
    def thin(reason: str) -> Claim:
        return not_enough("use_vs_benchmarks", USE_TITLE, USE_STATEMENT, as_of, reason)

    usage = getattr(realworld, "usage", None) if realworld is not None else None
    if usage is None or len(usage) == 0 or _missing(usage, USAGE_COLUMNS):
        return thin("no usage signal (OpenRouter, LMArena) ranks enough models that are on "
                    "the capability index")
    usage = usage.dropna(subset=["residual", "rho"])
    if usage.empty:
        return thin("no usage signal has a rank correlation with the index")
    # Each signal's rows (positions in ``usage``), the signals in their first appearance.
    codes, names = pd.factorize(usage["signal"])
    rows_of = [np.flatnonzero(codes == code) for code in range(len(names))]
    signals = _per_signal(usage, names, rows_of)
    signals["predicts"] = signals["predicts"].astype(bool) & signals["low"].notna()
    # and by residual (in the order of sort_values("residual"))
    residual = usage["residual"].to_numpy(dtype=float)
    far_of = usage["far"].astype(bool).to_numpy() if "far" in usage else None
    by_residual = []  # per signal code
    picked, extreme = [], []
    for at in rows_of:
        at = at[residual[at].argsort(kind="quicksort")]
        by_residual.append(at)
        # the lowest, the highest and every far one, each once, in that order
        chosen = [at[0], at[-1]] + (list(at[far_of[at]]) if far_of is not None else [])
        chosen = list(dict.fromkeys(chosen))
        picked += chosen
        extreme += [p in (at[0], at[-1]) for p in chosen]
    evidence = usage.take(picked).reset_index(drop=True)
    evidence["extreme"] = np.array(extreme, dtype=bool)
    evidence["predicts"] = evidence["signal"].map(signals.set_index("signal")["predicts"])
    front = [c for c in USE_EVIDENCE if c in evidence]
    evidence = evidence[front + [c for c in evidence.columns if c not in front]]

    not_predicted = signals.loc[~signals["predicts"]]
    far = usage.loc[usage["far"].astype(bool)] if "far" in usage else usage.iloc[:0]
    if len(not_predicted):
        verdict = "supported"
    elif len(far):
        verdict = "mixed"
    else:
        verdict = "not_supported"
    weakest = signals.sort_values("rho").iloc[0]
    code_of = {name: code for code, name in enumerate(names)}
    head = by_residual[code_of[weakest["signal"]]]
    below, above = usage.iloc[head[0]], usage.iloc[head[-1]]
    n = int(weakest["n"])
    sentence = (f"{below['display_name']} ranks {_ordinal(below['index_rank'])} of {n} on the "
                f"capability index but {_ordinal(below['observed'])} in {weakest['label']}, "
                f"the furthest below its benchmark standing; {above['display_name']} ranks "
                f"{_ordinal(above['index_rank'])} on the index and "
                f"{_ordinal(above['observed'])} in use, the furthest above. ")

    def listed(frame: pd.DataFrame, word: str) -> str:
        return _join([f"{r.label} (\u03c1 {_num(r.rho, 2)} [{_num(r.low, 2)}, "
                      f"{_num(r.high, 2)}], {r.n} models)" for r in frame.itertuples()], word)

    predicted = signals.loc[signals["predicts"]]
    if len(predicted) and len(not_predicted):
        sentence += (f"Benchmarks predict {listed(predicted, 'and')} but not "
                     f"{listed(not_predicted, 'or')}")
    elif len(predicted):
        sentence += f"Benchmarks predict every usage signal: {listed(predicted, 'and')}"
    else:
        sentence += ("Benchmarks predict none of the usage signals: "
                     f"{listed(not_predicted, 'and')}")
    through = max((d for d in signals["through"] if d is not None and not pd.isna(d)),
                  default=None)
    sentence += (f"; {len(far)} model-signal pairs sit far off their benchmark standing"
                 if len(far) else "; no model sits far off its benchmark standing")
    sentence += f", data through {_date(through or as_of)}."
    low, high = float(weakest["low"]), float(weakest["high"])
    est = float(weakest["rho"])
    if not _finite(low, high):
        low = high = None
    else:
        low, high = min(low, est), max(high, est)
    notes = []
    display = usage["display_name"].to_numpy(dtype=object)
    for r in signals.itertuples():
        part = by_residual[code_of[r.signal]]
        notes.append(f"{r.label}: {r.n} models; furthest below "
                     f"{display[part[0]]}, furthest above {display[part[-1]]}")
    notes += [n for n in getattr(realworld, "notes", ()) if "lists only" in n or "keep only" in n]
    return Claim(key="use_vs_benchmarks", title=USE_TITLE, statement=USE_STATEMENT,
                 verdict=verdict, sentence=sentence, as_of=as_of, estimate=est, ci_low=low,
                 ci_high=high, unit="rho", evidence=evidence, notes=tuple(notes))


def _per_signal(usage: pd.DataFrame, names, rows_of: list[np.ndarray]) -> pd.DataFrame:
    """One row per signal (``names``, rows at ``rows_of``): its label, n, rho and interval
    and whether benchmarks predict it (each the first value present), and its newest data
    date: ``usage.groupby("signal", sort=False)`` with "first" and "max", read from the
    columns once."""
    def first(values: np.ndarray):
        present = values[~pd.isna(values)]
        return present[0] if len(present) else np.nan

    out = {"signal": pd.Series(names, dtype=usage["signal"].dtype)}
    for name, column in (("label", "signal_label"), ("n", "n"), ("rho", "rho"),
                         ("low", "rho_ci_low"), ("high", "rho_ci_high"),
                         ("predicts", "predicts")):
        values = usage[column].to_numpy()
        out[name] = pd.Series([first(values[at]) for at in rows_of],
                              dtype=usage[column].dtype if all(
                                  (~pd.isna(values[at])).any() for at in rows_of) else None)
    dates = usage["data_through"].to_numpy(dtype=object)
    out["through"] = pd.Series([max((d for d in dates[at] if not pd.isna(d)), default=np.nan)
                                for at in rows_of], dtype=object)
    return pd.DataFrame(out)


# --- 5. labs that focus on benchmarks ---------------------------------------------------------

def _chinese_orgs(models: pd.DataFrame) -> set[str]:
    if models is None or "organization" not in models or "country" not in models:
        return set()
    by_org: dict[str, set] = {}  # each organization's countries (missing ones left out)
    for org, country in zip(models["organization"].to_numpy(dtype=object),
                            models["country"].to_numpy(dtype=object)):
        if not pd.isna(org):
            countries = by_org.setdefault(org, set())
            if not pd.isna(country):
                countries.add(country)
    return {org for org, countries in by_org.items() if countries == {CHINA}}


def lab_claim(overfit_splits, as_of: dt.date | None) -> Claim:
    """Claim 5 from the over-fitting results per split (a tuple of
    :class:`~.overfit.OverfitResult`; None or empty: not enough data)."""
    def thin(reason: str) -> Claim:
        return not_enough("lab_focus", LAB_TITLE, LAB_STATEMENT, as_of, reason)

    if not overfit_splits:
        return thin("no over-fitting split could be computed")
    rows = []
    for result in overfit_splits:
        groups = getattr(result, "groups", None)
        if groups is None or len(groups) == 0 or _missing(groups, GROUP_COLUMNS[:9]) \
                or not hasattr(result, "split"):
            continue
        chinese_orgs = _chinese_orgs(getattr(result, "models", None))
        for g in _records(groups):
            grouping, group = g["grouping"], str(g["group"])
            if grouping == "group_country":
                access, _, country = group.partition(" \u00b7 ")
                grouping_out = "country"
            elif grouping == "country":
                access, country, grouping_out = "", group, "country"
            elif grouping == "organization":
                access, country, grouping_out = "", None, "organization"
            else:
                continue
            est, low, high = g["mean_delta"], g["ci_low"], g["ci_high"]
            if _finite(est, low, high):
                low, high = min(low, est), max(high, est)
            p_adj = g.get("p_adjusted", np.nan)
            signal = bool(_finite(p_adj) and p_adj < ALPHA and g["vs_rest"] < 0)
            rows.append(dict(
                split=result.split, grouping=grouping_out, group=group, n_models=int(g["n"]),
                estimate=est, ci_low=low, ci_high=high, p_value=g["p_value"],
                p_adjusted=p_adj, reading="consistent with" if signal else "not detected",
                vs_rest=g["vs_rest"], access=access or None, country=country,
                chinese=bool(country == CHINA or group in chinese_orgs),
                us_closed=bool(country == USA and access == "closed"),
                description=getattr(result, "description", result.split)))
    if not rows:
        return thin("no group of models was large enough to test in any split")
    evidence = pd.DataFrame(rows)
    hits = evidence.loc[evidence["reading"] == "consistent with"]
    best_cn = None
    for row in hits.loc[hits["chinese"]].sort_values(["p_adjusted", "estimate"]).itertuples():
        us = _us_closed(evidence, row.split)
        if us is not None and row.estimate < us["estimate"]:
            best_cn = row
            break
    if best_cn is not None:
        verdict, head = "supported", best_cn
    elif hits.empty:
        verdict = "not_supported"
        cn = evidence.loc[evidence["chinese"] & (evidence["grouping"] == "country")]
        pool = cn if len(cn) else evidence
        head = pool.sort_values(["p_adjusted", "estimate"]).iloc[0]
    else:
        verdict = "mixed"
        pool = hits.loc[hits["chinese"]] if hits["chinese"].any() else hits
        head = pool.sort_values(["p_adjusted", "estimate"]).iloc[0]
    head = pd.Series(head._asdict()) if not isinstance(head, pd.Series) else head
    sentence = _lab_sentence(evidence, head, verdict, as_of)
    est, low, high = (float(head[c]) for c in ("estimate", "ci_low", "ci_high"))
    interval = _finite(est, low, high)
    notes = ("mean delta: index on benchmarks a lab could not tune for (held-out, not "
             "optimised-for, out-of-distribution) minus index on the rest; p adjusted by "
             "Holm's method over the groups of each split",)
    return Claim(key="lab_focus", title=LAB_TITLE, statement=LAB_STATEMENT, verdict=verdict,
                 sentence=sentence, as_of=as_of, estimate=est if _finite(est) else None,
                 ci_low=low if interval else None, ci_high=high if interval else None,
                 unit="index points", evidence=evidence, notes=notes)


def _records(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict(orient="records")`` (Python scalars), read column by column."""
    columns = [frame[c].tolist() for c in frame.columns]
    return [dict(zip(frame.columns, row)) for row in zip(*columns)]


def _us_closed(evidence: pd.DataFrame, split: str) -> pd.Series | None:
    """The US closed labs' row of a split: closed US models, else all US models."""
    part = evidence.loc[evidence["split"] == split]
    for mask in (part["us_closed"], (part["country"] == USA) & part["access"].isna()):
        if mask.any():
            return part.loc[mask].iloc[0]
    return None


def _group_name(row) -> str:
    if row["grouping"] == "organization":
        return f"{row['group']}'s models"
    if isinstance(row["access"], str) and row["access"]:
        return f"{row['access']} models from {row['country']}"
    return f"models from {row['group']}"


def _lab_sentence(evidence: pd.DataFrame, head: pd.Series, verdict: str, as_of) -> str:
    name = _group_name(head)
    text = (f"{name[0].upper() + name[1:]}: {head['description']} "
            f"{_signed(head['estimate'])} index points [{_num(head['ci_low'])}, "
            f"{_num(head['ci_high'])}], {_signed(head['vs_rest'])} against the other models "
            f"(adjusted p {_p(head['p_adjusted'])}): {head['reading']} a benchmark focus")
    us = _us_closed(evidence, head["split"])
    if us is not None and us["group"] != head["group"]:
        text += (f"; US closed models {_signed(us['estimate'])} [{_num(us['ci_low'])}, "
                 f"{_num(us['ci_high'])}] (adjusted p {_p(us['p_adjusted'])}, "
                 f"{us['reading']})")
    text += "."
    same = ((evidence["split"] == head["split"]) & (evidence["n_models"] == head["n_models"])
            & (evidence["p_value"] == head["p_value"])
            & (evidence["vs_rest"] == head["vs_rest"]))  # the head's models under other names
    others = evidence.loc[(evidence["reading"] == "consistent with") & ~same]
    if len(others):
        text += " Also consistent with it: " + ", ".join(
            f"{_group_name(r)} on {r['split']} ({_signed(r['estimate'])}, adjusted p "
            f"{_p(r['p_adjusted'])})" for _, r in others.iterrows()) + "."
    elif verdict == "not_supported":
        text += " No country or lab reads 'consistent with' after adjustment in any split."
    else:
        text += " No other country or lab reads 'consistent with' after adjustment."
    elsewhere = evidence.loc[(evidence["split"] != head["split"])
                             & (evidence["grouping"] == head["grouping"])
                             & (evidence["group"] == head["group"])
                             & (evidence["reading"] == "not detected")]
    if len(elsewhere):
        name = _group_name(head)
        text += (f" Not detected for {name} on " + _join(
            [f"{r['description']} ({_signed(r['estimate'])}, adjusted p "
             f"{_p(r['p_adjusted'])})" for _, r in elsewhere.iterrows()], "or") + ".")
    return text + f" Data through {_date(as_of)}."
