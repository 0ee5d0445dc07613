"""The display scale: an affine map fixed by two anchor models.

The raw fit is identified by the anchor benchmark (D = 0, alpha = 1), a scale no reader
knows. Epoch's display map sends two anchor models to fixed values (defaults Claude 3.5
Sonnet -> 130 and GPT-5 -> 150):

    index = a + b * C,   b = (v_high - v_low) / (C_high - C_low),   a = v_low - b * C_low

The same map sends difficulties to the index scale (Epoch's EDI: a + b * D) and divides
slopes by b (alpha / b), so every prediction sigmoid(alpha (C - D)) is unchanged. Each
bootstrap draw has its own raw scale, so its map comes from its own anchor capabilities;
the anchors then sit exactly at their values in every draw and have no interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_SPREAD = 1e-9


@dataclass(frozen=True)
class AnchorModels:
    low: str = "Claude 3.5 Sonnet"
    low_value: float = 130.0
    high: str = "GPT-5"
    high_value: float = 150.0

    def __post_init__(self) -> None:
        from ..errors import ConfigError

        if self.low == self.high:
            raise ConfigError("the two anchor models must differ")
        if not self.high_value > self.low_value:
            raise ConfigError("the high anchor's value must exceed the low anchor's")


@dataclass(frozen=True)
class DisplayMap:
    """index = a + b * C, per draw (arrays of shape (draws,)); ``ok`` marks usable draws."""

    a: np.ndarray
    b: np.ndarray
    ok: np.ndarray

    @classmethod
    def from_anchors(cls, c_low, c_high, v_low: float, v_high: float) -> "DisplayMap":
        c_low = np.atleast_1d(np.asarray(c_low, dtype=float))
        c_high = np.atleast_1d(np.asarray(c_high, dtype=float))
        spread = c_high - c_low
        ok = np.isfinite(spread) & (spread > MIN_SPREAD)
        b = np.where(ok, (v_high - v_low) / np.where(ok, spread, 1.0), np.nan)
        a = np.where(ok, v_low - b * c_low, np.nan)
        return cls(a, b, ok)

    @classmethod
    def identity(cls, draws: int = 1) -> "DisplayMap":
        return cls(np.zeros(draws), np.ones(draws), np.ones(draws, dtype=bool))

    def level(self, raw: np.ndarray) -> np.ndarray:
        """Capabilities or difficulties (draws, n) on the display scale."""
        return self.a[:, None] + self.b[:, None] * np.atleast_2d(raw)

    def slope(self, raw_slope: np.ndarray) -> np.ndarray:
        return np.atleast_2d(raw_slope) / self.b[:, None]

    def raw(self, level: np.ndarray) -> np.ndarray:
        """The inverse map (display -> raw)."""
        return (np.atleast_2d(level) - self.a[:, None]) / self.b[:, None]
