"""Run the complaint daily sweep once, for cron (the app also runs it hourly in the background):

    python scripts/sweep.py [--now 2026-11-27T10:00+08:00] [--database-url URL]

Age-based class upgrades (我方原因 ≥7 days → 热点, ≥1 month → 重大, 《投诉通报处理制度》一), report-deadline
breaches, overdue count. Prints one line; exit status 0, or 1 with a Chinese message on stderr. The sweep is
idempotent, so a cron run next to running app processes is safe. It never migrates: an outdated schema is refused.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alembic.runtime.migration import MigrationContext  # noqa: E402

from db.engine import database_url, get_engine  # noqa: E402
from db.migrate import heads  # noqa: E402

TZ = ZoneInfo(os.environ.get("DISPLAY_TZ", "Asia/Shanghai"))


def _moment(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=TZ)).astimezone(UTC)


def summary(result, now: datetime) -> str:
    regraded = f"类别调整 {len(result.regraded)} 件" + (f"（{'、'.join(result.regraded[:10])}"
                                                     + ("等" if len(result.regraded) > 10 else "") + "）"
                                                     if result.regraded else "")
    return (f"投诉日常巡检 {now.astimezone(TZ):%Y-%m-%d %H:%M}：{regraded}，通报超时 {len(result.report_breaches)} 件，"
            f"处理超期 {result.overdue} 件")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="投诉日常巡检（供 cron 调用）")
    parser.add_argument("--now", default=None, help="巡检时刻（ISO 格式，无时区按北京时间），默认现在")
    parser.add_argument("--database-url", default=None, help="默认取环境变量 DATABASE_URL（或 DATA_DIR 下的 SQLite 文件）")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    try:
        now = _moment(args.now)
    except ValueError:
        print(f"时间格式无效：{args.now}（例：2026-11-27T10:00）", file=sys.stderr)
        return 1
    try:
        with get_engine().connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
        if sorted(current) != sorted(heads()):
            print(f"数据库结构不是最新版本（{', '.join(current) or '未初始化'}），请先启动应用完成迁移：{database_url()}",
                  file=sys.stderr)
            return 1
        from db.services.complaint_grades import daily_sweep

        print(summary(daily_sweep(now=now), now))
        return 0
    except Exception as exc:  # cron mails stderr: one readable line, the traceback in the log
        logging.getLogger(__name__).exception("sweep failed")
        print(f"投诉日常巡检失败：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
