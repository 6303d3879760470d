"""``python -m local.load``'s checks before it starts anything, and the environment its Locust processes get."""

from __future__ import annotations

from pathlib import Path

import pytest

from local import load


@pytest.mark.usefixtures("no_platform")
def test_given_a_bad_p95_override_then_the_cli_refuses_before_starting_anything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOAD_P95_MS", "quick")
    with pytest.raises(SystemExit) as exit_info:
        load.main(["--profile", "smoke"])
    assert exit_info.value.code == 2
    assert "LOAD_P95_MS" in capsys.readouterr().err


@pytest.mark.usefixtures("no_platform")
def test_given_a_single_worker_then_the_cli_refuses_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        load.main(["--workers", "1"])
    assert "at least 2" in capsys.readouterr().err


@pytest.mark.usefixtures("no_platform")
def test_given_an_unknown_profile_then_the_cli_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        load.main(["--profile", "soak"])
    assert "smoke" in capsys.readouterr().err


def test_given_our_environment_then_locust_gets_the_loadgen_package_and_the_run_options(tmp_path: Path) -> None:
    base = {"PATH": "/usr/bin", "PYTHONPATH": "/elsewhere", "PYTHONHOME": "/other", "NO_PROXY": "corp.example"}
    env = load.locust_env(base, profile="spike", users=300, directory=tmp_path)
    assert env["PYTHONPATH"] == str(load.LOADGEN)
    assert "PYTHONHOME" not in env
    assert (env["LOAD_PROFILE"], env["LOAD_USERS"], env["LOAD_DIR"]) == ("spike", "300", str(tmp_path))
    assert env["NO_PROXY"].split(",") == ["corp.example", "127.0.0.1", "localhost"]
    assert env["PATH"] == "/usr/bin"


@pytest.mark.usefixtures("no_platform")
def test_given_no_earlier_run_then_reconcile_only_says_so_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TLJ_RUN_DIR", str(tmp_path))
    assert load.main(["--reconcile-only"]) == 2
    assert "no load run to reconcile" in capsys.readouterr().err
