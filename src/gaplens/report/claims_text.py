"""The claims in the terminal: one line per claim (number, title, verdict) and its
generated sentence wrapped at the console's width below it, words never broken."""

from __future__ import annotations

import textwrap

import pandas as pd

from .._util.inert import plain

VERDICT_TEXT = {"supported": "supported", "mixed": "mixed", "not_supported": "not supported",
                "not_enough_data": "not enough data"}
INDENT = 4


def claims_lines(claims, width: int = 80) -> list[str]:
    """Plain text lines (no markup) at most ``width`` characters wide (a single word
    longer than the line is kept whole on its own line)."""
    width = max(width, 40)
    verdict_w = max(len(v) for v in VERDICT_TEXT.values())
    title_w = width - INDENT - verdict_w - 2
    lines = [f"{'#':<{INDENT}}{'Claim':<{title_w}}  {'Verdict':<{verdict_w}}".rstrip(),
             "-" * width]
    wrap = textwrap.TextWrapper(width=width, initial_indent=" " * INDENT,
                                subsequent_indent=" " * INDENT, break_long_words=False,
                                break_on_hyphens=False)
    for number, c in enumerate(claims, start=1):
        title = textwrap.wrap(plain(c.title), title_w, break_long_words=False,
                              break_on_hyphens=False) or [""]
        verdict = VERDICT_TEXT.get(c.verdict, c.verdict)
        lines.append(f"{number:<{INDENT}}{title[0]:<{title_w}}  {verdict}".rstrip())
        lines += [" " * INDENT + t for t in title[1:]]
        lines += wrap.wrap(plain(c.sentence))
        lines.append("")
    return lines


def claims_frame(claims) -> pd.DataFrame:
    """One row per claim (evidence left out: it is in the JSON form)."""
    return pd.DataFrame([{"number": i, "key": c.key, "title": c.title, "verdict": c.verdict,
                          "as_of": c.as_of, "estimate": c.estimate, "ci_low": c.ci_low,
                          "ci_high": c.ci_high, "unit": c.unit, "sentence": c.sentence,
                          "statement": c.statement, "notes": "; ".join(c.notes)}
                         for i, c in enumerate(claims, start=1)])
