"""The accepted spellings of a money cell, read from their one declaration (dbt_project.yml, `vars:`).

The dbt macro `to_money` (macros/cleaning.sql) parses exactly `money_spelling` and turns `sentinel_values` into null;
the raw gates check the same pattern, because a suite names it (`{"$spelling": "money"}`) instead of copying a
regex; docs/landing-formats.md lists the examples below ("Accepted spellings"). tests/quality/test_spellings.py feeds
each example through the gate, the macro (real dbt and DuckDB) and the documented list.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

import yaml

from orchestration.settings import PROJECT_ROOT

DBT_PROJECT_FILE = PROJECT_ROOT / "dbt_project.yml"

NO_VALUE = "no value"
"""What `to_money` makes of a sentinel (`无退款申请`, `--`, ...): null."""

MONEY_EXAMPLES: dict[str, Decimal | str | None] = {
    "128": Decimal("128.00"),
    "128.5": Decimal("128.50"),
    "40.0": Decimal("40.00"),
    "0": Decimal("0.00"),
    "1,234.50": Decimal("1234.50"),
    "1,234,567": Decimal("1234567.00"),
    "¥686.90": Decimal("686.90"),
    "￥686.90": Decimal("686.90"),
    "¥1,234.50": Decimal("1234.50"),
    "-3.00": Decimal("-3.00"),
    "无退款申请": NO_VALUE,
    "--": NO_VALUE,
    "1e3": None,
    "12.345": None,
    "1,23.4": None,
    "1 234": None,
    "1.234,50": None,
    "$5": None,
    "abc": None,
}
"""Each documented spelling and what `to_money` makes of it: an amount, NO_VALUE (null), or None (refused: the model
fails naming the value). The raw gates accept an amount that is never negative (总金额) exactly when it is a
non-negative amount here, and a column that may be empty (退款金额) also when it is NO_VALUE."""


@functools.cache
def _declared() -> dict:
    document = yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))
    return document["vars"]


def money_pattern(signed: bool = True) -> str:
    """The money spelling; `signed=False` without the leading minus (a column that is never negative)."""
    pattern: str = _declared()["money_spelling"]
    if not pattern.startswith("^-?"):
        raise ValueError(f"dbt_project.yml money_spelling must start with ^-? (an optional sign): {pattern}")
    return pattern if signed else "^" + pattern[len("^-?") :]


def sentinel_values() -> list[str]:
    """The cells that mean "no value" (compared after trimming), as the `clean_text` macro reads them."""
    return list(_declared()["sentinel_values"])


def spelling(name: str) -> str:
    """A named spelling, as a suite references it with `{"$spelling": name}`:

    - `money`: an amount, signed (TOP adjustments may be negative);
    - `unsigned_money`: an amount in a column that is never negative (总金额, 单价, ...);
    - `unsigned_money_or_none`: that, or a sentinel meaning "no value" (退款金额 `无退款申请`);
    - `unsigned_money_or_dash`: that, or 生意参谋's `-` (no data; the staging models turn it into null)."""
    sentinels = "|".join(re.escape(v) for v in sentinel_values() if v)
    patterns = {
        "money": money_pattern(),
        "unsigned_money": money_pattern(signed=False),
        "unsigned_money_or_none": f"^(?:{money_pattern(signed=False)[1:-1]}|{sentinels})$",
        "unsigned_money_or_dash": f"^(?:{money_pattern(signed=False)[1:-1]}|-)$",
    }
    if name not in patterns:
        raise ValueError(f"unknown spelling {name!r}; known: {sorted(patterns)}")
    return patterns[name]


def is_money(text: str, signed: bool = True) -> bool:
    return re.fullmatch(money_pattern(signed), text.strip()) is not None
