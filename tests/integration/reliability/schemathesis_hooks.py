"""Schemathesis hooks for the role runs (loaded through ``SCHEMATHESIS_HOOKS``).

Schemathesis learns identifiers from the responses it sees (``GET /api/v1/api-keys`` lists the
caller's own key) and reuses them: it would revoke the very key the run authenticates with,
and the rest of the run would test nothing but 401s. The key's id is given in
``TERRITOIRES_RUN_KEY_ID``; a case revoking it is dropped, in every phase (revocation itself is
covered by tests/integration/service/test_accounts_api.py)."""

from __future__ import annotations

import os
from typing import Any

import schemathesis

RUN_KEY_ID = os.environ.get("TERRITOIRES_RUN_KEY_ID", "")


def _revokes_run_key(case: Any) -> bool:
    return bool(
        RUN_KEY_ID
        and case.method.upper() == "DELETE"
        and case.operation.path.startswith("/api/v1/api-keys")
        and str((case.path_parameters or {}).get("key_id")) == RUN_KEY_ID
    )


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    """Generated cases (coverage, fuzzing, stateful): all but the run key's revocation."""
    return not _revokes_run_key(case)


@schemathesis.hook
def before_add_examples(context: Any, examples: list[Any]) -> None:
    """Cases built from examples and learned identifiers: the same, in place."""
    examples[:] = [case for case in examples if not _revokes_run_key(case)]
