"""Load a realistic demo company into the database that DATABASE_URL names (default: data/ file).

    python scripts/demo.py [--password PW]

Prints one line per account it creates: ``<username> <password> <role in Chinese>``. Running it twice
adds nothing. Each process adds its own module under scripts/demo/ (``ORDER`` and ``run(ctx)``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session  # noqa: E402

import scripts.demo as demo_pkg  # noqa: E402
from db.bootstrap import bootstrap  # noqa: E402
from db.engine import database_url, get_engine  # noqa: E402

DEFAULT_PASSWORD = "Demo@2026"


@dataclass
class DemoContext:
    session: Session
    password: str
    now: datetime
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, password, role label
    ids: dict = field(default_factory=dict)  # shared between demo modules (offices, users, …)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="加载演示数据")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="所有演示账号的密码（默认 %(default)s）")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    engine = get_engine()
    bootstrap(engine, create_admin=False)
    modules = [importlib.import_module(f"scripts.demo.{m.name}") for m in pkgutil.iter_modules(demo_pkg.__path__)]
    modules.sort(key=lambda m: getattr(m, "ORDER", 100))
    with Session(engine) as session:
        ctx = DemoContext(session=session, password=args.password, now=datetime.now(UTC))
        for module in modules:
            module.run(ctx)
            session.commit()
    for username, password, role in ctx.accounts:
        print(f"{username} {password} {role}")
    print(f"# 演示数据已载入 {database_url()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
