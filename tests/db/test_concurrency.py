"""No lost or doubled writes (design.md §6): many sessions writing at once through the real services.

16 threads × 100 business writes of mixed kinds run against one database (SQLite file with BEGIN IMMEDIATE,
and PostgreSQL) at the same time, as Streamlit sessions do in one process. Afterwards every count is exact,
no thread saw "database is locked", numbering has no gap and no duplicate, a double-submitted form writes
one row, and a failure after a write leaves nothing behind.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from core import complaints as complaint_rules
from core.permissions import Action
from core.roles import Role
from db.engine import get_engine
from db.models import AuditLog, Customer, Notice, NumberSequence, PolicyChange, User, Zone
from db.services import complaints as complaint_service
from db.services import org as org_service
from db.services import people as people_service
from db.services import policy as policy_service
from db.services import users as user_service
from db.services.base import next_number
from db.services.notices import notify
from db.session import write_session
from tests.db.world import row_counts

THREADS = 16
WRITES_PER_THREAD = 100
YEAR = 2026



def run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Start ``count`` threads together (a barrier), run ``work(thread_no)``; return what they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def body(n: int) -> None:
        try:
            barrier.wait(timeout=60)
            work(n)
        except BaseException as exc:  # noqa: BLE001  collected and asserted on below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=body, args=(n,), name=f"writer-{n}") for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a writer thread hung"
    return errors


def _count(url: str, model, *where) -> int:
    with Session(get_engine(url)) as s:
        return int(s.exec(select(func.count()).select_from(model).where(*where)).one())


def _complaint_data(office_id: int, now, n):
    return complaint_service.ComplaintIn(
        office_id=office_id, channel=complaint_rules.Channel.PHONE.value,
        category=complaint_rules.Category.ENVIRONMENT.value, description=f"并发测试投诉 {n}",
        occurred_at=now - timedelta(hours=1), complainant_name=f"业主{n}",
    )


KINDS = ["policy", "zone", "customer", "notice", "number", "complaint"]


def test_mixed_writes_from_16_threads_are_all_kept_exactly_once(db_url, org, make_actor, now):
    admin = make_actor(Role.SYSADMIN)
    records = make_actor(Role.RECORDS_OFFICER, org.office_a)
    clerk = make_actor(Role.CLERK, org.office_a)
    before = row_counts(db_url)
    audits_before = _count(db_url, AuditLog)
    done: Counter[str] = Counter()
    numbers: list[int] = []
    complaint_numbers: list[str] = []
    lock = threading.Lock()

    def work(t: int) -> None:
        for i in range(WRITES_PER_THREAD):
            kind = KINDS[(t + i) % len(KINDS)]
            tag = f"{t}-{i}"
            if kind == "policy":
                policy_service.set_value(actor=admin, key="complaint.hot_collective", value=3 + (i % 5),
                                         effective_from=now, reason=f"并发 {tag}", now=now)
            elif kind == "zone":
                org_service.save_zone(actor=admin, zone_id=None, office_id=(org.office_a, org.office_b)[i % 2],
                                      name=f"苑区{tag}")
            elif kind == "customer":
                people_service.save_customer(actor=records, customer_id=None, office_id=org.office_a,
                                             name=f"客户{tag}", kind="owner", id_number="", phone="13800000000")
            elif kind == "notice":
                with write_session() as s:
                    notify(s, recipient_user_ids=[clerk.user_id], kind="info", title=f"并发通知{tag}", now=now)
            elif kind == "number":
                with write_session() as s:
                    value = next_number(s, "CONC", YEAR)
                with lock:
                    numbers.append(value)
            elif kind == "complaint":
                c = complaint_service.register(actor=clerk, data=_complaint_data(org.office_a, now, tag),
                                               request_id=f"conc-{tag}", now=now)
                with lock:
                    complaint_numbers.append(c.number)
            with lock:
                done[kind] += 1

    errors = run_threads(THREADS, work)
    assert not errors, f"{len(errors)} writes failed, first: {errors[0]!r}"
    assert sum(done.values()) == THREADS * WRITES_PER_THREAD

    after = row_counts(db_url)
    assert after["policy_change"] - before["policy_change"] == done["policy"]
    assert after["zone"] - before["zone"] == done["zone"]
    assert after["customer"] - before["customer"] == done["customer"]
    assert _count(db_url, Notice, Notice.title.like("并发通知%")) == done["notice"]
    assert _count(db_url, AuditLog, AuditLog.action == "policy.set") == done["policy"]
    assert _count(db_url, AuditLog, AuditLog.action == "zone.create") == done["zone"]
    assert _count(db_url, AuditLog, AuditLog.action == "customer.create") == done["customer"]
    assert _count(db_url, AuditLog) - audits_before >= done["policy"] + done["zone"] + done["customer"]

    # numbering: every value 1..N handed out exactly once, and the counter stands at N
    assert sorted(numbers) == list(range(1, done["number"] + 1))
    with Session(get_engine(db_url)) as s:
        seq = s.exec(select(NumberSequence).where(NumberSequence.name == "CONC", NumberSequence.year == YEAR)).one()
        assert seq.last_value == done["number"]
        versions = s.exec(select(PolicyChange.id)).all()
    assert len(set(versions)) == len(versions) == done["policy"]

    assert after["complaint"] - before["complaint"] == done["complaint"]
    assert len(set(complaint_numbers)) == len(complaint_numbers) == done["complaint"]
    serials = sorted(int(n.rsplit("-", 1)[1]) for n in complaint_numbers)
    assert serials == list(range(1, done["complaint"] + 1)), "gap or duplicate in TS numbers"


def test_a_double_submitted_form_writes_one_row(db_url, org, make_actor, now):
    """Eight concurrent submissions of one form render (double click, rerun, two tabs) → one account."""
    admin = make_actor(Role.SYSADMIN)
    ids: list[int] = []
    lock = threading.Lock()

    def submit(_n: int) -> None:
        uid = user_service.create_user(actor=admin, username="double.click", display_name="重复提交",
                                       password="long enough pw", grants=[(Role.CLERK.value, org.office_a)],
                                       now=now, request_id="form-render-42")
        with lock:
            ids.append(uid)

    errors = run_threads(8, submit)
    assert not errors, errors[0]
    assert len(ids) == 8 and len(set(ids)) == 1
    assert _count(db_url, User, User.username == "double.click") == 1
    assert _count(db_url, AuditLog, AuditLog.action == "user.create") == 1


def test_a_double_submitted_complaint_writes_one_complaint(db_url, org, make_actor, now):
    clerk = make_actor(Role.CLERK, org.office_a)
    numbers: list[str] = []
    lock = threading.Lock()

    def submit(_n: int) -> None:
        c = complaint_service.register(actor=clerk, data=_complaint_data(org.office_a, now, 1),
                                       request_id="complaint-form-7", now=now)
        with lock:
            numbers.append(c.number)

    before = row_counts(db_url)
    errors = run_threads(8, submit)
    assert not errors, errors[0]
    assert len(numbers) == 8 and len(set(numbers)) == 1
    assert row_counts(db_url)["complaint"] - before["complaint"] == 1


class Boom(RuntimeError):
    pass


def test_an_exception_after_a_write_leaves_nothing_behind(db_url, org, make_actor, now):
    admin = make_actor(Role.SYSADMIN)
    before = row_counts(db_url)
    audits = _count(db_url, AuditLog)
    with pytest.raises(Boom):
        with write_session() as s:
            org_service.save_row(s, actor=admin, action=Action.ORG_MANAGE, model=Zone, row_id=None,
                                 values={"office_id": org.office_a, "name": "半途而废"}, entity="zone",
                                 office_id=org.office_a, summary="应回滚")
            next_number(s, "ROLLBACK", YEAR)
            notify(s, recipient_user_ids=[admin.user_id], kind="info", title="应回滚", now=now)
            s.flush()
            raise Boom("after the writes")
    assert row_counts(db_url) == before
    assert _count(db_url, AuditLog) == audits
    assert _count(db_url, Notice) == 0


def test_a_failure_inside_a_real_service_after_its_row_is_flushed_rolls_back(db_url, org, make_actor, now,
                                                                            monkeypatch):
    """Fault injection: the audit step of save_customer fails after the customer row was flushed."""
    records = make_actor(Role.RECORDS_OFFICER, org.office_a)
    before = row_counts(db_url)
    audits = _count(db_url, AuditLog)

    def failing_audit(*args, **kwargs):
        raise Boom("audit table unavailable")

    with monkeypatch.context() as patch, pytest.raises(Boom):
        patch.setattr(org_service, "audit", failing_audit)  # save_row (used by save_customer) audits here
        people_service.save_customer(actor=records, customer_id=None, office_id=org.office_a, name="不应保存",
                                     kind="owner", id_number="", phone="")
    assert row_counts(db_url) == before
    assert _count(db_url, AuditLog) == audits
    assert _count(db_url, Customer, Customer.name == "不应保存") == 0
    # and the database is still healthy: the next write goes through
    people_service.save_customer(actor=records, customer_id=None, office_id=org.office_a, name="正常保存",
                                 kind="owner", id_number="", phone="")
    assert _count(db_url, Customer, Customer.name == "正常保存") == 1
