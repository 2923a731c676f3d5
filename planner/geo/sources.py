"""The travel-time source a travel model names: straight lines on the earth, or road
durations from an OSRM server (one place that knows both kinds, so neither imports the other)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.geo.osrm import OsrmTimes
from planner.geo.travel import StraightLineTimes, TravelModel, TravelTimes


def make_matrix_source(model: TravelModel | Mapping[str, Any], **options: Any) -> TravelTimes:
    """The travel-time source for ``model`` (a :class:`TravelModel` or its dict form).

    ``options`` go to the source: ``cache_cells`` for all kinds, and
    ``timeout_s`` / ``max_table_size`` for OSRM.
    """
    if not isinstance(model, TravelModel):
        model = TravelModel.from_dict(model)
    if model.kind == "osrm":
        return OsrmTimes(model, **options)
    return StraightLineTimes(model, **options)

