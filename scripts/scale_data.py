"""Generate (or reuse) the synthetic company the benchmark runs on (issue 5).

    python scripts/scale_data.py --scale small|large [--database-url URL] [--force]

Without ``--database-url`` the dataset is a SQLite file ``data/bench/<scale>.sqlite3``; it is reused when its
manifest (an audit row ``bench.dataset``: alembic head, a fingerprint of the generator and migration sources,
the anchor day) still matches, and rebuilt otherwise. The database is migrated with ``db.bootstrap`` first,
then every family under ``scripts/scale/`` bulk-loads its tables. A PostgreSQL target is only ever dropped and
re-created when its name contains ``bench`` (never the ``test`` database). Prints the dataset URL on stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import sqlite3
import sys
import time
from contextlib import closing
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, inspect, make_url, select, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

import scripts.scale as scale_pkg  # noqa: E402
from db.bootstrap import bootstrap  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.migrate import MIGRATIONS, heads  # noqa: E402
from db.models import AuditLog  # noqa: E402
from db.services.maintenance import analyze_stale  # noqa: E402
from scripts.scale import SCALES, Scale, anchor_for, available, families, fix_sequences  # noqa: E402

log = logging.getLogger("scale_data")
BENCH_DIR = ROOT / "data" / "bench"
MANIFEST_ACTION = "bench.dataset"
MAX_AGE_DAYS = 7
HOOKS_MARKER = "# ----- benchmark hooks"  # older datasets are rebuilt so "the last 30 days" still holds a month of data


def default_url(scale_name: str) -> str:
    return f"sqlite:///{BENCH_DIR / f'{scale_name}.sqlite3'}"


def fingerprint(scale: Scale) -> str:
    """Changes whenever a generator module, a migration or the scale's numbers change."""
    digest = hashlib.sha256(json.dumps(scale.params(), sort_keys=True).encode())
    sources = sorted(Path(scale_pkg.__file__).parent.glob("*.py")) + sorted((MIGRATIONS / "versions").glob("*.py"))
    sources.append(ROOT / "db" / "services" / "maintenance.py")  # the statistics the dataset is left with
    for path in sources:
        digest.update(path.name.encode())
        # A family's benchmark hooks (below HOOKS_MARKER) do not change the data: editing them keeps the cache.
        digest.update(path.read_bytes().split(HOOKS_MARKER.encode(), 1)[0])
    return digest.hexdigest()[:16]


def expected_manifest(scale: Scale) -> dict:
    return {"scale": scale.name, "head": heads(), "fingerprint": fingerprint(scale),
            "families": [m.__name__.rsplit(".", 1)[1] for m in families() if available(m)]}


def stored_manifest(url: str) -> dict | None:
    """The manifest written by the last successful build, or None (missing, empty, unmigrated, unreachable)."""
    if url.startswith("sqlite") and not Path(make_url(url).database).exists():
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("audit_log"):
                return None
            raw = conn.execute(select(AuditLog.after_json).where(AuditLog.action == MANIFEST_ACTION)
                               .order_by(AuditLog.id.desc()).limit(1)).scalar()
            versions = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except OperationalError:
        return None
    finally:
        engine.dispose()
    if not raw:
        return None
    manifest = json.loads(raw)
    manifest["db_head"] = sorted(versions)
    return manifest


def reuse_problem(url: str, scale: Scale) -> str | None:
    """Why the stored dataset cannot be reused (None = reuse it)."""
    stored = stored_manifest(url)
    if stored is None:
        return "no dataset yet"
    want = expected_manifest(scale)
    if sorted(stored.get("db_head", [])) != sorted(want["head"]):
        return f"alembic head changed ({stored.get('db_head')} -> {want['head']})"
    for key in ("scale", "fingerprint", "families"):
        if stored.get(key) != want[key]:
            return f"{key} changed"
    age = (date.today() - date.fromisoformat(stored["anchor"])).days
    if age > MAX_AGE_DAYS:
        return f"anchor day {stored['anchor']} is {age} days old"
    return None


def _prepare_postgres(url: str) -> None:
    """Drop and re-create the target database (only one whose name says it is a benchmark database)."""
    target = make_url(url)
    name = target.database or ""
    if "bench" not in name:
        raise SystemExit(f"拒绝覆盖数据库 {name!r}：基准数据库的名称须包含 bench（例如 psd_bench）")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def build(url: str, scale: Scale) -> dict[str, float]:
    """Migrate an empty database and load every family; returns seconds per step."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        # A failed build is thrown away anyway; the app's own connections run with synchronous=FULL.
        event.listen(engine, "connect", lambda dbapi_conn, _rec: dbapi_conn.execute("PRAGMA synchronous=OFF"))
    try:
        bootstrap(engine, create_admin=False)
        timings["migrate"] = time.perf_counter() - started
        for module in families():
            name = module.__name__.rsplit(".", 1)[1]
            if not available(module):
                log.info("skip family %s: its tables are not in the schema yet", name)
                continue
            t0 = time.perf_counter()
            with engine.begin() as conn:
                module.generate(conn, random.Random(f"{name}:{scale.name}"), scale)
            timings[name] = time.perf_counter() - t0
            log.info("family %-10s %6.1f s", name, timings[name])
        t0 = time.perf_counter()
        manifest = expected_manifest(scale) | {"anchor": scale.anchor.date().isoformat(),
                                               "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                                               "build_seconds": round(sum(timings.values()), 1)}
        with engine.begin() as conn:
            fix_sequences(conn)
            conn.execute(AuditLog.__table__.insert().values(
                at=datetime.now(UTC), actor_name="scale_data", action=MANIFEST_ACTION, entity="dataset",
                entity_id=scale.name, summary=f"合成数据集 {scale.name}（基准测试用）", after_json=json.dumps(manifest),
                source="scripts/scale_data.py"))
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # autovacuum would do this soon after a bulk load
        else:
            analyze_stale(engine)  # what the app's daily job (db.services.maintenance) does on its first run
        timings["finish"] = time.perf_counter() - t0
    finally:
        engine.dispose()
    return timings


def ensure_dataset(scale_name: str, database_url: str | None = None, *, force: bool = False) -> str:
    """Return the URL of an up-to-date dataset for ``scale_name``, building it if needed."""
    scale = replace(SCALES[scale_name], anchor=anchor_for(date.today()))
    url = database_url or default_url(scale_name)
    problem = "--force" if force else reuse_problem(url, scale)
    if problem is None:
        log.info("reusing %s dataset at %s", scale_name, url)
        return url
    log.info("building %s dataset at %s (%s)", scale_name, url, problem)
    started = time.perf_counter()
    if url.startswith("sqlite"):
        final = Path(make_url(url).database)
        final.parent.mkdir(parents=True, exist_ok=True)
        scratch = final.with_name(f".{final.stem}.building{final.suffix}")
        for path in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            path.unlink(missing_ok=True)
        build(f"sqlite:///{scratch}", scale)
        with closing(sqlite3.connect(scratch, isolation_level=None)) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone holds everything before it is moved
        for suffix in ("-wal", "-shm"):
            Path(f"{final}{suffix}").unlink(missing_ok=True)
        os.replace(scratch, final)
    else:
        _prepare_postgres(url)
        build(url, scale)
    log.info("built %s dataset in %.1f s", scale_name, time.perf_counter() - started)
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成（或复用）基准测试用的合成数据集")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database-url", default=None,
                        help="目标数据库（默认 data/bench/<scale>.sqlite3）；PostgreSQL 库名须含 bench")
    parser.add_argument("--force", action="store_true", help="即使已有可用数据集也重新生成")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    print(ensure_dataset(args.scale, args.database_url, force=args.force))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
