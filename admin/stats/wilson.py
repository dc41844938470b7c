"""The Wilson score interval: how sure a satisfaction rate is, given how many ratings it rests on.

A rate of 100% from 3 ratings and one from 3,000 are not equally good news; the interval says
so, and rates from fewer than ``LOW_CONFIDENCE_BELOW`` ratings are marked low-confidence.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # two-sided 95%
LOW_CONFIDENCE_BELOW = 30


def interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """(low, high) bounds of the Wilson score interval for ``successes`` out of ``n``; None when n is 0."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def low_confidence(n: int, threshold: int = LOW_CONFIDENCE_BELOW) -> bool:
    return n < threshold
