"""Geography for the planner: coordinate systems, where things are, and travel times.

* :mod:`planner.geo.coords` – WGS-84 ⇄ GCJ-02 ⇄ BD-09, exact inverses.
* :mod:`planner.geo.china` – ``in_china`` (a coarse PRC outline, not a
  bounding box), point-in-polygon and district areas.
* :mod:`planner.geo.distance` – geodesic / great-circle metres, cached matrices.
* :mod:`planner.geo.travel` – the travel-time model stored in plans and the
  matrix sources routing and the checker use; :mod:`planner.geo.osrm` – the
  OSRM road-duration source.

Every function takes and returns points as ``(lat, lon)`` in degrees.
"""

from planner.geo.china import district_area_contains, in_china, point_in_polygon
from planner.geo.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from planner.geo.distance import metres
from planner.geo.sources import make_matrix_source
from planner.geo.travel import (
    StraightLineTimes,
    TravelModel,
    TravelSourceError,
    TravelTimes,
)

__all__ = [
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "district_area_contains",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_china",
    "make_matrix_source",
    "metres",
    "point_in_polygon",
    "StraightLineTimes",
    "to_wgs84",
    "TravelModel",
    "TravelSourceError",
    "TravelTimes",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
