"""`python -m gaplens` runs the command-line interface."""

from ._cli.main import run

if __name__ == "__main__":
    run()
