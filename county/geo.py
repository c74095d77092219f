"""Distances between grid centres and a shared location."""

from __future__ import annotations

import math
from collections.abc import Iterable

from county.models import Grid

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearest_grid(
    grids: Iterable[Grid], latitude: float, longitude: float
) -> tuple[Grid, float] | None:
    best: tuple[Grid, float] | None = None
    for grid in grids:
        if grid.latitude is None or grid.longitude is None:
            continue
        distance = haversine_km(latitude, longitude, grid.latitude, grid.longitude)
        if best is None or distance < best[1]:
            best = (grid, distance)
    return best
