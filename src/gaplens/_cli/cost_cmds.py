"""What the gap costs: ``gaplens cost`` (frontiers, equal-price gap, price ratio) and
``gaplens cheapest`` (the cheapest models within X points of the frontier)."""

from __future__ import annotations

import math
import sys
from typing import Optional

import pandas as pd
import typer

from .. import api
from ..report import formatting
from ..types import OpenDefinition, OutputFormat
from .common import DbOption, FormatOption, OpenDefinitionOption, app, emit_frame, out, \
    print_warnings

AsOfOption = typer.Option(None, "--as-of", "--at", help="Prices and models as of this date "
                          "(YYYY-MM-DD); default: the newest release in the data.")
DomainOption = typer.Option(None, "--domain", help="One domain's index (default: the general "
                            "index and every domain).")


def price(value) -> str:
    """USD per million tokens, three significant digits."""
    if value is None or pd.isna(value):
        return "–"
    return f"${value:.3g}"


def percent(value) -> str:
    """A price ratio as a percentage (two significant digits); inf: not for sale."""
    if value is None or pd.isna(value):
        return "–"
    if math.isinf(value):
        return "none"
    pct = 100 * value
    return f"{pct:.0f}%" if pct >= 10 else f"{pct:.2g}%" if pct >= 0.01 else f"{pct:.1e}%"


def _interval(low, high, show) -> str:
    if low is None or pd.isna(low) or high is None or pd.isna(high):
        return ""
    return f"[{show(low)},{show(high)}]"


def _level(value) -> str:
    return formatting.fmt(value, 1) if not pd.isna(value) else "–"


def cost_summary(result) -> pd.DataFrame:
    """Both readings of the gap in one tidy table (the CSV form of ``gaplens cost``)."""
    eq = result.equal_price.assign(measure="gap at equal price (index points)",
                                   group="open", model=result.equal_price["open_model"])
    eq = eq.rename(columns={"at": "reading"})
    pr = result.price_ratio.assign(measure="price ratio at equal capability",
                                   reading=[f"within {w:g} points" for w in
                                            result.price_ratio["within"]])
    pr = pr.rename(columns={"frontier_price": "reference_price"})
    eq = eq.assign(reference_price=eq["price"])
    columns = ["measure", "scope", "reading", "group", "model", "price", "reference_price",
               "estimate", "ci_low", "ci_high", "note"]
    return pd.concat([eq[columns], pr[columns]], ignore_index=True)


@app.command(epilog="Example: gaplens cost --domain coding")
def cost(
    domain: Optional[str] = DomainOption,
    as_of: Optional[str] = AsOfOption,
    within: float = typer.Option(10.0, "--within", help="Index points below the closed "
                                 "frontier that still count as equal capability."),
    open_definition: OpenDefinition = OpenDefinitionOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """What the gap costs: price-capability frontiers, the gap at equal price, the price ratio.

    Per scope (the general index and each domain's index): the gap between the best closed
    and open models costing no more than the best closed model (and a tenth of its price),
    and the cheapest open and closed models within --within points of that closed model
    against its price. Prices: USD per million tokens, blended 3:1 input:output, the last
    snapshot at or before the date; open models at a hosted provider's rate."""
    r = api.cost(db=db, domain=domain, as_of=as_of, open_definition=open_definition,
                 within=within)
    s = r.settings
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json(
            "gaplens.cost/1", s.to_dict(),
            {"equal_price": r.equal_price, "price_ratio": r.price_ratio,
             "frontiers": r.frontiers, "points": r.points, "missing": r.missing,
             "timeline": r.timeline}, r.warnings) + "\n")
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(cost_summary(r)))
        return
    eq = r.equal_price
    emit_frame(eq.assign(
        budget=[("P* " if a.startswith("closed") else "P*/10 ") + price(p)
                for a, p in zip(eq["at"], eq["price"])],
        closed=[f"{n} {_level(v)}" if isinstance(n, str) else "–"
                for n, v in zip(eq["closed_model"], eq["closed_level"])],
        open=[f"{n} {_level(v)}" if isinstance(n, str) else "–"
              for n, v in zip(eq["open_model"], eq["open_level"])],
        gap=[_level(v) for v in eq["estimate"]],
        interval=[_interval(lo, hi, _level) for lo, hi in zip(eq["ci_low"], eq["ci_high"])]),
        fmt, ["scope", "budget", "closed", "open", "gap", "interval"],
        title=f"Gap at equal price, as of {s.as_of} ({s.open_definition})",
        headers={"closed": "best closed", "open": "best open", "interval": "90% int."},
        legend="P*: price of the best closed model (USD per million tokens, blended 3:1); "
               "best closed/open: the best model costing no more, with its index level; "
               "gap: their difference.", name_width=18)
    pr = r.price_ratio
    emit_frame(pr.assign(
        cheapest=[n if isinstance(n, str) else "–" for n in pr["model"]],
        cost=[price(p) for p in pr["price"]], ratio=[percent(v) for v in pr["estimate"]],
        interval=[_interval(lo, hi, percent) for lo, hi in zip(pr["ci_low"], pr["ci_high"])]),
        fmt, ["scope", "group", "cheapest", "cost", "ratio", "interval"],
        title=f"Price ratio at equal capability (within {s.within:g} points of the best "
              "closed model)",
        headers={"cheapest": f"cheapest within {s.within:g}", "interval": "90% int."},
        legend="ratio: its price / the best closed model's price (P* above); none: in more "
               "than 5% of the draws no model of the group is within reach.", name_width=22)
    shown = domain or "general"
    fr = r.frontiers.loc[r.frontiers["scope"] == shown]
    emit_frame(fr.assign(
        model=[f"{n} *" if h else str(n) for n, h in zip(fr["name"], fr["hosted"])],
        lvl=[_level(v) for v in fr["level"]],
        interval=[_interval(lo, hi, _level) for lo, hi in zip(fr["level_ci_low"],
                                                              fr["level_ci_high"])],
        cost=[price(p) for p in fr["price"]],
        dated=[str(d) for d in fr["price_as_of"]]),
        fmt, ["group", "model", "lvl", "interval", "cost", "dated"],
        title=f"Price-capability frontiers on {shown}",
        headers={"lvl": "level", "interval": "90% int.", "dated": "price of"},
        legend="Each model is the cheapest of its group at its level. * open weights priced "
               "at a hosted provider's rate (Artificial Analysis).", name_width=28)
    m = r.missing
    for scope, rows in m.groupby("scope", sort=False):
        n, priced = int(rows["n_models"].sum()), int(rows["n_priced"].sum())
        if scope == shown or domain is None and scope == "general":
            out.print(f"{scope}: {priced} of {n} open and closed models have a price; "
                      f"{int(rows['n_unpriced'].sum())} have none and "
                      f"{int(rows['n_zero'].sum())} are listed at 0: both left out.",
                      style="dim", markup=False)
    print_warnings(r.warnings)


@app.command(epilog="Example: gaplens cheapest --domain coding --within 5 --open")
def cheapest(
    domain: Optional[str] = typer.Option(None, "--domain", help="A domain's index (default: "
                                         "the general index)."),
    within: float = typer.Option(10.0, "--within", help="Index points below the frontier."),
    open_only: bool = typer.Option(False, "--open", help="Open models only."),
    as_of: Optional[str] = AsOfOption,
    open_definition: OpenDefinition = OpenDefinitionOption,
    fmt: OutputFormat = FormatOption,
    db: Optional[str] = DbOption,
) -> None:
    """The cheapest models within X index points of the frontier, cheapest first.

    The frontier is the best priced model of the scope; each row gives how far below it a
    model is (with its interval), the share of bootstrap draws in which it is within X,
    its price and that price against the frontier model's."""
    r = api.cheapest(domain=domain, within=within, open_only=open_only, db=db, as_of=as_of,
                     open_definition=open_definition)
    t = r.table
    if fmt is OutputFormat.JSON:
        sys.stdout.write(formatting.payload_json(
            "gaplens.cheapest/1", r.settings(), {"rows": t, "missing": r.missing},
            r.warnings) + "\n")
        return
    if fmt is OutputFormat.CSV:
        sys.stdout.write(formatting.frame_csv(t))
        return
    if len(t):
        emit_frame(t.assign(
            model=[f"{n} *" if h else str(n) for n, h in zip(t["name"], t["hosted"])],
            lvl=[_level(v) for v in t["level"]],
            below=[_level(v) for v in t["behind"]],
            interval=[_interval(lo, hi, _level) for lo, hi in zip(t["behind_ci_low"],
                                                                  t["behind_ci_high"])],
            share=[f"{100 * v:.0f}%" if not pd.isna(v) else "–" for v in t["share_within"]],
            cost=[price(p) for p in t["price"]], ratio=[percent(v) for v in t["ratio"]]),
            fmt, ["model", "group", "lvl", "below", "interval", "share", "cost", "ratio"],
            title=f"Within {r.within:g} points of {r.frontier_model} on {r.scope}, as of "
                  f"{r.as_of}",
            headers={"lvl": "level", "interval": "90% int.", "share": "within"},
            legend="below: frontier minus level; within: share of draws in which it is within "
                   "reach; ratio: price / the frontier model's; * hosted price of open "
                   "weights.", name_width=24)
    elif r.frontier_model is None:
        out.print(f"No priced closed model sets a frontier on {r.scope} as of {r.as_of}.",
                  markup=False)
    else:
        which = "open model" if open_only else "model"
        out.print(f"No priced {which} is within {r.within:g} points of {r.frontier_model} on "
                  f"{r.scope} as of {r.as_of}.", markup=False)
    m = r.missing
    out.print(f"{int(m['n_priced'].sum())} of {int(m['n_models'].sum())} open and closed "
              f"models of {r.scope} have a price; {int(m['n_unpriced'].sum())} have none and "
              f"{int(m['n_zero'].sum())} are listed at 0: both left out.", style="dim",
              markup=False)
    print_warnings(r.warnings)
