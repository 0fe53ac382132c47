"""Alerts that reach people: one notification module fed by the pipeline's outcomes.

What (`events.py`): a failed run (which step, the error's first line), a blocking quality gate (which rule, how many
rows, one example; the report was not rebuilt and the last good report is kept), the KPI anomalies of the latest day
(metric, value, baseline, deviation), stock-out risk among the top sellers, and the daily digest (the latest day's
net sales, orders and refund rate against the last 7 days). Every message is in Chinese.

Where (`channels.py`): DingTalk robot webhooks (with the 加签 signature), WeCom (企业微信) group robots,
Feishu/Lark bots (with their signature), email over SMTP, and a generic JSON webhook; several at once. Each platform
gets its own markdown or card format, with a link to the report page when REPORT_BASE_URL is set. Settings: `config.py`
(environment variables, docs/alerts.md).

How (`delivery.py`): each alert goes to each channel at most once per run (a claim in the delivery log, SQLite in
DAGSTER_HOME, so `make run` and the daemon's sensor never both send it); a failed delivery is retried with
exponential back-off, recorded in the log, and never fails the pipeline. Secrets (webhook tokens, signing secrets,
SMTP passwords) are never logged or recorded.

Who calls it: `python -m orchestration.run` (make run) after its in-process run, and under `make serve` the sensor
`pipeline_alerts` (`sensors.py`), which the daemon ticks, for every run of the pipeline and API jobs that finishes.
"""
