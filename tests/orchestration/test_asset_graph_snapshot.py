"""A reviewable snapshot of the asset graph: every asset, its group, its partitions, what it depends on and the checks
on it.

A change to the graph (a new model, a renamed asset, a dropped check) fails this test until the snapshot is
regenerated with `UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/orchestration`, so it shows up in review.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("asset_graph.snapshot.txt")


def render(definitions) -> str:
    from orchestration.transform.dbt import build_dbt_assets, build_replenishment_dbt_assets

    graph = definitions.resolve_asset_graph()
    dbt_tests = set(build_dbt_assets().check_keys) | set(build_replenishment_dbt_assets().check_keys)
    checks = defaultdict(list)
    for check in graph.asset_check_keys:
        checks[check.asset_key].append(check)
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        line = f"{key.to_user_string()}  [group {node.group_name}] [kinds {', '.join(sorted(node.kinds))}]"
        if node.partitions_def is not None:
            # the kind and timezone, not the start date (an environment setting)
            timezone = getattr(node.partitions_def, "timezone", None)
            policy = node.backfill_policy.policy_type.value.lower() if node.backfill_policy else "per partition"
            line += f" [partitions {type(node.partitions_def).__name__} {timezone or ''}, backfill {policy}]"
        lines.append(line)
        for parent in sorted(p.to_user_string() for p in node.parent_keys):
            lines.append(f"    <- {parent}")
        quality = sorted((c for c in checks[key] if c not in dbt_tests), key=lambda c: c.name)
        dbt_checks = [c for c in checks[key] if c in dbt_tests]
        for check in quality:
            blocks = "blocking" if graph.get_check_spec(check).blocking else "non-blocking"
            lines.append(f"    check {check.name} ({blocks})")
        if dbt_checks:
            lines.append(f"    dbt tests: {len(dbt_checks)}")
    return "\n".join(lines) + "\n"


def test_the_asset_graph_matches_its_reviewed_snapshot(dbt_manifest) -> None:
    from orchestration.definitions import build_definitions

    rendered = render(build_definitions())
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/orchestration"
    assert rendered == SNAPSHOT.read_text(encoding="utf-8"), (
        "the asset graph changed: review the difference, then UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/orchestration"
    )
