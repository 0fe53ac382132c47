"""The shape of a demo order: how many lines, what quantity per line, how many stay unpaid.

Drawn by `trade.py` for every order, and read by `context.py` to size the stock the inventory starts with.
"""

from __future__ import annotations

import numpy as np

P_UNPAID = 0.03
LINE_COUNTS = np.array([1, 2, 3, 4, 5])
LINE_COUNT_P = np.array([0.70, 0.20, 0.065, 0.025, 0.01])
QTY = np.array([1, 2, 3, 4, 5])
QTY_P = np.array([0.82, 0.12, 0.03, 0.02, 0.01])
