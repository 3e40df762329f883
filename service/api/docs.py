"""OpenAPI helpers: request body examples and documented responses (success and problems), and
the completion of the generated document, in one place, so that it says what the API answers.

Handlers declare their success response and the problems of their domain (403, 409, 422, 429…)
with `responses`; `complete_schema` then gives every API operation the problems that follow from
its shape (400 for parameters or a body, 401 when it reads the caller's credentials, 404 for a
path parameter, 413 and 415 for a JSON body), all as ``application/problem+json`` with the
`Problem` schema, and the other media types a success may take (a CSV download, a stream).
Operations that read the caller's API key say so (``security``: required or optional).
`CompletedJsonPlugin` serves that document at ``/schema/openapi.json``; `StructSchemas` makes
the structs' schemas say what msgspec checks.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import msgspec
from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Example, Schema
from litestar.params import Body, BodyKwarg
from litestar.plugins import OpenAPISchemaPlugin
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition

from service.platform.errors import PROBLEM_JSON, Problem

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

__all__ = [
    "BINARY",
    "NO_EXAMPLE",
    "PROBLEMS",
    "SSE_EVENT",
    "TEXT",
    "CompletedJsonPlugin",
    "StructSchemas",
    "Success",
    "body",
    "complete_schema",
    "problem_codes",
    "responses",
]

API_PREFIX: Final = "/api/"
COMPONENTS: Final = "#/components/schemas/"
PROBLEM_REF: Final = COMPONENTS + "Problem"
BINARY: Final[dict[str, Any]] = {"type": "string", "format": "binary"}
TEXT: Final[dict[str, Any]] = {"type": "string"}
NO_EXAMPLE: Final = object()
"""`responses` without an example (``None`` is an example: the JSON ``null``)."""
SSE_EVENT: Final[dict[str, Any]] = {
    "description": "Un événement Server-Sent Events : son nom (sources, token, done) et ses "
    "données en JSON.",
    "type": "object",
    "properties": {"event": {"type": "string"}, "data": {"type": "string"}},
    "required": ["data"],
}

PROBLEMS: Final[dict[int, dict[str, Any]]] = {
    400: {
        "title": "Requête invalide",
        "status": 400,
        "detail": "Le corps de la requête n'est pas un JSON valide ou ne respecte pas le schéma.",
    },
    401: {
        "title": "Authentification requise",
        "status": 401,
        "detail": "Clé d'API inconnue, révoquée ou expirée.",
    },
    403: {
        "title": "Accès refusé",
        "status": 403,
        "detail": "Action réservée aux rôles : admin.",
    },
    404: {"title": "Introuvable", "status": 404, "detail": "Évaluation introuvable."},
    409: {
        "title": "Conflit",
        "status": 409,
        "detail": "Évaluation soumise : un administrateur doit la rouvrir.",
    },
    413: {
        "title": "Requête trop volumineuse",
        "status": 413,
        "detail": "Le corps de la requête dépasse la taille permise.",
    },
    415: {
        "title": "Type de contenu non pris en charge",
        "status": 415,
        "detail": "Le corps de la requête doit être du JSON (Content-Type: application/json).",
    },
    422: {
        "title": "Données invalides",
        "status": 422,
        "detail": "1 réponse(s) invalide(s) : strategy.policy_defined : valeur 7 hors de "
        "l'échelle 0 à 4",
        "errors": [{"question": "strategy.policy_defined", "message": "valeur 7 hors de 0 à 4"}],
    },
    429: {
        "title": "Trop de requêtes",
        "status": 429,
        "detail": "Trop de requêtes : réessayez dans un moment.",
    },
}
KEY_SCHEME: Final = "cle"
SECURITY_SCHEMES: Final[dict[str, Any]] = {
    KEY_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "Clé d'API : « Authorization: Bearer tc_… » (POST /api/v1/api-keys).",
    },
    "identifiants": {
        "type": "http",
        "scheme": "basic",
        "description": "Adresse et mot de passe, pour créer sa première clé d'API seulement.",
    },
}
RETRY_AFTER: Final[dict[str, Any]] = {
    "Retry-After": {
        "description": "Secondes à attendre avant de réessayer.",
        "required": True,
        "schema": {"type": "string"},
    }
}


@dataclass
class Success(ResponseSpec):
    """A success response that may also come in other media types (``alternatives``: media type
    → JSON schema), e.g. a download selected by a query parameter."""

    alternatives: Mapping[str, dict[str, Any]] = field(default_factory=dict)


def body(value: Any, summary: str = "Exemple", description: str | None = None) -> BodyKwarg:
    """A JSON request body with one example (use as ``Annotated[T, body(...)]``)."""
    return Body(  # type: ignore[no-any-return]
        description=description,
        examples=[Example(summary=summary, value=value)],
    )


def responses(
    data: type[Any] | Any,
    example: Any = NO_EXAMPLE,
    *,
    status: int = 200,
    errors: tuple[int, ...] = (),
    description: str = "Succès",
    media_type: str = "application/json",
    alternatives: Mapping[str, dict[str, Any]] | None = None,
) -> dict[int, ResponseSpec]:
    """The success response (with its example, if any), and the problems of the endpoint's
    domain (those that follow from its shape are added by `complete_schema`)."""
    specs: dict[int, ResponseSpec] = {
        status: Success(
            data_container=data,
            description=description,
            media_type=media_type,
            examples=None if example is NO_EXAMPLE else [Example(summary="Exemple", value=example)],
            generate_examples=False,
            alternatives=alternatives or {},
        )
    }
    for code in errors:
        specs[code] = ResponseSpec(
            data_container=Problem,
            description=PROBLEMS[code]["title"],
            media_type=PROBLEM_JSON,
            examples=[Example(summary=PROBLEMS[code]["title"], value=PROBLEMS[code])],
            generate_examples=False,
        )
    return specs


def _depends_on(handler: HTTPRouteHandler, name: str) -> bool:
    """Whether the handler receives the dependency `name`, directly or through another one."""
    provided = handler.resolve_dependencies()
    todo, seen = list(handler.parsed_fn_signature.parameters), set()
    while todo:
        parameter = todo.pop()
        if parameter == name:
            return True
        if parameter in seen or parameter not in provided:
            continue
        seen.add(parameter)
        todo.extend(provided[parameter].parsed_fn_signature.parameters)
    return False


def problem_codes(handler: HTTPRouteHandler, operation: Mapping[str, Any]) -> set[int]:
    """The problem statuses an API operation can answer: those it declares, and those that
    follow from its shape."""
    codes = {int(c) for c in operation.get("responses", {}) if c.isdigit() and int(c) >= 400}
    parameters = operation.get("parameters") or []
    content = (operation.get("requestBody") or {}).get("content", {})
    if parameters or content:
        codes.add(400)  # a parameter or a body that does not match its schema
    if _depends_on(handler, "principal"):
        codes.add(401)  # credentials sent but unknown, revoked or expired
    if any(parameter.get("in") == "path" for parameter in parameters):
        codes.add(404)  # no such resource (or one the caller may not know of)
    if content:
        codes.add(413)  # `request_max_body_size`
    if "application/json" in content:
        codes.add(415)  # `service.platform.guard`: a body that is not sent as JSON
    return codes


def _problem_response(code: int) -> dict[str, Any]:
    example = PROBLEMS.get(code)
    media: dict[str, Any] = {"schema": {"$ref": PROBLEM_REF}}
    if example is not None:
        media["examples"] = {f"probleme-{code}": {"summary": example["title"], "value": example}}
    response: dict[str, Any] = {
        "description": example["title"] if example else "Problème",
        "content": {PROBLEM_JSON: media},
    }
    if code == 429:
        response["headers"] = RETRY_AFTER
    return response


def _operations(app: Litestar) -> Iterable[tuple[str, str, HTTPRouteHandler]]:
    """(path as in the document, method, handler) of every API operation."""
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith(API_PREFIX):
            for handler in route.route_handlers:
                if handler.include_in_schema:
                    for method in handler.http_methods:
                        yield route.path_format or "/", method.lower(), handler


def _security(handler: HTTPRouteHandler) -> list[dict[str, list[str]]] | None:
    """The credentials an operation reads: an API key, required where the handler declares a
    401 of its own (the caller must be known), optional elsewhere (public data without one)."""
    if not _depends_on(handler, "principal"):
        return None
    if 401 in (handler.responses or {}):
        return [{KEY_SCHEME: []}]
    return [{}, {KEY_SCHEME: []}]


def _body_is_optional(handler: HTTPRouteHandler) -> bool:
    """Whether the handler's body may be left out (``data: T | None = None``)."""
    data = handler.parsed_fn_signature.parameters.get("data")
    return data is not None and data.is_optional


def complete_schema(app: Litestar, schema: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the generated document where every API operation lists the problems it can
    answer as ``application/problem+json`` (replacing Litestar's own 400, which describes its
    validation error in a shape the service never sends), every media type of its success, and
    the credentials it reads."""
    document = copy.deepcopy(dict(schema))
    document.setdefault("components", {}).setdefault("securitySchemes", {})
    document["components"]["securitySchemes"].update(SECURITY_SCHEMES)
    components = document["components"].setdefault("schemas", {})
    if "Problem" not in components:  # no handler declared a problem of its own
        _, defined = msgspec.json.schema_components([Problem], ref_template=COMPONENTS + "{name}")
        components.update(defined)
    for path, method, handler in _operations(app):
        operation = document.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            continue
        answers = operation.setdefault("responses", {})
        for code in sorted(problem_codes(handler, operation)):
            declared = answers.get(str(code), {}).get("content", {})
            if PROBLEM_JSON not in declared:
                answers[str(code)] = _problem_response(code)
            elif code == 429:
                answers[str(code)].setdefault("headers", RETRY_AFTER)
        for status, spec in (handler.responses or {}).items():
            if isinstance(spec, Success) and str(status) in answers:
                content = answers[str(status)].setdefault("content", {})
                for media_type, media_schema in spec.alternatives.items():
                    content.setdefault(media_type, {"schema": media_schema})
        operation["responses"] = dict(sorted(answers.items()))
        if "requestBody" in operation and _body_is_optional(handler):
            operation["requestBody"]["required"] = False  # Litestar says True for every body
        if "security" not in operation and (security := _security(handler)) is not None:
            operation["security"] = security
    return document


class CompletedJsonPlugin(JsonRenderPlugin):
    """``/schema/openapi.json``: the document completed by `complete_schema` (once per
    application: the generated document does not change)."""

    def __init__(self) -> None:
        super().__init__()
        self._rendered: bytes | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The completed document as JSON."""
        if self._rendered is None:
            self._rendered = self.render_json(request, complete_schema(request.app, openapi_schema))
        return self._rendered


_ZERO_BOUNDS: Final = (
    ("ge", "minimum"),
    ("gt", "exclusive_minimum"),
    ("le", "maximum"),
    ("lt", "exclusive_maximum"),
)


def _constraints(kind: msgspec.inspect.Type) -> msgspec.inspect.Type:
    """The constrained type inside ``T | None``."""
    if isinstance(kind, msgspec.inspect.UnionType):
        others = [t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType)]
        kind = others[0] if len(others) == 1 else kind
    return kind.type if isinstance(kind, msgspec.inspect.Metadata) else kind


class StructSchemas(OpenAPISchemaPlugin):
    """Litestar's schema of a msgspec struct (the next plugin that knows structs), made to say
    what msgspec checks: ``additionalProperties: false`` for a struct that refuses unknown
    fields (``forbid_unknown_fields=True``), and the numeric bounds equal to 0 that Litestar 2
    leaves out (it skips every falsy constraint, so ``Meta(ge=0)`` documented no minimum)."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        """Every struct (not a union of them)."""
        return not field_definition.is_union and field_definition.is_subclass_of(msgspec.Struct)

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        """The completed schema of the struct."""
        plugins = list(schema_creator.plugins)
        plugin = next(
            p
            for p in plugins[plugins.index(self) + 1 :]
            if isinstance(p, OpenAPISchemaPlugin) and p.is_plugin_supported_field(field_definition)
        )
        schema = plugin.to_openapi_schema(field_definition, schema_creator)
        struct = field_definition.type_
        if struct.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        info = msgspec.inspect.type_info(struct)
        for field_info in getattr(info, "fields", ()):
            kind = _constraints(field_info.type)
            prop = (schema.properties or {}).get(field_info.encode_name)
            if not isinstance(prop, Schema):
                continue
            for bound, keyword in _ZERO_BOUNDS:
                if getattr(kind, bound, None) == 0 and getattr(prop, keyword) is None:
                    setattr(prop, keyword, 0)
        return schema
