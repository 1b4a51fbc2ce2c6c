"""The policy book's storage: money parameters as int 分 (old 元 floats still read), table parameters,
and the revision counter that keys the in-process cache (issue 10 §1, issue 9 §5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from core.errors import DomainError
from core.roles import Role
from db.models import AuditLog, PolicyChange
from db.services import policy as policy_service
from db.session import read_session


def _raw_change(url: str, key: str, value_json: str, at) -> None:
    """A row written by an older version of the app (or another process): plain SQL, no service."""
    other = create_engine(url)
    try:
        with other.begin() as conn:
            conn.execute(text("INSERT INTO policy_change (key, value_json, effective_from, reason, created_at) "
                              "VALUES (:k, :v, :f, 'x', :f)"), {"k": key, "v": value_json, "f": at})
    finally:
        other.dispose()


def test_money_parameters_are_stored_and_read_as_fen(db_url, org, make_actor, now):
    admin = make_actor(Role.SYSADMIN, org.hq_id)
    assert policy_service.policy_at(now)["pass.worker_deposit"] == 5000
    version = policy_service.set_value(actor=admin, key="pass.worker_deposit", value="1,234.5",
                                       effective_from=now - timedelta(hours=1), reason="客户确认", now=now)
    book = policy_service.policy_at(now)
    assert book["pass.worker_deposit"] == 123450 and type(book["pass.worker_deposit"]) is int
    [row] = [c for c in policy_service.history(actor=admin, key="pass.worker_deposit") if c.id == version]
    assert row.value_json == "123450"
    with pytest.raises(DomainError, match="两位小数"):
        policy_service.set_value(actor=admin, key="pass.worker_deposit", value="1.005",
                                 effective_from=now, reason="x", now=now)


def test_old_money_values_in_yuan_still_read(db_url, org, now):
    _raw_change(db_url, "decoration.home_deposit", "2500.5", now - timedelta(days=1))
    assert policy_service.policy_at(now)["decoration.home_deposit"] == 250050


def test_table_parameters_are_versioned_and_rows_never_vanish(db_url, org, make_actor, now):
    admin = make_actor(Role.SYSADMIN, org.hq_id)
    key = "complaint.categories"
    rows = policy_service.policy_at(now).rows(key)
    rows[0]["label"] = "工程报修"
    rows.append({"code": "lift", "label": "电梯", "active": True})
    first = policy_service.set_value(actor=admin, key=key, value=rows, effective_from=now - timedelta(hours=1),
                                     reason="新增电梯类", now=now)
    book = policy_service.policy_at(now)
    assert book.row_label(key, "engineering") == "工程报修" and book.row(key, "lift")["label"] == "电梯"
    assert policy_service.policy_at(now, version=first - 1).row(key, "lift") is None  # older records: older rules

    without_lift = [r for r in rows if r["code"] != "lift"]
    with pytest.raises(DomainError, match="不能删除“电梯”"):
        policy_service.set_value(actor=admin, key=key, value=without_lift, effective_from=now, reason="x", now=now)
    rows[-1]["active"] = False
    policy_service.set_value(actor=admin, key=key, value=rows, effective_from=now - timedelta(minutes=1),
                             reason="停用", now=now)
    book = policy_service.policy_at(now)
    assert "lift" not in [r["code"] for r in book.rows(key)] and book.row_label(key, "lift") == "电梯"
    assert [a.action for a in _audit(key)] == ["policy.set", "policy.set"]


def test_a_routing_without_a_recipient_is_refused(db_url, org, make_actor, now):
    admin = make_actor(Role.SYSADMIN, org.hq_id)
    routing = policy_service.policy_at(now).rows("complaint.report_routing")
    routing[0]["recipients"] = []
    with pytest.raises(DomainError, match="通报对象”不能为空"):
        policy_service.set_value(actor=admin, key="complaint.report_routing", value=routing, effective_from=now,
                                 reason="x", now=now)


def _audit(key):
    with read_session() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.entity == "policy", AuditLog.entity_id == key)).all())


# ----- the revision counter: one primary-key row per lookup -------------------------------------------


def _revision(url: str) -> tuple[str, int]:
    other = create_engine(url)
    try:
        with other.connect() as conn:
            return tuple(conn.execute(text("SELECT instance, revision FROM policy_revision WHERE id = 1")).one())
    finally:
        other.dispose()


def _plain_sql(url: str, sql: str, **params) -> None:
    other = create_engine(url)
    try:
        with other.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        other.dispose()


def test_triggers_bump_the_revision_on_every_write_to_either_table(db_url, org, now):
    instance, start = _revision(db_url)
    day = "2031-05-01"
    steps = [
        ("INSERT INTO policy_holiday (day, kind, name) VALUES (:d, 'holiday', 'x')", {"d": day}),
        ("UPDATE policy_holiday SET name = 'y' WHERE day = :d", {"d": day}),
        ("DELETE FROM policy_holiday WHERE day = :d", {"d": day}),
        ("INSERT INTO policy_change (key, value_json, effective_from, reason, created_at) "
         "VALUES ('complaint.hot_collective', '4', :f, 'x', :f)", {"f": now}),
        ("UPDATE policy_change SET reason = 'z' WHERE key = 'complaint.hot_collective'", {}),
        ("DELETE FROM policy_change WHERE key = 'complaint.hot_collective'", {}),
    ]
    seen = [start]
    for sql, params in steps:
        _plain_sql(db_url, sql, **params)
        now_instance, revision = _revision(db_url)
        assert now_instance == instance and revision > seen[-1], sql
        seen.append(revision)


def test_a_cached_lookup_reads_one_primary_key_row(db_url, org, now):
    from sqlalchemy import event

    from db.engine import get_engine

    policy_service.policy_at(now)  # fill the cache
    statements: list[str] = []
    engine = get_engine()

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            policy_service.policy_at(now)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    reads = [s for s in statements if "policy" in s]
    assert len(reads) == 5 and all("policy_revision" in s and "policy_change" not in s for s in reads), statements


def test_an_emptied_database_under_the_same_url_starts_a_new_key(db_url, org, make_actor, now):
    """What conftest's _truncate_pg does between tests: empty every table, bootstrap again."""
    from db.bootstrap import bootstrap
    from db.engine import get_engine

    admin = make_actor(Role.SYSADMIN, org.hq_id)
    policy_service.set_value(actor=admin, key="complaint.hot_collective", value=7,
                             effective_from=now - timedelta(days=1), reason="x", now=now)
    assert policy_service.policy_at(now)["complaint.hot_collective"] == 7
    instance, _ = _revision(db_url)
    _plain_sql(db_url, "DELETE FROM policy_change")
    _plain_sql(db_url, "DELETE FROM policy_revision")
    assert policy_service.policy_at(now)["complaint.hot_collective"] == 3  # no row: read fresh, not cached
    bootstrap(get_engine(), create_admin=False)
    assert _revision(db_url)[0] != instance
    assert policy_service.policy_at(now)["complaint.hot_collective"] == 3
    _plain_sql(db_url, "INSERT INTO policy_change (key, value_json, effective_from, reason, created_at) "
                       "VALUES ('complaint.hot_collective', '9', :f, 'x', :f)", f=now - timedelta(days=1))
    assert policy_service.policy_at(now)["complaint.hot_collective"] == 9


def test_a_rolled_back_change_leaves_no_cache_entry(db_url, org, now):
    from db.session import write_session

    policy_service.policy_at(now)
    with pytest.raises(RuntimeError):
        with write_session() as s:
            s.add(PolicyChange(key="complaint.hot_collective", value_json="8", effective_from=now - timedelta(days=1),
                               reason="x", created_at=now))
            s.flush()
            assert policy_service.policy_in(s, at=now)["complaint.hot_collective"] == 8
            raise RuntimeError
    # Another change takes the revision number the rolled-back one had: its own value must show.
    _raw_change(db_url, "complaint.hot_collective", "6", now - timedelta(days=1))
    assert policy_service.policy_at(now)["complaint.hot_collective"] == 6
