"""The one check every geo function applies to a (lat, lon) pair.

Why: coordinates arrive from spreadsheets and operator exports, where swapped
columns, blanks read as NaN and text are common.  Every public function in
:mod:`planner.geo` passes its inputs through :func:`check_lat_lon`, so a bad
value fails early with a message naming it instead of producing a plausible
but wrong distance or conversion.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["LatLon", "check_lat_lon"]

LatLon = tuple[float, float]
"""A point as (latitude, longitude) in degrees: the order used throughout the planner."""


def check_lat_lon(lat: float, lon: float) -> LatLon:
    """Return ``(lat, lon)`` as floats, or raise ``ValueError`` saying what is wrong.

    Accepts any real number (int, float, numpy floats); rejects bools, text,
    NaN, infinities and out-of-range values.
    """
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (lat, lon)):
        raise ValueError(f"coordinates must be numbers, got lat={lat!r}, lon={lon!r}")
    flat, flon = float(lat), float(lon)
    if not (math.isfinite(flat) and math.isfinite(flon)):
        raise ValueError(f"coordinates must be finite, got lat={lat!r}, lon={lon!r}")
    if not -90.0 <= flat <= 90.0:
        raise ValueError(
            f"latitude must be between -90 and 90, got {lat!r} (are lat and lon swapped?)"
        )
    if not -180.0 <= flon <= 180.0:
        raise ValueError(f"longitude must be between -180 and 180, got {lon!r}")
    return flat, flon
