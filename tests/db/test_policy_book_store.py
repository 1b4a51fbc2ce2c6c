"""The policy book's storage: money parameters as int 分 (old 元 floats still read), table parameters,
and the revision counter that keys the in-process cache (issue 10 §1, issue 9 §5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from core.errors import DomainError
from core.roles import Role
from db.services import policy as policy_service


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
