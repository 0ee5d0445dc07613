"""gaplens: the open-vs-closed language-model gap as a map, not one number."""

__version__ = "0.1.0"
