"""The rendered local Prometheus config and rules pass promtool, the checker of the server that runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from local import prometheus
from local.processes import isolated_settings
from local.settings import REPO_ROOT

# Same default and override as the Makefile's PROMTOOL (Debian's prometheus package unpacked into .tools/).
PROMTOOL = os.environ.get("PROMTOOL", str(REPO_ROOT / ".tools" / "usr" / "bin" / "promtool"))


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which(PROMTOOL)
    assert found, f"promtool not found at {PROMTOOL}: run `make install` or set PROMTOOL"
    return found


def test_given_the_rendered_config_then_promtool_accepts_it_and_the_rules_it_loads(
    promtool: str, tmp_path: Path
) -> None:
    # Given the config and rules rendered for an isolated platform
    settings = isolated_settings(tmp_path)
    config = prometheus.write_files(settings)
    # When promtool checks the config (which also checks every rule file it names)
    result = subprocess.run(
        [promtool, "check", "config", str(config)], capture_output=True, text=True, timeout=60, check=False
    )
    # Then both are valid, and the rule file checked is the rendered copy with all of AMP's rules
    assert result.returncode == 0, result.stdout + result.stderr
    rules = prometheus.rules_path(settings)
    assert f"Checking {rules}" in result.stdout
    source = yaml.safe_load(prometheus.RULES_SOURCE.read_text(encoding="utf-8"))
    count = sum(len(group["rules"]) for group in source["groups"])
    assert f"SUCCESS: {count} rules found" in result.stdout
