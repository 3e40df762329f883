"""The browsable API reference at ``/schema``: Swagger UI served from the package's own files
(the ``swagger-ui-py`` wheel carries them), under the same strict CSP as every page, so the
reference loads nothing from a CDN and runs no inline script."""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any, Final

from litestar import Request, Router
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router
from markupsafe import escape

__all__ = ["ASSETS_PATH", "LocalSwaggerPlugin"]

ASSETS_PATH: Final = "/assets"
"""Where the viewer's files are served, below the OpenAPI router (``/schema/assets``)."""
_SWAGGER_FILES: Final = ("swagger-ui.css", "swagger-ui-bundle.js")


def _swagger_directory() -> Path:
    """The folder of Swagger UI's distribution files inside the installed wheel."""
    return Path(str(importlib.resources.files("swagger_ui") / "static"))


class LocalSwaggerPlugin(OpenAPIRenderPlugin):
    """Swagger UI from local assets; the page's only script is ``/static/js/api-docs.js``."""

    def __init__(self, *, path: str | list[str] = "/", title: str = "API") -> None:
        super().__init__(path=path)
        self.title = title

    def receive_router(self, router: Router) -> None:
        """Serve Swagger UI's files next to the reference."""
        router.register(
            create_static_files_router(
                path=ASSETS_PATH,
                directories=[_swagger_directory()],
                name="api-reference-assets",
                include_in_schema=False,
                send_as_attachment=False,
            )
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The reference page: the viewer's stylesheet and bundle, then our initialiser."""
        base = request.app.route_reverse("api-reference-assets", file_path="/").rstrip("/")
        spec = self.get_openapi_json_route(request)
        css, bundle = (f"{base}/{name}" for name in _SWAGGER_FILES)
        return (
            "<!doctype html>\n"
            '<html lang="fr"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(self.title)}</title>"
            f'<link rel="stylesheet" href="{escape(css)}"></head>'
            f'<body><div id="swagger-ui" data-spec="{escape(spec)}"></div>'
            f'<script src="{escape(bundle)}"></script>'
            '<script src="/static/js/api-docs.js"></script>'
            "</body></html>"
        ).encode()
