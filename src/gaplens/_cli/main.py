"""The gaplens command line: parse, call one library function, render.

Commands live in ``data_cmds``, ``coverage_cmds``, ``index_cmds``, ``beyond_cmds``,
``update_cmds`` and ``diff_cmds``; importing them registers them on the Typer app.
"""

from __future__ import annotations

import sys

from ..errors import GaplensError
# Importing the command modules registers their commands, in this order in --help.
from . import data_cmds  # noqa: F401, I001
from . import coverage_cmds  # noqa: F401
from . import index_cmds  # noqa: F401
from . import beyond_cmds  # noqa: F401
from . import update_cmds  # noqa: F401
from . import diff_cmds  # noqa: F401
from .common import app, err, out  # noqa: F401 (out: tests set its width)
from .common import print_freshness, stating_freshness


def main(argv: list[str] | None = None) -> int:
    with stating_freshness() as state:
        try:
            app(args=argv, standalone_mode=True)
        except GaplensError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            return 2
        except KeyboardInterrupt:
            # Every write is one transaction: an interrupted import or fit stored nothing.
            err.print("error: interrupted; nothing half-written was kept", markup=False,
                      highlight=False)
            return 130
        except SystemExit as exc:  # typer/click exit codes
            code = int(exc.code or 0)
        else:
            code = 0
        if code == 0:
            try:
                print_freshness(state)
            except GaplensError as exc:
                err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
                return 2
        return code


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
