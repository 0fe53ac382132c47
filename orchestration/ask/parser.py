"""A question in Chinese → one MetricFlow query (or a refusal that names what it did not understand).

Deterministic: time expressions, top-N, ordering, grain and comparison words by a small grammar (this module and
`timeexpr.py`); every other word is segmented with jieba (the vocabulary added as user words) and must be a metric,
a dimension, a dimension value (`vocabulary.py`, all from the semantic layer's YAML, the seeds and the warehouse) or
a filler word (的, 各, 多少 …). A word that is none of these stops the question with the closest metrics and
dimensions: nothing is guessed silently.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestration.ask.numerals import NUMBER_PATTERN, to_int
from orchestration.ask.timeexpr import Period, Promotion, TimeGrammar
from orchestration.ask.vocabulary import DimensionConcept, Vocabulary, normalise

logger = logging.getLogger(__name__)

GRAIN_WORDS: dict[str, str] = {
    **dict.fromkeys(("每天", "每日", "按天", "按日", "逐日", "分天", "日度", "每一天", "哪天", "哪一天"), "day"),
    **dict.fromkeys(("每周", "按周", "逐周", "分周", "周度", "每星期", "每个星期", "哪周", "哪一周"), "week"),
    **dict.fromkeys(("每月", "按月", "逐月", "分月", "月度", "每个月", "各月", "哪个月", "哪月", "哪一个月"), "month"),
    **dict.fromkeys(("每季度", "按季度", "分季度", "各季度", "每个季度", "季度别", "哪个季度"), "quarter"),
    **dict.fromkeys(("每年", "按年", "逐年", "分年", "各年", "哪年", "哪一年"), "year"),
}
TREND_WORDS = ("变化趋势", "趋势", "走势")
DESCENDING = ("卖得最好", "卖得最多", "最畅销", "最高", "最多", "最大", "最好", "最贵", "最快", "最火", "领先")
ASCENDING = ("卖得最差", "卖得最少", "最低", "最少", "最小", "最差", "最慢", "最便宜", "垫底")
RANKING = ("排名", "排行榜", "排行", "排序")
BESTSELLER = {"热销": "-", "畅销": "-", "爆款": "-", "滞销": ""}
"""Words that rank by units sold when no metric is named (the metric is the one the vocabulary calls 销量)."""
BESTSELLER_METRIC_WORD = "销量"
DEFAULT_TOP = 10
PREVIOUS_WORDS = ("环比", "较上期", "比上期")
YEAR_AGO_WORDS = ("同比", "去年同期", "较去年同期")
COMPARE_BEFORE = ("对比", "相比", "比较", "和", "与", "跟", "比", "较", "vs", "对照")
COMPARE_AFTER = ("比较", "对比", "相比", "比")
FILLERS = frozenset(
    """的 各 各个 每个 每家 每一个 分别 按 按照 分 看 看看 看下 看一下 查 查询 查下 查一下
    一下 请 请问 帮 帮我 给 给我 我 我们 想 想看 想知道 知道 显示 列出 列 统计 汇总 是
    是多少 多少 有 有多少 几 多大 怎么样 如何 怎样 情况 数据 表现 了 吗 呢 啊 吧 和 与 及
    以及 还有 跟 并 总 总共 总计 合计 一共 共 全部 所有 整体 总体 期间 期 时候 时 里 中
    内 在 下 的话 名 哪个 哪些 哪家 哪 谁 个 家 分布 对比 比较 相比 比 较 同期 那天 以来
    什么 多 高 低 好 前 top 大 强 款 位 条 最 上 一 出来 下来 下列 分析 报表 一览
    明细 各自 拆分 按照 维度 口径 金额 数量 数 值 水平 这 那 这个 那个 本 店里 咱们 公司
    我的 目前 现在 当前 至今 为止 截至 到 从 至 of by , ， 、 ? ？ 。 ! ！ : ：
    ; ； ( ) （ ） - ~ " ' 「 」 《 》 多久 增长 变化 情况下 怎么 样""".split()
)
"""Words that carry no metric, dimension or value: they may appear anywhere and are skipped."""


@dataclass
class Query:
    """What MetricFlow is asked (`mf query` flags), plus what the answer needs around it."""

    metrics: list[str]
    group_by: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    order_by: list[str] = field(default_factory=list)
    limit: int | None = None
    start_time: dt.date | None = None
    end_time: dt.date | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "metrics": list(self.metrics),
            "group_by": list(self.group_by),
            "where": list(self.where),
            "order_by": list(self.order_by),
            "limit": self.limit,
            "start_time": self.start_time.isoformat() if self.start_time else None,
            "end_time": self.end_time.isoformat() if self.end_time else None,
        }


@dataclass
class Comparison:
    kind: str
    """previous (环比), year_ago (同比) or explicit (和上个月比)."""
    label: str
    query: Query
    time_shift: str | None = None
    """With a time grain: how a comparison row's bucket maps to the current one (`1 month`, `1 year`)."""


@dataclass
class Parsed:
    question: str
    query: Query | None
    notes: list[str] = field(default_factory=list)
    comparison: Comparison | None = None
    refusal: str | None = None
    suggestions: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.refusal is not None


GroupBys = Callable[[list[str]], list[tuple[str, str, str]]]
"""metrics → the group-by items MetricFlow allows for all of them: (dunder name, semantic model, element name)."""


class Refused(Exception):
    def __init__(self, message: str, suggestions: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions


@dataclass
class _Token:
    start: int
    text: str
    kind: str  # metric, dimension, value, filler, unknown
    payload: object = None


class QuestionParser:
    def __init__(
        self,
        vocabulary: Vocabulary,
        group_bys: GroupBys,
        as_of: dt.date,
        promotions: list[Promotion],
        as_of_is_explicit: bool = False,
    ) -> None:
        self.vocabulary = vocabulary
        self.group_bys = group_bys
        self.as_of = as_of
        self.as_of_is_explicit = as_of_is_explicit
        self.promotions = promotions
        self.grammar = TimeGrammar(as_of, promotions)
        self.metric_words = vocabulary.metric_words()
        self.dimension_words = vocabulary.dimension_words()
        self.value_words = vocabulary.value_words()
        self.lexicon: dict[str, str] = {}
        for word in self.value_words:
            self.lexicon[word] = "value"
        for word in self.dimension_words:
            self.lexicon[word] = "dimension"
        for word in self.metric_words:
            self.lexicon[word] = "metric"
        self.longest = max((len(w) for w in self.lexicon), default=1)
        self._tokenizer = None

    # --- tokenising
    @property
    def tokenizer(self):  # type: ignore[no-untyped-def]
        if self._tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word in list(self.lexicon) + sorted(FILLERS):
                tokenizer.add_word(word, freq=10_000_000)
            self._tokenizer = tokenizer
        return self._tokenizer

    def _segment(self, start: int, text: str) -> list[_Token]:
        """Known words by longest match over jieba's tokens (so a word jieba splits is still found)."""
        pieces: list[tuple[int, str]] = []
        offset = start
        for piece in self.tokenizer.cut(text, HMM=True):
            pieces.append((offset, piece))
            offset += len(piece)
        tokens: list[_Token] = []
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                word = "".join(p for _, p in pieces[i:j])
                kind = self.lexicon.get(word) or ("filler" if word in FILLERS else None)
                if kind:
                    tokens.append(_Token(pieces[i][0], word, kind))
                    i = j
                    break
            else:
                # an unknown piece: look for known words inside it (jieba may glue a word to its neighbour)
                tokens.extend(self._inside(pieces[i][0], pieces[i][1]))
                i += 1
        return tokens

    def _inside(self, start: int, word: str) -> list[_Token]:
        tokens: list[_Token] = []
        i, unknown_from = 0, 0
        while i < len(word):
            for j in range(min(len(word), i + self.longest), i, -1):
                kind = self.lexicon.get(word[i:j])
                if kind and (j - i >= 2 or len(word) == 1):
                    if unknown_from < i:
                        tokens.append(_Token(start + unknown_from, word[unknown_from:i], "unknown"))
                    tokens.append(_Token(start + i, word[i:j], kind))
                    i = unknown_from = j
                    break
            else:
                i += 1
        if unknown_from < len(word):
            rest = word[unknown_from:]
            tokens.append(_Token(start + unknown_from, rest, "filler" if rest in FILLERS else "unknown"))
        return tokens

    # --- parsing
    def parse(self, question: str) -> Parsed:
        try:
            return self._parse(question)
        except Refused as refusal:
            return Parsed(question, None, refusal=refusal.message, suggestions=refusal.suggestions)

    def _parse(self, question: str) -> Parsed:
        text = normalise(question)
        notes: list[str] = []
        taken = [False] * len(text)

        def take(start: int, end: int) -> None:
            for i in range(start, end):
                taken[i] = True

        def free(m: re.Match[str]) -> bool:
            return not any(taken[m.start() : m.end()])

        time_matches = self.grammar.find(text)
        for match in time_matches:
            take(match.start, match.end)
        limit: int | None = None
        order_sign: str | None = None
        limit_from_words = False
        bestseller = False
        for m in re.finditer(rf"(?:前|top)({NUMBER_PATTERN})(?:名|个|位|款|家|大|条)?", text):
            if free(m) and to_int(m[1]):
                limit, order_sign = to_int(m[1]), order_sign or "-"
                take(m.start(), m.end())
        for m in re.finditer(rf"倒数(?:前)?({NUMBER_PATTERN})(?:名|个|位|款|家|条)?", text):
            if free(m) and to_int(m[1]):
                limit, order_sign = to_int(m[1]), ""
                take(m.start(), m.end())
        for m in re.finditer(rf"(?<![前近])({NUMBER_PATTERN})(?:大|强)", text):
            if free(m) and to_int(m[1]):
                limit, order_sign = to_int(m[1]), "-"
                take(m.start(), m.end())
        grain: str | None = None
        for words, value in ((DESCENDING, "-"), (ASCENDING, ""), (RANKING, "rank"), (tuple(BESTSELLER), "best")):
            for word in sorted(words, key=len, reverse=True):
                for m in re.finditer(re.escape(word), text):
                    if not free(m):
                        continue
                    take(m.start(), m.end())
                    if value == "rank":
                        order_sign = order_sign if order_sign is not None else "-"
                    elif value == "best":
                        bestseller = True
                        order_sign = order_sign if order_sign is not None else BESTSELLER[word]
                        if limit is None:
                            limit, limit_from_words = DEFAULT_TOP, True
                    else:
                        order_sign = value
                        if limit is None:
                            limit = 1
        if order_sign is not None:  # 最多的5个城市: a count after the ranking word
            for m in re.finditer(rf"(?<![前近])({NUMBER_PATTERN})(?:个|名|位|家|款|条)", text):
                if free(m) and to_int(m[1]):
                    limit, limit_from_words = to_int(m[1]), False
                    take(m.start(), m.end())
        for word in sorted(GRAIN_WORDS, key=len, reverse=True):
            for m in re.finditer(re.escape(word), text):
                if free(m):
                    grain = GRAIN_WORDS[word]
                    take(m.start(), m.end())
        trend = False
        for word in TREND_WORDS:
            for m in re.finditer(re.escape(word), text):
                if free(m):
                    trend = True
                    take(m.start(), m.end())
        comparison_kind: str | None = None
        for words, kind in ((YEAR_AGO_WORDS, "year_ago"), (PREVIOUS_WORDS, "previous")):
            for word in words:
                for m in re.finditer(re.escape(word), text):
                    if free(m):
                        comparison_kind = comparison_kind or kind
                        take(m.start(), m.end())

        # the remaining text, in runs between what the grammar took
        tokens: list[_Token] = []
        i = 0
        while i < len(text):
            if taken[i]:
                i += 1
                continue
            j = i
            while j < len(text) and not taken[j]:
                j += 1
            tokens.extend(self._segment(i, text[i:j]))
            i = j
        unknown = []
        for index, token in enumerate(tokens):
            if token.kind != "unknown":
                continue
            word = token.text
            if len(word) == 1:  # one character jieba split off a word: show the word (客 + 流量 → 客流量)
                if index + 1 < len(tokens) and tokens[index + 1].kind != "filler":
                    word += tokens[index + 1].text
                elif index > 0 and tokens[index - 1].kind != "filler":
                    word = tokens[index - 1].text + word
            unknown.append(word)
        if unknown:
            words = "、".join(f"“{w}”" for w in dict.fromkeys(unknown))
            suggestions = self.suggest(unknown)
            raise Refused(f"没有看懂{words}：这不是已定义的指标、维度或维度值。", suggestions)

        # metrics, in the order they are named
        metrics: list[str] = []
        for token in tokens:
            if token.kind != "metric":
                continue
            names = self.metric_words[token.text]
            if len(names) > 1:
                default = self.vocabulary.default_for(token.text)
                if default is None:
                    raise Refused(
                        f"“{token.text}”可以指" + "、".join(self._label(n) for n in names) + "，请说明要哪一个。",
                        [self._label(n) for n in names],
                    )
                others = [n for n in names if n != default]
                notes.append(
                    f"“{token.text}”按默认口径理解为{self._label(default)}（{default}）；"
                    + "也可以指"
                    + "、".join(f"{self._label(n)}（{n}）" for n in others)
                    + "，如需请直接问它的名称。"
                )
                names = [default]
            for name in names:
                if name not in metrics:
                    metrics.append(name)
        if not metrics and bestseller:
            metrics = list(self.metric_words[normalise(BESTSELLER_METRIC_WORD)][:1])
        if not metrics:
            raise Refused("没有认出要看哪个指标。", self.suggest([t.text for t in tokens] or [text]))

        valid = self.group_bys(metrics)
        # dimensions to group by, and values to filter on
        group_dimensions: list[tuple[str, DimensionConcept]] = []
        filters: dict[str, tuple[DimensionConcept, list[str]]] = {}
        for token in tokens:
            if token.kind == "dimension":
                concept, dunder = self._resolve(self.dimension_words[token.text], metrics, valid, token.text)
                if all(d != dunder for d, _ in group_dimensions):
                    group_dimensions.append((dunder, concept))
            elif token.kind == "value":
                pairs = self.value_words[token.text]
                concept, dunder = self._resolve([c for c, _ in pairs], metrics, valid, token.text)
                value = next(v for c, v in pairs if c == concept)
                values = filters.setdefault(dunder, (concept, []))[1]
                if value not in values:
                    values.append(value)
        where: list[str] = []
        group_by: list[str] = []
        for dunder, (_concept, values) in filters.items():
            quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
            if len(values) == 1:
                where.append(f"{{{{ Dimension('{dunder}') }}}} = {quoted}")
            else:
                where.append(f"{{{{ Dimension('{dunder}') }}}} in ({quoted})")
        for dunder, _concept in group_dimensions:
            if dunder in filters and len(filters[dunder][1]) == 1:
                continue  # 店铺 X: the filter says it all
            group_by.append(dunder)
        for dunder, (_concept, values) in filters.items():
            if len(values) > 1 and dunder not in group_by:
                group_by.append(dunder)

        # time
        primary = [m for m in time_matches if not self._is_comparison_target(text, m.start, m.end)]
        compared = [m for m in time_matches if m not in primary]
        if len(primary) > 1 and not compared:
            # 3月和4月: the later one, compared with the earlier one
            primary.sort(key=lambda m: m.period.start)
            compared, primary = primary[:1], primary[1:]
        if len(primary) > 1:
            raise Refused(
                "一个问题里有多个时间范围：" + "、".join(m.period.describe() for m in primary) + "，请只保留一个。",
                [],
            )
        period = primary[0].period if primary else None
        for match in time_matches:
            notes.extend(match.notes)
        start_time = end_time = None
        if period is not None:
            start_time, end_time = period.start, period.end
            if start_time > self.as_of:
                raise Refused(
                    f"{period.describe()}还没有完整的一天：数据截至 {self.as_of}（相对时间以它为“昨天”）。",
                    ["昨天", "近7天", "上个月"],
                )
            if end_time > self.as_of:
                end_time = self.as_of
                notes.append(f"{period.label}截至 {self.as_of}（数据截至日）。")
            notes.append(
                f"时间：{Period(start_time, end_time, period.label, period.unit).describe()}，"
                f"相对时间以数据截至日 {self.as_of} 为“昨天”。"
            )
        else:
            if self.as_of_is_explicit:
                end_time = self.as_of
            notes.append(f"未指定时间：统计全部数据（数据截至 {self.as_of}）。")
        if trend and grain is None:
            span = (end_time - start_time).days + 1 if start_time and end_time else 10_000
            grain = "day" if span <= 62 else ("week" if span <= 120 else "month")
        if grain:
            group_by.insert(0, f"metric_time__{grain}")

        # order and limit
        order_by: list[str] = []
        if order_sign is not None:
            order_by = [f"{order_sign}{metrics[0]}"]
            if limit is not None and not group_by:
                limit = None  # one number: nothing to rank
        elif grain:
            order_by = [f"metric_time__{grain}"]
        elif group_by:
            order_by = [f"-{metrics[0]}"]
        if limit_from_words:
            notes.append(f"未指定数量：列出前 {DEFAULT_TOP} 名。")
        query = Query(metrics, group_by, where, order_by, limit, start_time, end_time)

        comparison = None
        if compared or comparison_kind:
            comparison = self._comparison(
                query, period, compared[0].period if compared else None, comparison_kind, grain
            )
        return Parsed(question, query, notes, comparison)

    @staticmethod
    def _is_comparison_target(text: str, start: int, end: int) -> bool:
        before, after = text[max(0, start - 2) : start], text[end : end + 2]
        return (
            any(before.endswith(w) for w in COMPARE_BEFORE)
            and any(after.startswith(w) for w in COMPARE_AFTER)
            or (any(before.endswith(w) for w in ("比", "对比", "相比", "较", "vs", "对照")))
        )

    def _comparison(
        self, query: Query, period: Period | None, target: Period | None, kind: str | None, grain: str | None
    ) -> Comparison:
        if period is None and target is not None:
            raise Refused(f"要和{target.describe()}比较的是哪个时间段？例如“本月和上个月比”。", [])
        if period is None:
            raise Refused("环比、同比需要一个时间范围，例如“上个月的净销售额环比”或“近7天的订单数同比”。", [])
        if grain and target is not None:
            raise Refused("按时间分组时只支持环比、同比，不支持和指定时间段比较。", [])
        if target is not None:
            compared, kind, label = target, "explicit", f"对比{target.label}"
        elif kind == "year_ago":
            compared, label = period.year_ago(self.promotions), "同比"
        else:
            compared, label, kind = period.previous(), "环比", "previous"
        shift = None
        if grain:
            # each bucket compares with the bucket one grain (环比) or one year (同比) earlier
            shift = "1 year" if kind == "year_ago" else f"1 {grain}"
            start = _shift(query.start_time or period.start, shift)
            end = _shift(query.end_time or period.end, shift)
            compared = Period(start, end, label, "range")
        comparison_query = Query(
            list(query.metrics),
            list(query.group_by),
            list(query.where),
            [],
            None,
            compared.start,
            min(compared.end, self.as_of),
        )
        return Comparison(kind, f"{label}（{compared.start} 至 {comparison_query.end_time}）", comparison_query, shift)

    def _resolve(
        self, concepts: list[DimensionConcept], metrics: list[str], valid: list[tuple[str, str, str]], word: str
    ) -> tuple[DimensionConcept, str]:
        for concept in concepts:
            names = sorted(
                (
                    dunder
                    for dunder, model, element in valid
                    if model == concept.semantic_model and element == concept.name
                ),
                key=lambda d: (d.count("__"), d),
            )
            if names:
                return concept, names[0]
        labels = "、".join(self._label(m) for m in metrics)
        supporting = [
            self._label(name)
            for name in self.vocabulary.metrics
            if any(
                model == c.semantic_model and element == c.name
                for c in concepts
                for _, model, element in self.group_bys([name])
            )
        ]
        raise Refused(
            f"{labels}不能按“{word}”（{concepts[0].label}）查看。"
            + (f"按{concepts[0].label}可以看：" + "、".join(supporting[:8]) + "。" if supporting else ""),
            supporting[:8],
        )

    def _label(self, metric: str) -> str:
        return self.vocabulary.metrics[metric].label

    def suggest(self, words: list[str], count: int = 5) -> list[str]:
        """The metric and dimension labels closest to the words (by characters in common, then difflib's ratio)."""
        candidates: dict[str, float] = {}
        surfaces: list[tuple[str, str]] = []
        for word, names in self.metric_words.items():
            for name in names:
                surfaces.append((word, self._label(name)))
        for word, concepts in self.dimension_words.items():
            for concept in concepts:
                surfaces.append((word, concept.label))
        for unknown in words:
            for surface, label in surfaces:
                shared = len(set(unknown) & set(surface))
                if not shared:
                    continue
                score = shared + difflib.SequenceMatcher(None, unknown, surface).ratio()
                candidates[label] = max(candidates.get(label, 0.0), score)
        ranked = sorted(candidates, key=lambda label: (-candidates[label], label))
        return ranked[:count] or [
            self._label(n) for n in ("net_sales", "paid_gmv", "orders") if n in self.vocabulary.metrics
        ]


def _shift(day: dt.date, shift: str) -> dt.date:
    from orchestration.ask.timeexpr import add_months, one_year_earlier

    amount, unit = shift.split()
    if unit == "year":
        return one_year_earlier(day)
    if unit in ("month", "quarter"):
        return add_months(day, -(3 if unit == "quarter" else 1) * int(amount))
    return day - dt.timedelta(days=7 if unit == "week" else 1)
