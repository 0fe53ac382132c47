"""Local HTTP servers that speak the TOP and 聚水潭 protocols (signing, paging, windows, errors, rate limits).

The one implementation of both simulators: the client tests (`tests/support/protocol_servers` re-exports them) and
`SOURCE_MODE=api` of `python -m orchestration.run` (which serves the demo data through them) use these classes.
They listen on 127.0.0.1 on a random free port and hold their records in memory. They are demo mode, so they live
beside the demo data (`api_records.py` builds what `demo.py` serves), above ingest: ingest never imports them.
"""
