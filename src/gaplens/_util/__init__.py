"""Private helpers shared by several layers (no domain logic here)."""
