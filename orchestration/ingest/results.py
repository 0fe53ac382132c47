"""What one ingest run did, file by file: `FileResult` per landing file (or API window), `IngestReport` per run.

Filled by the loader (`loader.py`) and the hold-back step (`holdback.py`), read by the ingest assets' metadata and
the run summary. Its own module so that both fill it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FileResult:
    source_file: str
    dataset: str
    status: str
    """`loaded`, `already_loaded` (same path and content seen before), `duplicate` (same content, other name),
    `not_loaded` (no export: `reason` says why) or `archive` (a .zip whose members are listed as files of their own)."""
    batch_id: str | None = None
    encoding: str | None = None
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    ignored_headers: tuple[str, ...] = ()
    duplicate_of: str | None = None
    reason: str | None = None
    """Why a file was not loaded (status `not_loaded`), or what an archive held."""
    truncated: str | None = None
    """Set when the file ends mid-row (a cut export): what was found at its end."""
    rows_held_back: int = 0


@dataclass
class IngestReport:
    landing_dir: Path
    files: list[FileResult] = field(default_factory=list)

    def for_dataset(self, name: str) -> list[FileResult]:
        return [f for f in self.files if f.dataset == name]

    def totals(self, name: str) -> dict[str, int]:
        results = self.for_dataset(name)
        return {
            "files_loaded": sum(1 for f in results if f.status == "loaded"),
            "files_skipped": sum(1 for f in results if f.status != "loaded"),
            "rows_in": sum(f.rows_in for f in results),
            "rows_loaded": sum(f.rows_loaded for f in results),
            "rows_quarantined": sum(f.rows_quarantined for f in results),
            "rows_held_back": sum(f.rows_held_back for f in results),
        }

    def not_loaded(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "not_loaded"]
