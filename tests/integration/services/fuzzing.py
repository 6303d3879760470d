"""Runs schemathesis over every operation of an ASGI app's OpenAPI schema with hypothesis.

(Used instead of ``schemathesis.pytest.from_fixture``, whose lazy loader does not work with pytest 9.)
"""

from __future__ import annotations

from typing import Any, cast

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error


def fuzz_every_operation(app: Any, *, headers: dict[str, str], max_examples: int) -> dict[str, str]:
    """Failures (``not_a_server_error``) by operation label; empty when every answer was below 500."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: dict[str, str] = {}
    operations: list[Any] = [cast(Any, result).ok() for result in schema.get_all_operations()]
    assert operations, "the schema has no operations"
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @given(case=strategy)
        @settings(max_examples=max_examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collected per operation and reported together below
            failures[operation.label] = str(exc)[:2000]
    return failures
