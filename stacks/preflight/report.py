"""Show the results: a table for people, JSON (``{"checks": [...]}``) for tools."""

from __future__ import annotations

import json
import shutil
import textwrap

from stacks.preflight.assembly import Target
from stacks.preflight.context import CheckResult


def render_json(results: list[CheckResult]) -> str:
    return json.dumps({"checks": [r.as_dict() for r in results]}, indent=2)


def render_table(results: list[CheckResult], target: Target, caller_account: str) -> str:
    name_width = max([len("CHECK"), *(len(r.name) for r in results)])
    prefix = name_width + 10  # name, two spaces, "RESULT", two spaces
    detail_width = max(40, shutil.get_terminal_size((120, 24)).columns - prefix)
    lines = [
        f"Preflight of {target.stack_name} in account {caller_account}, region {target.region}",
        "",
        f"{'CHECK':<{name_width}}  RESULT  DETAIL",
    ]
    for result in results:
        wrapped = textwrap.wrap(result.detail, detail_width) or [""]
        lines.append(f"{result.name:<{name_width}}  {'OK' if result.ok else 'FAIL':<6}  {wrapped[0]}")
        lines.extend(" " * prefix + more for more in wrapped[1:])
    failed = [r.name for r in results if not r.ok]
    lines.append("")
    if failed:
        lines.append(
            f"{len(failed)} of {len(results)} checks failed: fix them before `cdk deploy {target.stack_name}`."
        )
    else:
        lines.append(f"All {len(results)} checks passed.")
    return "\n".join(lines)
