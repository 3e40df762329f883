"""``OPTIONS`` answers that list every method of the path in ``Allow``.

Litestar 2 gives each route an automatic OPTIONS handler whose ``Allow`` header is read from the
route it was made for. When a path receives its handlers in several registrations (any
controller with two methods on one path: ``GET`` and ``POST /api/v1/campaigns``), Litestar
builds a new route holding every handler but keeps the first route's OPTIONS handler, so
``Allow`` omits the methods added later (litestar-org/litestar#4169, fixed in Litestar 3 only).
`list_every_method` points each automatic OPTIONS handler at the route that finally holds it."""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute

__all__ = ["list_every_method"]


def list_every_method(app: Litestar) -> int:
    """Rebind the automatic OPTIONS handlers of `app` to their final routes; returns how many
    were stale (0 once Litestar builds them right)."""
    stale = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            function = handler.fn
            if handler.http_methods != {"OPTIONS"} or function.__name__ != "options_handler":
                continue  # an OPTIONS handler the application wrote itself
            for cell in function.__closure__ or ():
                made_for = cell.cell_contents
                if isinstance(made_for, HTTPRoute) and made_for is not route:
                    cell.cell_contents = route
                    stale += 1
    return stale
