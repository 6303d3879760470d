"""The documented command, as written, against a running moto server: no table, endpoint or credentials given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from lambdas.recommendation import datagen
from lambdas.recommendation.repository import DynamoStatsStore
from local.bootstrap import bootstrap, dynamodb_client
from local.processes import free_ports
from local.settings import REPO_ROOT


@pytest.fixture
def emulator() -> Iterator[str]:
    """A moto server on a free port with the local platform's tables, as ``make up`` leaves it."""
    (port,) = free_ports(1)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        bootstrap(f"http://127.0.0.1:{port}", "tlj-local")
        yield str(port)
    finally:
        server.stop()


def run_documented_command(history: Path, tmp_path: Path, aws_port: str) -> subprocess.CompletedProcess[str]:
    # Nothing AWS in the environment (HOME too, so no ~/.aws): only the platform's port override, as after make up.
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update({"HOME": str(tmp_path), "AWS_PORT": aws_port, "PYTHONPATH": str(REPO_ROOT)})
    env.pop("RECOMMENDATIONS_TABLE", None)
    return subprocess.run(
        [sys.executable, "-m", "lambdas.recommendation.ingest", "--transactions", str(history)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_command_loads_the_local_platforms_table(emulator: str, tmp_path: Path) -> None:
    # Given a running emulator and a history file
    history = tmp_path / "history.csv"
    datagen.main(["--orders", "100", "--seed", "5", "--out", str(history)])
    # When the command runs exactly as ARCHITECTURE.md writes it
    done = run_documented_command(history, tmp_path, emulator)
    # Then it loaded every order into tlj-local-recommendations in the emulator
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["table"], summary["orders"]) == ("tlj-local-recommendations", 100)
    store = DynamoStatsStore(dynamodb_client(f"http://127.0.0.1:{emulator}"), "tlj-local-recommendations")
    assert store.read(["TOTAL"])["TOTAL"]["#ORDERS"]["n"] == 100


def test_without_a_running_platform_it_says_so(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    datagen.main(["--orders", "10", "--seed", "5", "--out", str(history)])
    (closed_port,) = free_ports(1)
    done = run_documented_command(history, tmp_path, str(closed_port))
    assert done.returncode == 2
    assert f"no local platform at http://127.0.0.1:{closed_port}" in done.stderr
