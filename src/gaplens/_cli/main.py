"""The gaplens command line: parse, call one library function, render.

Commands live in ``data_cmds``, ``coverage_cmds``, ``index_cmds``, ``beyond_cmds``,
``update_cmds``, ``diff_cmds``, ``claims_cmds``, ``export_cmds``, ``cost_cmds`` and
``openness_cmds``; importing them registers them on the Typer app.
"""

from __future__ import annotations

import sys

import typer

from .._util.inert import plain
from .._util.threads import cli_blas_threads
from ..errors import GaplensError
# Importing the command modules registers their commands, in this order in --help.
from . import data_cmds  # noqa: F401, I001
from . import coverage_cmds  # noqa: F401
from . import index_cmds  # noqa: F401
from . import beyond_cmds  # noqa: F401
from . import update_cmds  # noqa: F401
from . import diff_cmds  # noqa: F401
from . import claims_cmds  # noqa: F401
from . import export_cmds  # noqa: F401
from . import cost_cmds  # noqa: F401
from . import openness_cmds  # noqa: F401
from . import arguments
from .common import app, err, out  # noqa: F401 (out: tests set its width)
from .common import print_freshness, stating_freshness

_command = None


def command():
    """The command tree of ``app``, every option checked (``arguments``); built once."""
    global _command
    if _command is None:
        _command = typer.main.get_command(arguments.install(app))
    return _command


def main(argv: list[str] | None = None) -> int:
    with stating_freshness() as state:
        try:
            code = command()(args=argv, standalone_mode=False, prog_name="gaplens")
        except GaplensError as exc:
            return _error(str(exc))
        except (typer.Abort, KeyboardInterrupt):
            # Every write is one transaction: an interrupted import or fit stored nothing.
            return _error("interrupted; nothing half-written was kept", 130)
        except typer.TyperException as exc:  # a usage error found by the parser: one line
            if type(exc).__name__ == "NoArgsIsHelpError" or not hasattr(exc, "format_message"):
                exc.show()  # 'gaplens' or 'gaplens ingest' alone: the help
                return int(getattr(exc, "exit_code", 2))
            return _error(exc.format_message(), int(getattr(exc, "exit_code", 2)))
        except SystemExit as exc:  # typer/click exit codes
            code = int(exc.code or 0)
        code = code if isinstance(code, int) else 0
        if code == 0:
            try:
                print_freshness(state)
            except GaplensError as exc:
                return _error(str(exc))
        return code


def _error(message: str, code: int = 2) -> int:
    """One line on stderr (a message quoting a name keeps it on that line, as text)."""
    err.print(f"error: {plain(message)}", highlight=False, soft_wrap=True)
    return code


def run() -> None:
    cli_blas_threads()  # one BLAS thread by default: faster here (see _util/threads.py)
    sys.exit(main())


if __name__ == "__main__":
    run()
