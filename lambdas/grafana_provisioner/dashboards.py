"""The committed dashboards: read from a directory, and hashed (at synth, as a resource property).

Only the standard library here: ``stacks/`` imports this module at synth, which must stay fast.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# The dashboards layer (stacks/constructs/grafana_provisioning.py) unpacks stacks/assets/grafana/ here: Lambda
# extracts layers to /opt (Lambda developer guide, "Accessing layer content from your function").
LAYER_DASHBOARDS = Path("/opt/grafana")


class ProvisioningError(Exception):
    """A step failed; the message names it, and the Provider framework reports it to CloudFormation as the reason."""


def load_dashboards(directory: Path) -> list[dict[str, Any]]:
    """Every ``*.json`` dashboard in ``directory`` (none when it does not exist), each with a ``uid`` and a title."""
    if not directory.is_dir():
        return []
    dashboards = []
    for path in sorted(directory.glob("*.json")):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(dashboard, dict) or not dashboard.get("uid") or not dashboard.get("title"):
            raise ProvisioningError(f"{path.name} is not a dashboard with a uid and a title")
        dashboard.pop("id", None)  # Grafana matches by uid; a numeric id from another instance would not exist here
        dashboards.append(dashboard)
    uids = [d["uid"] for d in dashboards]
    if len(set(uids)) != len(uids):
        raise ProvisioningError(f"two dashboard files share a uid: {sorted(u for u in uids if uids.count(u) > 1)}")
    return dashboards


def dashboards_hash(paths: Iterable[Path]) -> str:
    """A digest of the dashboard files' names and bytes: a resource property, so a changed file means an Update."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
