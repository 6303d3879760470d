"""The preflight finds the stack's template, account and region in the cloud assembly."""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.preflight.assembly import AssemblyError, load
from tests.integration.preflight.templates import template, write_assembly


def test_given_a_concrete_account_in_the_manifest_then_it_and_the_manifest_region_win(tmp_path: Path) -> None:
    write_assembly(tmp_path, "ProdStack", template(), account="111122223333")
    target = load(tmp_path, env="prod", stack_name="ProdStack", environ={"AWS_REGION": "us-east-1"})
    assert (target.account, target.region) == ("111122223333", "ap-northeast-2")
    assert target.account_template is None


def test_given_unknown_account_then_no_account_is_pinned(tmp_path: Path) -> None:
    write_assembly(tmp_path, "DevStack", template())
    assert load(tmp_path, env="dev", stack_name="DevStack", environ={}).account is None


def test_given_no_manifest_then_the_region_comes_from_the_environment_or_defaults_to_seoul(tmp_path: Path) -> None:
    (tmp_path / "DevStack.template.json").write_text("{}")
    assert load(tmp_path, env="dev", stack_name="DevStack", environ={"AWS_DEFAULT_REGION": "eu-west-1"}).region == (
        "eu-west-1"
    )
    assert load(tmp_path, env="dev", stack_name="DevStack", environ={}).region == "ap-northeast-2"


def test_given_an_account_stack_template_then_it_is_loaded_beside_the_stack(tmp_path: Path) -> None:
    write_assembly(tmp_path, "DevStack", template())
    (tmp_path / "AccountStack.template.json").write_text('{"Resources": {}}')
    assert load(tmp_path, env="dev", stack_name="DevStack", environ={}).account_template == {"Resources": {}}


def test_given_no_template_then_the_error_says_to_synthesize(tmp_path: Path) -> None:
    with pytest.raises(AssemblyError, match=r"ProdStack.template.json not found: synthesize first with `make synth`"):
        load(tmp_path, env="prod", stack_name="ProdStack", environ={})


def test_given_a_broken_template_then_the_error_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "ProdStack.template.json").write_text("{not json")
    with pytest.raises(AssemblyError, match=r"cannot read .*ProdStack\.template\.json"):
        load(tmp_path, env="prod", stack_name="ProdStack", environ={})
