"""Ask the metric layer in Chinese: `python -m orchestration.ask "上个月各店铺的净销售额"`.

See docs/asking.md, "Asking in Chinese".

A question compiles to one MetricFlow query over the governed metric definitions; the answer shows the query it
ran (`mf query` form) and the definitions (口径) it used. Nothing is guessed silently: an unknown word is refused
with the closest metrics and dimensions, an ambiguous one answered with the documented default and a note.
"""
