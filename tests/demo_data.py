"""The demo company as a test database, built once per test process by the real ``scripts/demo.py``.

The app-level (AppTest) and browser (Playwright) suites both log in with the demo accounts, so every
role exists with realistic data (3 管理处, about 2,000 房屋). Building it takes about 13 s (one bcrypt
hash per account), so it is done once per process and each test copies the file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import create_engine
from sqlmodel import Session, select

from core.permissions import allowed_roles
from core.registry import PageSpec
from core.roles import Role
from db.models import User, UserRole

ROOT = Path(__file__).resolve().parents[1]
DEMO_PASSWORD = "Demo-test-2026"
DB_FILE = "service_desk.sqlite3"  # the name db.engine.database_url() uses under DATA_DIR

_lock = threading.Lock()
_built: dict[str, Path] = {}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: never inherit another database or a test's leftovers."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL", "DATA_DIR"}}
    env.setdefault("AUTH_COOKIE_KEY", "test-cookie-key-not-secret-0123456789abcdef")
    env.update(extra)
    return env


def build_demo(base_dir: Path) -> Path:
    """Run ``scripts/demo.py --password DEMO_PASSWORD`` into ``base_dir`` once per process; return the folder."""
    with _lock:
        if "dir" in _built:
            return _built["dir"]
        target = base_dir / "demo-template"
        target.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "demo.py"), "--password", DEMO_PASSWORD],
            cwd=ROOT, env=clean_env(DATA_DIR=str(target)), capture_output=True, text=True, timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"scripts/demo.py failed ({result.returncode}):\n{result.stderr[-4000:]}")
        if not (target / DB_FILE).exists():
            raise RuntimeError(f"scripts/demo.py wrote no {DB_FILE} into {target}:\n{result.stderr[-2000:]}")
        _built["dir"] = target
        return target


def copy_demo(template_dir: Path, target_dir: Path) -> Path:
    """Copy the demo database (with its WAL files, if any) into ``target_dir``; return the database file."""
    target_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = template_dir / (DB_FILE + suffix)
        if source.exists():
            shutil.copy(source, target_dir / (DB_FILE + suffix))
    return target_dir / DB_FILE


def demo_accounts_by_role(db_file: Path) -> dict[Role, str]:
    """For each role, the first demo account (by id) holding that role and no other — read from the database."""
    engine = create_engine(f"sqlite:///{db_file}")
    try:
        with Session(engine) as s:
            rows = s.exec(
                select(User.username, UserRole.role).join(UserRole, UserRole.user_id == User.id)
                .where(User.is_demo == True, User.active == True).order_by(User.id)  # noqa: E712
            ).all()
    finally:
        engine.dispose()
    roles_of: dict[str, set[str]] = {}
    for username, role in rows:
        roles_of.setdefault(username, set()).add(role)
    accounts: dict[Role, str] = {}
    for username, roles in roles_of.items():  # dicts keep the id order
        if len(roles) == 1 and (role := next(iter(roles))) in Role._value2member_map_:
            accounts.setdefault(Role(role), username)
    return accounts


def allowed_specs(role: Role, specs: list[PageSpec]) -> list[PageSpec]:
    """The pages a holder of ``role`` alone may open, straight from the permission matrix."""
    return [s for s in specs if role in allowed_roles(s.action)]


def forbidden_specs(role: Role, specs: list[PageSpec]) -> list[PageSpec]:
    return [s for s in specs if role not in allowed_roles(s.action)]
