"""Ingest from the Taobao Open Platform (TOP) and 聚水潭 (JushuiTan) ERP APIs into the warehouse's `raw` schema.

Modules: `http` (the shared `requests` session: time-outs, bounded retries with backoff and jitter), `errors`, `top`
and `jushuitan` (the protocol clients), `landing` (one transaction per API window, logged in
`raw.ingest_log`), `assets` (the Dagster assets, partitioned by China-time day, skipped when credentials are absent),
`schedules` (the API job, its 02:00 schedule, the sensor that starts the pipeline after it). The local servers that
speak both protocols are demo mode: `orchestration/demo_data/simulators/` (the client tests and `SOURCE_MODE=api` of
`orchestration.run` use them; ingest never imports them).

Configuration, all from environment variables (credentials are never logged):

  TOP_APP_KEY, TOP_APP_SECRET, TOP_SESSION   TOP credentials; without all three the TOP assets are skipped
  TOP_BASE_URL           default https://gw.api.taobao.com/router/rest
  TOP_SIGN_METHOD        md5 | hmac | hmac-sha256 (default hmac-sha256)
  TOP_SIMPLIFY           true asks for the `simplify` response shape (default false; both shapes are read)
  TOP_SHOP_NICK          the shop's name in lineage (default tmall)
  TOP_WINDOW_MINUTES     window length for trades and refunds, at most 1440 (default 1440)
  JST_APP_KEY, JST_APP_SECRET, JST_ACCESS_TOKEN   聚水潭 credentials; without all three `raw/jst_*` are skipped
  JST_BASE_URL           default https://openapi.jushuitan.com
  JST_SHOP               the ERP account's name in lineage (default jushuitan)
  JST_RATE_LIMIT_CODES   `code` values meaning "called too often" (default 199,200,429; messages with 频率/频繁/限流
                         are recognised too)
  JST_RATE_LIMIT_WAIT_SECONDS  pause after a rate-limit answer that names no wait (default 60)
  API_TIMEOUT_SECONDS    connect/read time-out per request (default 30)
  API_MAX_ATTEMPTS       tries per request on connection errors, time-outs, 5xx and 429 (default 5)
  API_BACKOFF_BASE_SECONDS, API_BACKOFF_MAX_SECONDS   exponential backoff with full jitter (default 1 and 60)
  API_MAX_BAN_WAIT_SECONDS     a rate-limit ban up to this long is waited out, a longer one fails (default 600)
  API_PARTITIONS_START_DATE    the first China-time day that can be fetched or backfilled (default 2023-01-01;
                               `orchestration/partitions.py`)
"""
