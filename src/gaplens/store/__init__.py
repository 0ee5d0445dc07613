"""Store: the DuckDB warehouse and its schema."""

from .warehouse import IngestReport, TableCounts, Warehouse, default_path

__all__ = ["IngestReport", "TableCounts", "Warehouse", "default_path"]
