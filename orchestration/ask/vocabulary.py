"""The words `orchestration.ask` understands, all read from the semantic layer, the seeds and the warehouse.

- Metrics: each metric's Chinese label and the synonyms in its `config.meta.synonyms` (models/metrics/*.yml). A word
  listed by several metrics is ambiguous; the metric whose `config.meta.default_for` lists it is the answer, and the
  answer names the others. `config.meta.internal: true` hides a metric that only builds another.
- Dimensions: a categorical dimension with `config.meta.synonyms` can be grouped by and filtered on. Its values
  come from `config.meta.values`: `warehouse` (the distinct values in the warehouse, asked through MetricFlow), a
  seed column (`{seed: rfm_segments, column: segment_name}`) or a list; `config.meta.value_synonyms` maps other
  spellings to a value, inline (`新客户: 新客`) or from a seed (`{seed: china_provinces, alias: province_alias,
  value: province_name}`: 上海 = 上海市).
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from orchestration.settings import PROJECT_ROOT

SEEDS_DIR = PROJECT_ROOT / "seeds"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def normalise(text: str) -> str:
    """What matching compares: NFKC (full-width → half-width), lower case, no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def chinese_part(text: str) -> str:
    """The Chinese sentence(s) of a bilingual description: everything before the English sentence that follows."""
    text = " ".join(text.split())
    # the YAML folds lines with a space: drop it next to Chinese punctuation and between Chinese characters
    text = re.sub(
        r"\s+(?=[（），。；：、])|(?<=[（），。；：、])\s+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text
    )
    match = re.search(r"。\s*(?=[A-Z])", text)
    return text[: match.start() + 1] if match else text


def chinese_label(label: str) -> str:
    """`净销售额 Net sales` → `净销售额`; `GMV 下单金额` → `GMV 下单金额` (kept whole when it starts in Latin)."""
    words = label.split()
    if words and _CJK.search(words[0]):
        return words[0]
    return label


@dataclass(frozen=True)
class MetricWord:
    name: str
    label: str
    """The Chinese label (`净销售额`)."""
    full_label: str
    definition: str
    """The 口径 in Chinese (the Chinese part of the description)."""
    words: tuple[str, ...]
    default_for: tuple[str, ...]


@dataclass(frozen=True)
class DimensionConcept:
    """One askable dimension of one semantic model (店铺 of `orders`)."""

    semantic_model: str
    name: str
    primary_entity: str
    label: str
    words: tuple[str, ...]
    values_spec: object
    value_synonyms_spec: object

    @property
    def key(self) -> str:
        return f"{self.primary_entity}__{self.name}"


@dataclass
class Vocabulary:
    metrics: dict[str, MetricWord]
    dimensions: list[DimensionConcept]
    values: dict[str, list[str]] = field(default_factory=dict)
    """dimension key → its canonical values."""
    value_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    """dimension key → normalised spelling → canonical value."""

    def metric_words(self) -> dict[str, list[str]]:
        """Normalised word → the metrics it names (more than one: ambiguous)."""
        words: dict[str, list[str]] = {}
        for metric in self.metrics.values():
            for word in metric.words:
                names = words.setdefault(normalise(word), [])
                if metric.name not in names:
                    names.append(metric.name)
        return words

    def default_for(self, word: str) -> str | None:
        for metric in self.metrics.values():
            if normalise(word) in {normalise(w) for w in metric.default_for}:
                return metric.name
        return None

    def dimension_words(self) -> dict[str, list[DimensionConcept]]:
        words: dict[str, list[DimensionConcept]] = {}
        for concept in self.dimensions:
            for word in concept.words:
                words.setdefault(normalise(word), []).append(concept)
        return words

    def value_words(self) -> dict[str, list[tuple[DimensionConcept, str]]]:
        """Normalised spelling → (dimension, canonical value) pairs, in the dimensions' YAML order."""
        words: dict[str, list[tuple[DimensionConcept, str]]] = {}
        for concept in self.dimensions:
            for spelling, value in self.value_aliases.get(concept.key, {}).items():
                pairs = words.setdefault(spelling, [])
                if (concept, value) not in pairs:
                    pairs.append((concept, value))
        return words


def _seed_rows(seed: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{seed}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_vocabulary(
    manifest: Mapping[str, object] | None = None,
    dimension_values: Callable[[DimensionConcept], list[str]] | None = None,
) -> Vocabulary:
    """The vocabulary of the semantic manifest (default: `semantic_manifest_path()`, written by `dbt parse`).

    `dimension_values(concept)` returns the warehouse's values of a dimension whose `values` is `warehouse`;
    without it those dimensions are known by name only.
    """
    if manifest is None:
        from orchestration.metrics.metricflow import semantic_manifest_path

        manifest = json.loads(semantic_manifest_path().read_text(encoding="utf-8"))
    metrics: dict[str, MetricWord] = {}
    for metric in sorted(manifest["metrics"], key=lambda m: m["name"]):  # type: ignore[index, union-attr]
        meta = (metric.get("config") or {}).get("meta") or {}
        if meta.get("internal"):
            continue
        full_label = metric.get("label") or metric["name"]
        label = chinese_label(full_label)
        words = [label, metric["name"], *meta.get("synonyms", [])]
        metrics[metric["name"]] = MetricWord(
            name=metric["name"],
            label=label,
            full_label=full_label,
            definition=chinese_part(metric.get("description") or ""),
            words=tuple(dict.fromkeys(words)),
            default_for=tuple(meta.get("default_for", [])),
        )
    dimensions: list[DimensionConcept] = []
    for model in manifest["semantic_models"]:  # type: ignore[index, union-attr]
        primary = next((e["name"] for e in model["entities"] if e["type"] == "primary"), model["name"])
        for dimension in model["dimensions"]:
            meta = (dimension.get("config") or {}).get("meta") or {}
            if dimension["type"] != "categorical" or not meta.get("synonyms"):
                continue
            dimensions.append(
                DimensionConcept(
                    semantic_model=model["name"],
                    name=dimension["name"],
                    primary_entity=primary,
                    label=meta["synonyms"][0],
                    words=tuple(meta["synonyms"]),
                    values_spec=meta.get("values"),
                    value_synonyms_spec=meta.get("value_synonyms"),
                )
            )
    vocabulary = Vocabulary(metrics=metrics, dimensions=dimensions)
    for concept in dimensions:
        values = _values(concept, dimension_values)
        vocabulary.values[concept.key] = values
        vocabulary.value_aliases[concept.key] = _aliases(concept, values)
    return vocabulary


def _values(concept: DimensionConcept, dimension_values: Callable[[DimensionConcept], list[str]] | None) -> list[str]:
    spec = concept.values_spec
    if spec == "warehouse":
        return [v for v in (dimension_values(concept) if dimension_values else []) if v]
    if isinstance(spec, dict):
        return [row[spec["column"]] for row in _seed_rows(spec["seed"]) if row[spec["column"]]]
    if isinstance(spec, list):
        return [str(v) for v in spec]
    return []


def _aliases(concept: DimensionConcept, values: list[str]) -> dict[str, str]:
    """Every spelling of every value: the value itself, without the prefix all values share (栖木家居旗舰店 →
    家居旗舰店, when every shop's name starts with 栖木), and the `value_synonyms`."""
    aliases: dict[str, str] = {normalise(v): v for v in values}
    if len(values) > 1:
        prefix = _common_prefix([normalise(v) for v in values])
        if prefix:
            for value in values:
                rest = normalise(value)[len(prefix) :]
                if len(rest) >= 3:
                    aliases.setdefault(rest, value)
    spec = concept.value_synonyms_spec
    if isinstance(spec, dict) and "seed" in spec:
        for row in _seed_rows(spec["seed"]):  # every spelling the seed knows, with or without orders yet
            aliases.setdefault(normalise(row[spec["alias"]]), row[spec["value"]])
    elif isinstance(spec, dict):
        for alias, value in spec.items():
            aliases.setdefault(normalise(str(alias)), str(value))
    return aliases


def _common_prefix(words: list[str]) -> str:
    prefix = words[0]
    for word in words[1:]:
        while not word.startswith(prefix):
            prefix = prefix[:-1]
    return prefix
