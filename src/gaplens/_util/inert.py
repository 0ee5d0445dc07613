"""Names from data made inert for each output: terminal, Markdown and CSV.

Model, benchmark, domain and organisation names come from imported files and are untrusted.
Each output has its own active syntax, and each function here removes it while keeping
ordinary text as it is:

- the terminal runs escape sequences (clear screen, set window title, BEL) and control
  characters: :func:`plain` removes them;
- Markdown renders HTML, links, images, emphasis and code, and a ``|`` or a newline breaks a
  table row: :func:`md_text` writes every such character so that it renders as itself;
- spreadsheets run a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return as a formula: :func:`csv_cell` prefixes such text with an apostrophe, the rule of
  the HTML page's CSV buttons (``report/assets/report.js``, ``csvCell``). A cell that is a
  number written as text (``-5``, ``+1.5e3``) is a number, not a formula, and stays.
"""

from __future__ import annotations

import html
import re

# ESC-introduced sequences (CSI ``ESC [ ... final``, OSC ``ESC ] ... BEL or ST``, and the
# two-character ones), then the 8-bit CSI/OSC forms; removed whole so no residue is drawn.
_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"          # CSI
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]?"                 # two-character escapes (ESC c: reset)
    r"|\x9b[0-?]*[ -/]*[@-~]?"            # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?")  # 8-bit OSC etc.
# C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what
# the terminal shows (U+202A-U+202E, U+2066-U+2069).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CSV_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAK = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")

FORMULA_LEAD = "=+-@\t\r"  # the characters of report.js's csvCell rule
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

# Characters that open Markdown or GitHub-flavoured syntax anywhere in a line (emphasis,
# code, links, images, autolinks, mentions, emoji codes, table cells, strike-through, math),
# backslash-escaped as CommonMark allows for any ASCII punctuation; '<', '>' and '&' become
# character references
# instead, so that a renderer that passes HTML through shows them as text too. What only
# acts at the start of a line (list markers '-', '+', '1.', an underline '=', indentation)
# is escaped there; white space at either end becomes character references, which are
# neither trimmed nor read as indentation.
_MD_ANYWHERE = re.compile(r"([\\`*_\[\]|!~#$:@])")
_MD_LEAD = re.compile(r"^([-+=])|^(\d+)([.)])")  # "1." and "1)" start ordered lists
_MD_WWW = re.compile(r"(?i)(www)\.")


def plain(value, lines: bool = False) -> str:
    """``value`` as one line of terminal text: escape sequences and control characters
    removed, line breaks and tabs turned into a space (``lines``: line feeds kept)."""
    text = "" if value is None else str(value)
    text = _SEQUENCE.sub("", text)
    if lines:
        return "\n".join(_CONTROL.sub("", _BREAK.sub(" ", part)) for part in text.split("\n"))
    text = _BREAK.sub(" ", text)
    return _CONTROL.sub("", text)


def md_text(value) -> str:
    """``value`` as Markdown that renders as exactly its (one-line, control-free) text: no
    HTML, link, image, emphasis, code span, heading or table cell break can start in it."""
    text = _MD_ANYWHERE.sub(r"\\\1", html.escape(plain(value), quote=False))
    text = _MD_LEAD.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)
    text = _MD_WWW.sub(r"\1\\.", text)
    core = text.strip()  # spaces at the ends would be trimmed or read as indentation
    if not core:
        return "".join(f"&#{ord(c)};" for c in text)
    lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return ("".join(f"&#{ord(c)};" for c in lead) + core
            + "".join(f"&#{ord(c)};" for c in trail))


def is_formula(value) -> bool:
    """True for text a spreadsheet would run as a formula (numbers are never formulas)."""
    return (isinstance(value, str) and value[:1] != "" and value[0] in FORMULA_LEAD
            and _NUMBER.fullmatch(value) is None)


def csv_cell(value):
    """A CSV cell value: formula-leading text prefixed with an apostrophe, escape sequences
    and control characters other than tab, CR and LF removed; anything else as given."""
    if not isinstance(value, str):
        return value
    text = _CSV_CONTROL.sub("", _SEQUENCE.sub("", value))
    return "'" + text if is_formula(text) else text
