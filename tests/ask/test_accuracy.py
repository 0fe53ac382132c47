"""Exact-query accuracy on the committed evaluation set (tests/ask/questions.yml), tuning and held-out questions
reported separately; each set must reach 95%. Dimension values come from the generated test warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from orchestration.ask.parser import Parsed, QuestionParser
from orchestration.ask.timeexpr import load_promotions

QUESTIONS = Path(__file__).with_name("questions.yml")
THRESHOLD = 0.95


def load_set() -> tuple[dt.date, list[dict]]:
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return data["as_of"], data["questions"]


def _day(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value  # type: ignore[return-value]


def mismatch(case: dict, parsed: Parsed) -> str | None:
    """Why the parse differs from the expected one (None: it matches exactly)."""
    if "refuse" in case:
        if not parsed.refused:
            return f"expected a refusal, got {parsed.query.as_dict() if parsed.query else None}"
        if case["refuse"] not in parsed.refusal:  # type: ignore[operator]
            return f"refusal {parsed.refusal!r} lacks {case['refuse']!r}"
        missing = [s for s in case.get("suggestions", []) if s not in parsed.suggestions]
        return f"suggestions {parsed.suggestions} lack {missing}" if missing else None
    if parsed.refused or parsed.query is None:
        return f"refused: {parsed.refusal} {parsed.suggestions}"
    expected = {
        "metrics": case["metrics"],
        "group_by": case.get("group_by", []),
        "where": case.get("where", []),
        "order_by": case.get("order_by", []),
        "limit": case.get("limit"),
        "start_time": _day(case.get("start_time")),
        "end_time": _day(case.get("end_time")),
    }
    actual = parsed.query.as_dict()
    if actual != expected:
        return f"query {actual} != {expected}"
    comparison = parsed.comparison
    if "comparison" in case:
        if comparison is None:
            return "no comparison"
        got = [comparison.query.start_time.isoformat(), comparison.query.end_time.isoformat()]  # type: ignore[union-attr]
        if got != [_day(d) for d in case["comparison"]]:
            return f"comparison {got} != {case['comparison']}"
    elif comparison is not None:
        return f"unexpected comparison {comparison.label}"
    if "note" in case and not any(case["note"] in note for note in parsed.notes):
        return f"no note with {case['note']!r}: {parsed.notes}"
    return None


@pytest.fixture(scope="module")
def parser(asker) -> QuestionParser:  # type: ignore[no-untyped-def]
    as_of, _ = load_set()
    return QuestionParser(asker.vocabulary, asker.layer.group_bys, as_of, load_promotions())


def test_the_evaluation_set_is_large_and_split() -> None:
    _, cases = load_set()
    assert len(cases) >= 60
    assert {case["set"] for case in cases} == {"tuning", "held_out"}
    assert sum("refuse" in case for case in cases) >= 5
    assert len({case["q"] for case in cases}) == len(cases), "a question is listed twice"


def test_exact_query_accuracy_is_at_least_95_percent_on_tuning_and_held_out_questions(
    parser: QuestionParser, artifacts_dir: Path
) -> None:
    _, cases = load_set()
    report, failures, accuracy = [], [], {}
    for name in ("tuning", "held_out"):
        subset = [case for case in cases if case["set"] == name]
        wrong = [(case["q"], why) for case in subset if (why := mismatch(case, parser.parse(case["q"])))]
        accuracy[name] = 1 - len(wrong) / len(subset)
        report.append(f"{name}: {len(subset) - len(wrong)}/{len(subset)} exact ({accuracy[name]:.1%})")
        failures += [f"  [{name}] {q}: {why}" for q, why in wrong]
    (artifacts_dir / "ask_accuracy.txt").write_text("\n".join(report + failures) + "\n", encoding="utf-8")
    print("\n".join(report + failures))
    assert all(value >= THRESHOLD for value in accuracy.values()), "\n".join(report + failures)
