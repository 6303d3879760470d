"""`python -m stacks.cost`: the JSON contract, the exit status on an unpriced type, and the diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stacks.cost.__main__ import main
from tests.unit.stacks.cost_fixtures import NETWORK, NO_TRAFFIC, price_table, usage, write_assembly


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    directory = price_table(tmp_path / "prices", confirmed=False)
    usage(directory, NO_TRAFFIC)
    return directory


def test_given_an_assembly_when_json_is_asked_then_the_contract_shape_is_printed(
    tmp_path: Path, prices: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cdk_out = write_assembly(tmp_path / "cdk.out", {"DevStack": NETWORK})
    assert main([str(cdk_out), "--json", "--prices", str(prices)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"region", "as_of"} <= set(report["prices"])
    assert report["prices"]["region"] == "ap-northeast-2"
    stack = report["stacks"]["DevStack"]
    assert {"monthly_usd", "fixed_usd", "lines", "unpriced"} <= set(stack)
    assert stack["unpriced"] == []
    for line in stack["lines"]:
        assert {"logical_id", "type", "monthly_usd", "basis"} <= set(line)
        assert isinstance(line["monthly_usd"], float)
        assert line["basis"]
    assert stack["monthly_usd"] == pytest.approx(sum(line["monthly_usd"] for line in stack["lines"]))
    assert stack["monthly_usd"] == pytest.approx(66.70)
    # every price used is unconfirmed in this table, so each is listed
    assert {p["key"] for p in report["prices"]["unconfirmed"]} == {
        "nat_gateway_hour",
        "nat_gateway_gb",
        "interface_endpoint_az_hour",
        "interface_endpoint_gb",
        "kms_key_month",
        "kms_requests_10k",
    }


def test_given_a_made_up_type_then_the_command_exits_non_zero_naming_it_and_its_logical_id(
    tmp_path: Path, prices: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cdk_out = write_assembly(tmp_path / "cdk.out", {"DevStack": {**NETWORK, "Gizmo": {"Type": "AWS::Made::Up"}}})
    assert main([str(cdk_out), "--json", "--prices", str(prices)]) == 1
    captured = capsys.readouterr()
    assert "AWS::Made::Up" in captured.err
    assert "Gizmo" in captured.err
    assert json.loads(captured.out)["stacks"]["DevStack"]["unpriced"] == [
        {"type": "AWS::Made::Up", "logical_ids": ["Gizmo"]}
    ]


def test_given_the_text_report_then_it_shows_totals_top_lines_assumptions_and_unconfirmed_prices(
    tmp_path: Path, prices: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cdk_out = write_assembly(tmp_path / "cdk.out", {"DevStack": NETWORK})
    assert main([str(cdk_out), "--prices", str(prices)]) == 0
    out = capsys.readouterr().out
    assert "== DevStack: $66.70/month ($66.70 fixed + $0.00 with the assumed usage)" in out
    assert "where the money goes:" in out
    assert "1. $36.50 (55%)  Nat NAT gateway hours" in out
    assert "usage assumptions" in out
    assert "kms_requests_per_key_month=0" in out
    assert "Seoul prices used here are unconfirmed" in out
    assert "nat_gateway_hour" in out


def test_given_no_assembly_then_it_exits_2_saying_to_synthesize(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nothing")]) == 2
    assert "make synth" in capsys.readouterr().err


def test_given_a_base_and_a_head_then_the_diff_names_added_removed_and_changed_lines(
    tmp_path: Path, prices: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = dict(NETWORK)
    head = {key: value for key, value in NETWORK.items() if key != "LogsEndpoint"}
    head["StsEndpoint"] = {
        **NETWORK["StsEndpoint"],
        "Properties": {**NETWORK["StsEndpoint"]["Properties"], "SubnetIds": [{"Ref": "SubnetA"}]},
    }
    head["Key2"] = {"Type": "AWS::KMS::Key", "Properties": {}}
    base_dir = write_assembly(tmp_path / "base", {"DevStack": base})
    head_dir = write_assembly(tmp_path / "head", {"DevStack": head})
    assert main(["diff", str(base_dir), str(head_dir), "--json", "--prices", str(prices)]) == 0
    stack = json.loads(capsys.readouterr().out)["stacks"]["DevStack"]
    # removed LogsEndpoint (-14.60), Sts in one subnet (-7.30), a new key (+1.00)
    assert stack["delta_usd"] == pytest.approx(-20.90)
    changes = {(c["change"], c["logical_id"], c["name"]): c["delta_usd"] for c in stack["lines"]}
    assert changes[("removed", "LogsEndpoint", "interface endpoint AZ-hours")] == pytest.approx(-14.60)
    assert changes[("changed", "StsEndpoint", "interface endpoint AZ-hours")] == pytest.approx(-7.30)
    assert changes[("added", "Key2", "KMS key")] == pytest.approx(1.00)
    assert not any(c[1] == "Nat" for c in changes)  # unchanged lines are left out


def test_given_the_diff_as_markdown_then_it_is_a_table_for_the_job_summary(
    tmp_path: Path, prices: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_dir = write_assembly(tmp_path / "base", {"DevStack": NETWORK})
    head_dir = write_assembly(tmp_path / "head", {"DevStack": {**NETWORK, "Key2": {"Type": "AWS::KMS::Key"}}})
    assert main(["diff", str(base_dir), str(head_dir), "--prices", str(prices)]) == 0
    out = capsys.readouterr().out
    assert "| DevStack | $66.70 | $67.70 | +1.00 |" in out
    assert "| added | `Key2` (AWS::KMS::Key) | KMS key | $0.00 | $1.00 | +1.00 |" in out
