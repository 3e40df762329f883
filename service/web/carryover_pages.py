"""« Reprendre les réponses de l'an dernier »: pre-fill a draft from the previous campaign.

The answers so filled show « à confirmer » on the questionnaire until the respondent confirms
or changes them (`service.assessments.carryover`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, post
from litestar.params import PathParameter
from litestar.response import Redirect

from service.assessments.carryover import carry_over
from service.deps import CurrentModel, CurrentPrincipal, DbSession

__all__ = ["CarryOverPages"]


class CarryOverPages(Controller):
    """The carry-over action of the assessment overview."""

    path = "/"
    include_in_schema = False

    @post(
        "/evaluations/{assessment_id:uuid}/reprendre", name="assessment-carry-over", status_code=303
    )
    async def carry_over(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: Annotated[uuid.UUID, PathParameter()],
    ) -> Redirect:
        """Fill what is still unanswered with last campaign's answers, then back to the
        overview (errors show as the usual error page: none to carry, no mapping)."""
        await carry_over(db_session, principal, model, assessment_id)
        return Redirect(
            path=f"/evaluations/{assessment_id}",
            query_params={"message": "carried_over"},
            status_code=303,
        )
