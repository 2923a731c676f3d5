"""The travel-time model: how long a field worker takes from one stop to the next.

Why it is shaped like this:

* **One formula, written down.**  A plan is a document that must re-check
  later from its own contents, so the model is a small frozen value
  (:class:`TravelModel`) whose :meth:`~TravelModel.to_dict` goes into the plan
  file, and the numbers come from it alone::

      seconds = ceil(distance_m × circuity ÷ speed(transport) + overhead)

  ``distance_m`` is the geodesic (or great-circle) distance, ``circuity``
  turns it into a street distance (1.3 is typical for Chinese cities), and
  the per-leg ``overhead`` covers parking, finding the building and the
  stairs.  Two stops closer than ``same_place_m`` (tickets clustered at one
  address) cost only the overhead; a stop to itself costs 0.  Seconds are
  integers (the solver takes integer transits) rounded up, so a plan never
  promises a leg faster than the model.
* **Matrices are cached, legs are not.**  Routing asks for an n×n matrix per
  district and transport; distances do not depend on the transport, so
  :class:`StraightLineTimes` measures each point set once.  The independent
  checker calls :meth:`~TravelTimes.leg_seconds`, which computes the same
  float from the same pair function and therefore the same integer.
* **Pluggable source.**  ``kind="geodesic"`` (default), ``"great_circle"``
  (18× faster, within 0.5 % in China) or ``"osrm"`` (road durations from an
  OSRM server at ``url``, see :mod:`planner.geo.osrm`).  Build one with
  :func:`planner.geo.sources.make_matrix_source`.

Configuration problems (unknown transport, non-positive speed, unknown kind)
raise ``ValueError`` with a message written for the dispatcher; an OSRM
server that cannot answer raises :class:`TravelSourceError`, a
:class:`planner.errors.UserError`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from planner.errors import UserError
from planner.geo.distance import MatrixCache, check_points, geodesic_m, great_circle_m, pair_matrix
from planner.geo.points import LatLon

__all__ = [
    "KINDS",
    "DEFAULT_SPEEDS_KMH",
    "FrozenSpeeds",
    "TravelModel",
    "TravelSourceError",
    "TravelTimes",
    "StraightLineTimes",
    "ceil_seconds",
]

KINDS: tuple[str, ...] = ("geodesic", "great_circle", "osrm")
DEFAULT_SPEEDS_KMH: Mapping[str, float] = {"walk": 4.5, "bus": 15.0, "taxi": 25.0, "car": 30.0}

# ceil() tolerance: 612.0000000000001 s of float noise must not become 613 s.
_CEIL_SLACK_S = 1e-6


def ceil_seconds(seconds: float) -> int:
    """Round a duration up to whole seconds, ignoring float noise below a microsecond."""
    return max(0, math.ceil(seconds - _CEIL_SLACK_S))


class TravelSourceError(UserError):
    """A travel-time source (an OSRM server) could not give the numbers asked for."""


class FrozenSpeeds(dict):
    """A read-only ``{transport: km/h}`` mapping.

    A ``dict`` subclass so that ``json.dumps`` and ``dataclasses.asdict`` on a
    plan containing a :class:`TravelModel` keep working; mutation raises
    ``TypeError`` so a model cannot change after it was validated.
    """

    def _readonly(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a TravelModel's speeds are read-only: build a new model (dataclasses.replace)")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]
    __ior__ = _readonly  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __copy__(self) -> FrozenSpeeds:
        return self

    def __deepcopy__(self, memo: dict) -> FrozenSpeeds:
        return self

    def __reduce__(self) -> tuple:
        return (FrozenSpeeds, (dict(self),))

    def __repr__(self) -> str:
        return f"FrozenSpeeds({dict.__repr__(self)})"


def _positive_number(value: Any, what: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{what} must be a number, got {value!r}")
    value = float(value)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{what} must be {'zero or more' if allow_zero else 'positive'}, got {value:g}")
    return value


@dataclass(frozen=True)
class TravelModel:
    """Parameters of the travel-time model; the plan file carries :meth:`to_dict`.

    ``speed_kmh`` maps each transport (walk, bus, taxi, car) to an average
    door-to-door speed in km/h along the street network.  ``url`` is the base
    URL of an OSRM server (``kind="osrm"`` only), e.g. ``http://127.0.0.1:5000``.
    """

    kind: str = "geodesic"
    circuity: float = 1.3
    overhead_min: float = 5.0
    speed_kmh: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SPEEDS_KMH))
    same_place_m: float = 30.0
    url: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown travel model kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        circuity = _positive_number(self.circuity, "travel model circuity")
        if circuity < 1.0:
            raise ValueError(
                f"travel model circuity must be at least 1 (streets are never shorter than "
                f"the straight line), got {circuity:g}"
            )
        object.__setattr__(self, "circuity", circuity)
        object.__setattr__(
            self, "overhead_min", _positive_number(self.overhead_min, "travel model overhead_min", allow_zero=True)
        )
        object.__setattr__(
            self, "same_place_m", _positive_number(self.same_place_m, "travel model same_place_m", allow_zero=True)
        )
        if not isinstance(self.speed_kmh, Mapping) or not self.speed_kmh:
            raise ValueError(
                f"travel model speed_kmh must map transports to km/h, e.g. {dict(DEFAULT_SPEEDS_KMH)}; "
                f"got {self.speed_kmh!r}"
            )
        speeds = {}
        for transport, speed in self.speed_kmh.items():
            if not isinstance(transport, str) or not transport.strip():
                raise ValueError(f"travel model speed_kmh keys must be transport names, got {transport!r}")
            speeds[transport] = _positive_number(speed, f"speed_kmh[{transport!r}] (km/h)")
        object.__setattr__(self, "speed_kmh", FrozenSpeeds(speeds))
        if self.kind == "osrm":
            if not isinstance(self.url, str) or not self.url.startswith(("http://", "https://")):
                raise ValueError(
                    f"travel model kind 'osrm' needs url, the OSRM server's base URL "
                    f"(e.g. 'http://127.0.0.1:5000'); got {self.url!r}"
                )
        elif self.url is not None and not isinstance(self.url, str):
            raise ValueError(f"travel model url must be text, got {self.url!r}")

    # -- the formula -------------------------------------------------------

    @property
    def overhead_s(self) -> float:
        """Fixed cost of every leg between two different stops, in seconds."""
        return self.overhead_min * 60.0

    @property
    def transports(self) -> tuple[str, ...]:
        """Transport names this model has a speed for."""
        return tuple(self.speed_kmh)

    def speed_for(self, transport: str) -> float:
        """Speed of ``transport`` in km/h; ``ValueError`` if the model has none."""
        try:
            return self.speed_kmh[transport]
        except (KeyError, TypeError):
            raise ValueError(
                f"unknown transport {transport!r}: the travel model has speeds for "
                f"{', '.join(self.speed_kmh)}"
            ) from None

    def seconds_per_metre(self, transport: str) -> float:
        """Street seconds per metre of straight-line distance: circuity ÷ speed."""
        return self.circuity * 3.6 / self.speed_for(transport)

    def leg_seconds_for_distance(self, distance_m: float, transport: str) -> int:
        """Seconds for a leg between two *different* stops ``distance_m`` apart (straight line)."""
        per_metre = self.seconds_per_metre(transport)
        return self._leg(distance_m, per_metre)

    def _leg(self, distance_m: float, per_metre: float) -> int:
        if distance_m <= self.same_place_m:
            return ceil_seconds(self.overhead_s)
        return ceil_seconds(distance_m * per_metre + self.overhead_s)

    # -- documents ---------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape stored in plans and settings (``url`` only when set)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "circuity": self.circuity,
            "overhead_min": self.overhead_min,
            "speed_kmh": dict(self.speed_kmh),
            "same_place_m": self.same_place_m,
        }
        if self.url is not None:
            out["url"] = self.url
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TravelModel:
        """Build a model from :meth:`to_dict`'s shape; missing keys take the defaults.

        Unknown keys are refused (a misspelt ``overhead_mins`` must not
        silently fall back to the default).  ``speed_kmh``, when given,
        replaces the default table entirely.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"a travel model must be a mapping, got {type(data).__name__}")
        allowed = ("kind", "circuity", "overhead_min", "speed_kmh", "same_place_m", "url")
        unknown = sorted(str(k) for k in data if k not in allowed)
        if unknown:
            raise ValueError(
                f"unknown travel model field(s) {', '.join(unknown)}: expected {', '.join(allowed)}"
            )
        return cls(**{k: data[k] for k in allowed if k in data})


@runtime_checkable
class TravelTimes(Protocol):
    """What routing and the checker use: integer seconds between points for one transport."""

    model: TravelModel

    def matrix_seconds(self, points: Sequence[Sequence[float]], transport: str) -> list[list[int]]:
        """n×n seconds; 0 on the diagonal."""
        ...

    def leg_seconds(self, a: Sequence[float], b: Sequence[float], transport: str) -> int:
        """Seconds from stop ``a`` to a *different* stop ``b`` (same as the matrix entry)."""
        ...


class StraightLineTimes:
    """Travel times from straight-line distances (``kind`` geodesic or great_circle).

    Keeps the distance matrix of recently seen point sets (bounded by
    ``cache_cells``), so asking again for another transport or by the
    checker costs microseconds.  Safe to share between threads.
    """

    def __init__(self, model: TravelModel, *, cache_cells: int = 1_000_000):
        if model.kind not in ("geodesic", "great_circle"):
            raise ValueError(f"StraightLineTimes needs kind geodesic or great_circle, got {model.kind!r}")
        self.model = model
        self._pair = geodesic_m if model.kind == "geodesic" else great_circle_m
        self._cache = MatrixCache(cache_cells)

    def distances_m(self, points: Sequence[Sequence[float]]) -> list[list[float]]:
        """Symmetric straight-line distance matrix in metres (a fresh copy)."""
        return [list(row) for row in self._distances(check_points(points))]

    def _distances(self, pts: tuple[LatLon, ...]) -> tuple[tuple[float, ...], ...]:
        return self._cache.get_or_compute(pts, lambda: pair_matrix(pts, self._pair))

    def matrix_seconds(self, points: Sequence[Sequence[float]], transport: str) -> list[list[int]]:
        per_metre = self.model.seconds_per_metre(transport)  # validates transport first
        pts = check_points(points)
        dist = self._distances(pts)
        leg = self.model._leg
        return [
            [0 if i == j else leg(d, per_metre) for j, d in enumerate(row)]
            for i, row in enumerate(dist)
        ]

    def leg_seconds(self, a: Sequence[float], b: Sequence[float], transport: str) -> int:
        per_metre = self.model.seconds_per_metre(transport)
        pa, pb = check_points((a, b))
        return self.model._leg(self._pair(pa, pb), per_metre)
