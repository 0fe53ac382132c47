"""`python -m orchestration.ask QUESTION [--json] [--as-of YYYY-MM-DD]`; with no question, one question per line from
standard input (MetricFlow and the vocabulary load once)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys

from orchestration.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.ask", description=__doc__)
    parser.add_argument("question", nargs="*", help="a question in Chinese; none: read questions from stdin")
    parser.add_argument("--json", action="store_true", help="print one JSON object per question")
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="the last complete day relative time counts from (default: the report's 数据截至)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    from orchestration.ask.answer import Asker

    settings = Settings.from_env()
    if not settings.warehouse_path.exists():
        print(
            f"没有找到数据仓库 {settings.warehouse_path}：先运行 make run（或设置 WAREHOUSE_PATH）。", file=sys.stderr
        )
        return 2
    questions = [" ".join(args.question)] if args.question else (line.strip() for line in sys.stdin)
    status = 0
    with Asker(settings.warehouse_path, as_of=args.as_of) as asker:
        for question in questions:
            if not question:
                continue
            answer = asker.ask(question)
            if args.json:
                print(json.dumps(answer.as_json(), ensure_ascii=False))
            else:
                print(answer.as_text() + "\n")
            sys.stdout.flush()
            status = status or (1 if answer.refused else 0)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
