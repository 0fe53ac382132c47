#!/usr/bin/env bash
# The long-running deployment (`make serve`, and the systemd unit deploy/systemd/tmall-analytics.service):
# the Dagster daemon (schedules, sensors, the run queue, run retries) and the webserver (UI), on the instance in
# DAGSTER_HOME with deploy/dagster.yaml. Runs in the foreground until stopped; if either process exits, the other is
# stopped too and the script exits non-zero, so a supervisor (systemd: Restart=on-failure) starts both again.
#
# Settings: DAGSTER_HOME (default .dagster_home), DAGSTER_HOST (127.0.0.1), DAGSTER_PORT (3000), and everything the
# pipeline reads (LANDING_DIR, WAREHOUSE_PATH, ALERT_*, ...: docs/running.md, "Configuration").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${VENV_BIN:-$ROOT/.venv/bin}"
export DAGSTER_HOME="${DAGSTER_HOME:-$ROOT/.dagster_home}"
case "$DAGSTER_HOME" in /*) ;; *) DAGSTER_HOME="$ROOT/$DAGSTER_HOME" ;; esac
export DAGSTER_DISABLE_TELEMETRY=1 DBT_SEND_ANONYMOUS_USAGE_STATS=false GX_ANALYTICS_ENABLED=false
HOST="${DAGSTER_HOST:-127.0.0.1}"
PORT="${DAGSTER_PORT:-3000}"
cd "$ROOT"

# The committed instance settings; a different dagster.yaml already there is kept as dagster.yaml.previous.
mkdir -p "$DAGSTER_HOME"
if [ -f "$DAGSTER_HOME/dagster.yaml" ] && ! cmp -s deploy/dagster.yaml "$DAGSTER_HOME/dagster.yaml"; then
  cp "$DAGSTER_HOME/dagster.yaml" "$DAGSTER_HOME/dagster.yaml.previous"
  echo "serve: $DAGSTER_HOME/dagster.yaml differed from deploy/dagster.yaml: kept as dagster.yaml.previous" >&2
fi
cp deploy/dagster.yaml "$DAGSTER_HOME/dagster.yaml"

# The code location reads the dbt manifest when it loads: parse into the target path of the warehouse in
# WAREHOUSE_PATH (target/ for the default one, target/warehouses/<slug>/ for another: docs/publishing.md).
"$BIN/python" -c 'from orchestration.transform.project import prepare_manifest; prepare_manifest()'


pids=()
stop() {
  trap - TERM INT EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # dagster processes sometimes ignore SIGTERM while they shut down their subprocesses: give them 20 s, then KILL
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap 'stop; exit 143' TERM INT
trap stop EXIT

echo "serve: DAGSTER_HOME=$DAGSTER_HOME, UI on http://$HOST:$PORT" >&2
"$BIN/dagster-daemon" run -m orchestration.definitions &
pids+=($!)
"$BIN/dagster-webserver" -m orchestration.definitions -h "$HOST" -p "$PORT" &
pids+=($!)

# Either process ending ends the deployment (the EXIT trap stops the other).
set +e
wait -n "${pids[@]}"
status=$?
echo "serve: a Dagster process exited with status $status; stopping" >&2
exit $(( status == 0 ? 1 : status ))
