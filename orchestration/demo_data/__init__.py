"""Deterministic demo data: what a Tmall merchant downloads from the seller center and from the 聚水潭 ERP.

`generate(out_dir, DemoConfig(...))` writes a landing folder in the formats of docs/landing-formats.md and returns a
`GenerationSummary` with the data rows written per file and per dataset. Same configuration, same bytes.
"""

from .config import DemoConfig, FileSummary, GenerationSummary
from .generator import generate

__all__ = ["DemoConfig", "FileSummary", "GenerationSummary", "generate"]
