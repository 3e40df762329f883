"""OpenAPI helpers: request body examples and documented responses (success and problems)."""

from __future__ import annotations

from typing import Any

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, BodyKwarg

from service.platform.errors import Problem

__all__ = ["PROBLEMS", "body", "responses"]

PROBLEMS: dict[int, dict[str, Any]] = {
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
    422: {
        "title": "Données invalides",
        "status": 422,
        "detail": "1 réponse(s) invalide(s) : strategy.policy_defined : valeur 7 hors de "
        "l'échelle 0 à 4",
        "errors": [{"question": "strategy.policy_defined", "message": "valeur 7 hors de 0 à 4"}],
    },
}


def body(value: Any, summary: str = "Exemple", description: str | None = None) -> BodyKwarg:
    """A JSON request body with one example (use as ``Annotated[T, body(...)]``)."""
    return Body(  # type: ignore[no-any-return]
        description=description,
        examples=[Example(summary=summary, value=value)],
    )


def responses(
    data: type[Any] | Any,
    example: Any,
    *,
    status: int = 200,
    errors: tuple[int, ...] = (),
    description: str = "Succès",
) -> dict[int, ResponseSpec]:
    """The success response with an example, and the problem responses the endpoint may give."""
    specs = {
        status: ResponseSpec(
            data_container=data,
            description=description,
            examples=[Example(summary="Exemple", value=example)],
            generate_examples=False,
        )
    }
    for code in errors:
        specs[code] = ResponseSpec(
            data_container=Problem,
            description=PROBLEMS[code]["title"],
            media_type="application/problem+json",
            examples=[Example(summary=PROBLEMS[code]["title"], value=PROBLEMS[code])],
            generate_examples=False,
        )
    return specs
