from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get

from finops_api.auth.middleware import principal_of
from finops_api.auth.principal import LOAD_READER, SIMULATION_WRITER
from finops_api.errors import problem_responses
from finops_api.me.schemas import Me


class MeController(Controller):
    path = "/me"
    tags = ("auth",)

    @get(
        "/",
        operation_id="getMe",
        summary="The caller as the API sees it: subject, role, ownership refs and what it may do",
        description=(
            "Lets a client show what a user may do before it tries (e.g. the What-if form disabled "
            "for a viewer). Answers from the token alone, without reading the mart."
        ),
        responses=problem_responses(),
    )
    async def get_me(self, request: Request[Any, Any, Any]) -> Me:
        principal = principal_of(request)
        return Me(
            subject=principal.subject,
            role=principal.role,
            authentication=request.app.state.api_config.auth.mode,
            ownership_refs=sorted(principal.ownership_refs),
            sees_every_application=principal.sees_everything,
            can_write_simulations=principal.has(SIMULATION_WRITER),
            can_read_loads=principal.has(LOAD_READER),
        )
