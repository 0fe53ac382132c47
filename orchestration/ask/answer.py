"""Answering a parsed question: MetricFlow compiles the query (`SemanticLayer`, the engine the pipeline uses), DuckDB
runs it on the warehouse (read only), and the answer carries the query in `mf query` form, the definitions (口径) of
the metrics it used, and notes on every interpretation it made."""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.ask.parser import Comparison, Parsed, Query, QuestionParser
from orchestration.ask.timeexpr import load_promotions
from orchestration.ask.vocabulary import DimensionConcept, Vocabulary, load_vocabulary
from orchestration.metrics.metricflow import SemanticLayer

logger = logging.getLogger(__name__)


def mf_command(query: Query) -> str:
    """The same query as `mf query` flags, to run by hand."""
    parts = ["mf", "query", "--metrics", ",".join(query.metrics)]
    if query.group_by:
        parts += ["--group-by", ",".join(query.group_by)]
    for where in query.where:
        parts += ["--where", where]
    if query.order_by:
        parts += ["--order", ",".join(query.order_by)]
    if query.limit is not None:
        parts += ["--limit", str(query.limit)]
    if query.start_time:
        parts += ["--start-time", query.start_time.isoformat()]
    if query.end_time:
        parts += ["--end-time", query.end_time.isoformat()]
    return " ".join(shlex.quote(part) for part in parts)


@dataclass
class Answer:
    question: str
    query: Query | None
    columns: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    definitions: list[tuple[str, str, str]] = field(default_factory=list)
    """(metric, label, 口径) of the metrics used."""
    refused: bool = False
    suggestions: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "query": self.query.as_dict() if self.query else None,
            "columns": self.columns,
            "rows": [[_json_value(v) for v in row] for row in self.rows],
            "notes": self.notes,
        }

    def as_text(self) -> str:
        lines = [f"问题：{self.question}"]
        if self.refused:
            lines += [f"  {note}" for note in self.notes]
            return "\n".join(lines)
        lines.append("")
        lines += _table(self.columns, self.rows)
        if self.definitions:
            lines += ["", "指标口径："]
            lines += [f"  {label}（{name}）：{definition}" for name, label, definition in self.definitions]
        if self.query:
            lines += ["", "MetricFlow 查询：", f"  {mf_command(self.query)}"]
        if self.notes:
            lines += ["", "说明："] + [f"  - {note}" for note in self.notes]
        return "\n".join(lines)


def _json_value(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time.min else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _display(value: object) -> str:
    value = _json_value(value)
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 1 else f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _table(columns: list[str], rows: list[list[object]]) -> list[str]:
    if not rows:
        return ["（没有数据）"]
    cells = [[_display(v) for v in row] for row in rows]
    widths = [max(_width(c) for c in [name] + [row[i] for row in cells]) for i, name in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    return [line(columns), line(["-" * w for w in widths])] + [line(row) for row in cells]


class Asker:
    """Answers questions on one warehouse; build it once and ask many (the vocabulary and MetricFlow stay loaded)."""

    def __init__(self, warehouse_path: Path, as_of: dt.date | None = None, layer: SemanticLayer | None = None) -> None:
        self.warehouse_path = warehouse_path
        self.layer = layer or SemanticLayer()
        # a read-only connection per use, never held between questions: a long session must not stop the
        # pipeline (one writer, which needs the file unlocked) from rebuilding the warehouse
        with self._connect() as con:
            self.as_of = as_of or self._data_as_of(con)
            self.vocabulary = load_vocabulary(dimension_values=lambda concept: self._dimension_values(con, concept))
        self.parser = QuestionParser(
            self.vocabulary, self.layer.group_bys, self.as_of, load_promotions(), as_of_is_explicit=as_of is not None
        )

    def _connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse_path), read_only=True)

    def close(self) -> None:
        self.layer.close()

    def __enter__(self) -> Asker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _data_as_of(self, con: duckdb.DuckDBPyConnection) -> dt.date:
        """The report's 数据截至: `metrics.report_meta.data_as_of`, or computed the same way when the metric tables
        are not written yet."""
        from orchestration.metrics.tables import METRICS_SCHEMA, data_as_of

        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = 'report_meta'",
            [METRICS_SCHEMA],
        ).fetchone()[0]  # type: ignore[index]
        if exists:
            row = con.execute(f"select max(data_as_of) from {METRICS_SCHEMA}.report_meta").fetchone()
            if row and row[0]:
                return row[0]
        computed = data_as_of(con, self.layer)
        if computed is None:
            raise RuntimeError(f"the warehouse {self.warehouse_path} has no orders: nothing to ask about")
        return computed

    def _dimension_values(self, con: duckdb.DuckDBPyConnection, concept: DimensionConcept) -> list[str]:
        sql = self.layer.sql_for([], [concept.key])
        return sorted({str(row[0]) for row in con.execute(sql).fetchall() if row[0] is not None})

    def _first_day(self) -> str:
        with self._connect() as con:
            sql = self.layer.sql_for(["orders"], ["metric_time__day"], order_by=["metric_time__day"], limit=1)
            row = con.execute(sql).fetchone()
        return str(row[0])[:10] if row else "?"

    def run(self, query: Query) -> tuple[list[str], list[list[object]]]:
        sql = self.layer.sql_for(
            list(query.metrics),
            list(query.group_by),
            start=query.start_time,
            end=query.end_time,
            where=list(query.where) or None,
            order_by=list(query.order_by) or None,
            limit=query.limit,
        )
        with self._connect() as con:
            result = con.execute(sql)
            columns = [d[0] for d in result.description]
            return columns, [list(row) for row in result.fetchall()]

    def ask(self, question: str) -> Answer:
        parsed = self.parser.parse(question)
        return self.answer(parsed)

    def answer(self, parsed: Parsed) -> Answer:
        if parsed.refused or parsed.query is None:
            notes = [parsed.refusal or "没有看懂这个问题。"]
            if parsed.suggestions:
                notes.append("可以试试：" + "、".join(parsed.suggestions))
            return Answer(parsed.question, None, notes=notes, refused=True, suggestions=parsed.suggestions)
        query = parsed.query
        try:
            columns, rows = self.run(query)
        except Exception as error:  # MetricFlow refuses a combination the parser let through
            logger.debug("query failed", exc_info=True)
            return Answer(
                parsed.question,
                None,
                notes=[f"MetricFlow 无法执行这个查询：{str(error).splitlines()[0]}"],
                refused=True,
            )
        notes = list(parsed.notes)
        if parsed.comparison is not None:
            columns, rows = self._compare(query, parsed.comparison, columns, rows, notes)
        definitions = [
            (name, self.vocabulary.metrics[name].label, self.vocabulary.metrics[name].definition)
            for name in query.metrics
            if name in self.vocabulary.metrics
        ]
        notes.append(f"MetricFlow：{mf_command(query)}")
        return Answer(parsed.question, query, columns, rows, notes, definitions)

    def _compare(
        self, query: Query, comparison: Comparison, columns: list[str], rows: list[list[object]], notes: list[str]
    ) -> tuple[list[str], list[list[object]]]:
        """Adds `<metric>__comparison` (the value in the comparison period) and `<metric>__change` (relative
        change) per metric, matching rows on the group-by values (a time bucket on the bucket one step earlier)."""
        from orchestration.ask.parser import _shift

        compared_columns, compared_rows = self.run(comparison.query)
        keys = [c for c in compared_columns if c not in query.metrics]
        time_key = next((c for c in keys if c.startswith("metric_time__")), None)

        def key(row: list[object], names: list[str], shift: bool) -> tuple[object, ...]:
            values = []
            for name in keys:
                value = row[names.index(name)]
                if name == time_key and comparison.time_shift:
                    day = value.date() if isinstance(value, dt.datetime) else value
                    value = _shift(day, comparison.time_shift) if shift else day  # type: ignore[arg-type]
                values.append(value)
            return tuple(values)

        previous = {key(row, compared_columns, shift=False): row for row in compared_rows}
        new_columns = list(columns)
        for metric in query.metrics:
            new_columns += [f"{metric}__comparison", f"{metric}__change"]
        new_rows = []
        for row in rows:
            match = previous.get(key(row, columns, shift=True))
            extra: list[object] = []
            for metric in query.metrics:
                now = row[columns.index(metric)]
                before = match[compared_columns.index(metric)] if match else None
                change = None
                if now is not None and before not in (None, 0):
                    change = round(float(now) / float(before) - 1, 4)  # type: ignore[arg-type]
                extra += [before, change]
            new_rows.append(row + extra)
        if not compared_rows or all(
            row[compared_columns.index(m)] is None for row in compared_rows for m in query.metrics
        ):
            notes.append(f"{comparison.label}没有数据（最早的数据是 {self._first_day()}），变化率为空。")
        notes.append(
            f"{comparison.label}：`<指标>__comparison` 为对比期的值，`<指标>__change` 为变化率；"
            f"对比期查询：{mf_command(comparison.query)}"
        )
        return new_columns, new_rows


def build_asker(warehouse_path: Path, as_of: dt.date | None = None) -> Asker:
    return Asker(warehouse_path, as_of)


__all__ = ["Answer", "Asker", "Vocabulary", "build_asker", "mf_command"]
