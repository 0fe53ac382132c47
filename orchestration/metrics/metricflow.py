"""Asking the MetricFlow semantic layer (defined in `models/metrics/`) for metrics.

MetricFlow compiles each request to SQL from the one definition of each metric; this module runs that SQL on the
warehouse connection it is given, so the metric tables are written by one DuckDB writer.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from orchestration.settings import DBT_TARGET_DIR, PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)


_DAY_CONSTRAINT = re.compile(r"DATE_TRUNC\('day', ([\w.\"]+)\) BETWEEN ('\d{4}-\d{2}-\d{2}') AND ('\d{4}-\d{2}-\d{2}')")


def exact_day_constraints(sql: str) -> str:
    """MetricFlow's day-grain time constraint `DATE_TRUNC('day', paid_date) BETWEEN '2025-11-01' AND '2025-11-30'`,
    written as `CAST(paid_date AS DATE) BETWEEN …` (the same days).

    DuckDB 1.4.4's expression rewriter turns `date_trunc('day', <date column>) between a and b` into a range that
    also holds the day after b in some query shapes (reproduced on a plain table; a timestamp column or a cast is not
    affected), so without this a month's answer could include the 1st of the next month. `sql_for` applies it to
    every query, for the metric tables and `orchestration.ask` alike.
    """
    return _DAY_CONSTRAINT.sub(r"CAST(\1 AS DATE) BETWEEN \2 AND \3", sql)


@dataclass(frozen=True)
class MetricInfo:
    name: str
    label: str
    description: str
    metric_type: str


@dataclass(frozen=True)
class SavedQueryInfo:
    name: str
    description: str
    metrics: tuple[str, ...]


def semantic_manifest_path(target_path: Path | None = None) -> Path:
    """The semantic manifest of the warehouse in WAREHOUSE_PATH (its target path, written by the pipeline's
    `dbt parse`), or dbt's default `target/semantic_manifest.json` (`dbt parse` by hand) when that has none."""
    own = (target_path or Settings.from_env().dbt_target_path) / "semantic_manifest.json"
    return own if own.exists() else DBT_TARGET_DIR / "semantic_manifest.json"


class SemanticLayer:
    """MetricFlow over the dbt project's semantic manifest (`semantic_manifest_path()`: run dbt parse)."""

    def __init__(
        self, project_dir: Path = PROJECT_ROOT, profiles_dir: Path = PROJECT_ROOT, target_path: Path | None = None
    ) -> None:
        self.project_dir = project_dir
        self.profiles_dir = profiles_dir
        self.target_path = target_path

    def __enter__(self) -> SemanticLayer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the warehouse connection MetricFlow's dbt adapter holds open in this process.

        DuckDB refuses a read-only connection to a file this process already has open read-write, so later steps
        of an in-process run (the report export) need it gone.
        """
        if "_configuration" not in self.__dict__:
            return
        try:
            from dbt.adapters.duckdb.connections import DuckDBConnectionManager
        except ImportError:  # another adapter: nothing DuckDB-specific to release
            pass
        else:
            DuckDBConnectionManager.close_all_connections()
        del self.__dict__["_configuration"]

    @cached_property
    def _configuration(self):  # type: ignore[no-untyped-def]
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        from dbt_metricflow.cli.cli_configuration import CLIConfiguration
        from dbt_metricflow.cli.dbt_connectors.dbt_config_accessor import dbtArtifacts
        from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest

        manifest_path = semantic_manifest_path(self.target_path)

        class WarehouseConfiguration(CLIConfiguration):
            """MetricFlow's CLI configuration reads `target/semantic_manifest.json` under the project, whatever the
            target path: this one reads the warehouse's own (orchestration/settings.py, `dbt_target_path_for`)."""

            @property
            def dbt_artifacts(self) -> dbtArtifacts:
                if self._dbt_artifacts is None:
                    from dbt.adapters.factory import get_adapter_by_type

                    metadata = self.dbt_project_metadata
                    self._dbt_artifacts = dbtArtifacts(
                        profile=metadata.profile,
                        project=metadata.project,
                        adapter=get_adapter_by_type(metadata.profile.credentials.type),
                        semantic_manifest=parse_manifest_from_dbt_generated_manifest(
                            manifest_json_string=manifest_path.read_text(encoding="utf-8")
                        ),
                    )
                return self._dbt_artifacts

        configuration = WarehouseConfiguration()
        configuration.setup(
            dbt_profiles_path=self.profiles_dir,
            dbt_project_path=self.project_dir,
            configure_file_logging=False,
        )
        return configuration

    def sql_for(
        self,
        metrics: list[str],
        group_by: list[str],
        start: dt.date | None = None,
        end: dt.date | None = None,
        where: list[str] | None = None,
        order_by: list[str] | None = None,
        limit: int | None = None,
    ) -> str:
        """The SQL MetricFlow writes for these metrics, grouped, filtered, ordered (`-name` descending) and limited
        as asked (dates inclusive). With no metrics: the distinct values of the group-by dimensions."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

        request = MetricFlowQueryRequest.create(
            metric_names=metrics or None,
            group_by_names=group_by,
            time_constraint_start=dt.datetime.combine(start, dt.time.min) if start else None,
            time_constraint_end=dt.datetime.combine(end, dt.time.max) if end else None,
            where_constraints=where,
            order_by_names=order_by or None,
            limit=limit,
        )
        statement = self._configuration.mf.explain(request).sql_statement
        if statement.bind_parameter_set.param_dict:
            raise NotImplementedError("MetricFlow returned bind parameters; run it through its own client instead")
        return exact_day_constraints(statement.without_descriptions.sql)

    def group_bys(self, metrics: list[str]) -> list[tuple[str, str, str]]:
        """The dimensions every one of these metrics can be grouped by, as MetricFlow names them: (dunder name such
        as `order__shop_name`, semantic model, dimension name), time dimensions and metric_time included."""
        key = tuple(sorted(metrics))
        cache = self.__dict__.setdefault("_group_bys", {})
        if key not in cache:
            cache[key] = [
                (
                    dimension.dunder_name,
                    dimension.semantic_model_reference.semantic_model_name
                    if dimension.semantic_model_reference
                    else "",
                    dimension.name,
                )
                for dimension in self._configuration.mf.simple_dimensions_for_metrics(list(metrics))
            ]
        return cache[key]

    def sql_for_saved_query(self, name: str) -> str:
        """The SQL MetricFlow writes for a saved query (models/metrics/*.yml `saved_queries:`)."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

        statement = self._configuration.mf.explain(MetricFlowQueryRequest.create(saved_query_name=name)).sql_statement
        if statement.bind_parameter_set.param_dict:
            raise NotImplementedError("MetricFlow returned bind parameters; run it through its own client instead")
        return statement.without_descriptions.sql

    def saved_queries(self) -> list[SavedQueryInfo]:
        """The saved queries of the semantic manifest, with their metric names, in name order."""
        manifest = self._configuration.semantic_manifest
        return [
            SavedQueryInfo(
                name=query.name,
                description=(query.description or "").strip(),
                metrics=tuple(query.query_params.metrics),
            )
            for query in sorted(manifest.saved_queries, key=lambda q: q.name)
        ]

    def metrics(self) -> list[MetricInfo]:
        manifest = self._configuration.semantic_manifest
        return [
            MetricInfo(
                name=metric.name,
                label=metric.label or metric.name,
                description=(metric.description or "").strip(),
                metric_type=str(metric.type.value if hasattr(metric.type, "value") else metric.type),
            )
            for metric in sorted(manifest.metrics, key=lambda m: m.name)
        ]
