"""Chinese numerals as operators type them: 三, 十, 十五, 二十三, 一百, 两, 二〇二五, and Arabic digits."""

from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMBER_PATTERN = r"(?:\d+|[零〇一二两三四五六七八九十百千]+)"
"""A regular expression for one number, Arabic or Chinese (use with `to_int`)."""


def to_int(text: str) -> int | None:
    """The value of a number written in Arabic digits or Chinese numerals; None if it is not one.

    Digits without units read digit by digit (二〇二五 = 2025); with units they read as a quantity (二十三 = 23,
    十五 = 15, 一百零五 = 105).
    """
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if any(ch not in DIGITS and ch not in UNITS for ch in text):
        return None
    if not any(ch in UNITS for ch in text):
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in DIGITS:
            current = DIGITS[ch]
        else:
            total += (current or 1) * UNITS[ch]
            current = 0
    return total + current
