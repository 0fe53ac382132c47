"""A sensor on the landing folder: new export files start the pipeline, without waiting for the 02:00 schedule.

"New" means content (SHA-256) not yet loaded according to `raw.ingest_log`; a re-delivered file that ingest would skip
does not start a run. The run key is the set of new files, so the same arrival never starts two runs.
"""

import hashlib
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.ingest.loader import LandingError, file_sha256, landing_files
from orchestration.resources import LandingResource, WarehouseResource


def new_landing_files(landing_dir: Path, warehouse_path: Path) -> list[tuple[str, str]]:
    """(relative path, sha256) of landing files whose content has not been loaded yet."""
    try:
        files = landing_files(landing_dir)
    except LandingError:
        return []
    loaded: set[str] = set()
    if warehouse_path.exists():
        try:
            with duckdb.connect(str(warehouse_path), read_only=True) as con:
                loaded = {r[0] for r in con.execute("select file_sha256 from raw.ingest_log").fetchall()}
        except duckdb.Error:  # no ingest log yet, or the warehouse is being written right now: try next tick
            loaded = set()
    found = [(path.relative_to(landing_dir).as_posix(), file_sha256(path)) for path in files]
    return [(relative, digest) for relative, digest in found if digest not in loaded]


def build_landing_sensor(job_name: str) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_folder_sensor",
        job_name=job_name,
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts the pipeline when new Tmall or ERP export files land in LANDING_DIR.",
    )
    def landing_folder_sensor(
        context: dg.SensorEvaluationContext, landing: LandingResource, warehouse: WarehouseResource
    ) -> dg.SensorResult | dg.SkipReason:
        new = new_landing_files(Path(landing.path), Path(warehouse.path))
        if not new:
            return dg.SkipReason(f"no new export files in {landing.path}")
        key = hashlib.sha256("\n".join(f"{p}:{d}" for p, d in sorted(new)).encode()).hexdigest()[:16]
        context.log.info("%d new landing file(s): %s", len(new), ", ".join(p for p, _ in new[:10]))
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=f"landing-{key}", tags={"landing_files": str(len(new))})]
        )

    return landing_folder_sensor
