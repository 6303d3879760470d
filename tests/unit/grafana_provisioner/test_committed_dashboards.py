"""The committed dashboards (stacks/assets/grafana) are what the provisioner accepts, and every panel's data source is
one of the two it provisions, with the matching type: a dashboard pointing elsewhere would show "data source not
found" after the first deploy."""

from __future__ import annotations

from typing import Any

from lambdas.grafana_provisioner.dashboards import load_dashboards
from lambdas.grafana_provisioner.logic import AMP_UID, CLOUDWATCH_UID
from stacks.constructs.grafana_provisioning import DASHBOARDS

PROVISIONED = {AMP_UID: "prometheus", CLOUDWATCH_UID: "cloudwatch"}


def references(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node["datasource"]] if isinstance(node.get("datasource"), dict) else []
        return found + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in references(value)]
    return []


def test_given_the_committed_dashboards_then_each_loads_and_reads_only_provisioned_data_sources() -> None:
    dashboards = load_dashboards(DASHBOARDS)  # raises on a missing uid or title, or a duplicate uid
    for dashboard in dashboards:
        for ref in references(dashboard):
            uid = ref.get("uid")
            if isinstance(uid, str) and uid.startswith("$"):
                continue  # a template variable, resolved among the provisioned data sources
            assert uid in PROVISIONED, f"{dashboard['uid']} reads data source {ref}"
            assert ref.get("type", PROVISIONED[uid]) == PROVISIONED[uid], f"{dashboard['uid']}: {ref}"
