"""The preflight's two outputs: the JSON contract and a table a person reads."""

from __future__ import annotations

import json

from stacks.preflight.assembly import Target
from stacks.preflight.context import CheckResult
from stacks.preflight.report import render_json, render_table

RESULTS = [
    CheckResult(name="credentials", ok=True, detail="arn:aws:iam::123456789012:user/ops"),
    CheckResult(name="lambda_concurrency", ok=False, detail="request a quota increase " * 20),
]
TARGET = Target(env="prod", stack_name="ProdStack", template={}, account=None, region="ap-northeast-2",
                account_template=None)  # fmt: skip


def test_given_results_when_rendered_as_json_then_it_is_the_checks_contract() -> None:
    assert json.loads(render_json(RESULTS)) == {"checks": [r.as_dict() for r in RESULTS]}
    assert set(json.loads(render_json(RESULTS))["checks"][0]) == {"name", "ok", "detail"}


def test_given_a_failure_when_rendered_as_a_table_then_each_check_has_a_row_and_the_summary_counts_failures() -> None:
    table = render_table(RESULTS, TARGET, "123456789012")
    lines = table.splitlines()
    assert lines[0] == "Preflight of ProdStack in account 123456789012, region ap-northeast-2"
    assert any(line.startswith("credentials") and " OK " in line for line in lines)
    assert any(line.startswith("lambda_concurrency") and " FAIL " in line for line in lines)
    assert lines[-1] == "1 of 2 checks failed: fix them before `cdk deploy ProdStack`."


def test_given_only_passes_when_rendered_as_a_table_then_the_summary_says_so() -> None:
    assert render_table(RESULTS[:1], TARGET, "123456789012").splitlines()[-1] == "All 1 checks passed."
