"""Back up or restore the database that DATABASE_URL names (default: the SQLite file under DATA_DIR).

    python scripts/backup.py backup --dest DIR [--keep N]     # online snapshot + integrity check + rotation
    python scripts/backup.py restore FILE                     # integrity check, safety copy, restore
    python scripts/backup.py check FILE                       # integrity check only

For PostgreSQL the script prints the pg_dump / pg_restore commands to run (docs/deployment.md). Exit
status 0 on success, 1 with a Chinese message on stderr otherwise. Stop the app before a restore.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db.backup import BackupError, backup_sqlite, integrity_problems, pg_commands, restore_sqlite, sqlite_path  # noqa: E402
from db.engine import database_url  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="数据库备份与恢复")
    parser.add_argument("--database-url", default=None, help="默认取环境变量 DATABASE_URL（或 DATA_DIR 下的 SQLite 文件）")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup", help="在线备份，检查完整性，按份数轮换")
    b.add_argument("--dest", required=True, type=Path, help="备份目录")
    b.add_argument("--keep", type=int, default=14, help="保留最近几份（默认 %(default)s）")
    r = sub.add_parser("restore", help="从备份文件恢复（先检查完整性，并保留当前数据库的安全副本）")
    r.add_argument("file", type=Path)
    c = sub.add_parser("check", help="检查一个备份文件的完整性")
    c.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    url = args.database_url or database_url()
    now = datetime.now(UTC)
    try:
        if args.command == "check":
            problems = integrity_problems(args.file)
            if problems:
                raise BackupError("完整性检查未通过：" + "；".join(problems[:5]))
            print(f"完整性检查通过：{args.file}")
            return 0
        if url.startswith("postgresql"):
            dest = getattr(args, "dest", None) or Path("/var/backups/service-desk")
            commands = pg_commands(url, dest, now=now)
            print("# PostgreSQL：请用以下命令备份 / 校验 / 恢复（恢复前先停止所有应用进程）")
            for name in ("backup", "verify", "restore"):
                print(f"{name}: {commands[name]}")
            return 0
        db_file = sqlite_path(url)
        if args.command == "backup":
            result = backup_sqlite(db_file, args.dest, keep=args.keep, now=now)
            print(f"备份完成：{result.path}（{result.size} 字节，完整性检查通过）")
            for old in result.removed:
                print(f"已轮换删除：{old}")
        else:
            safety = restore_sqlite(args.file, db_file, now=now)
            print(f"恢复完成：{db_file} ← {args.file}")
            if safety:
                print(f"恢复前的数据库已另存为：{safety}")
        return 0
    except BackupError as exc:
        print(exc.message, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
