"""The background scheduler runs every registered daily sweep; a failing sweep does not stop the others."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from core.registry import _DAILY_JOBS, daily_job
from core.roles import Role
from db.engine import get_engine
from db.models.complaint import Complaint
from db.services import complaints as svc
from db.services.complaints import ComplaintIn
from db.services.scheduler import run_jobs


def test_run_jobs_upgrades_an_old_complaint_through_our_fault(db_url, org, make_actor, now):
    clerk = make_actor(Role.CLERK, org.office_a)
    data = ComplaintIn(office_id=org.office_a, channel="phone", category="engineering", description="电梯反复故障",
                       occurred_at=now - timedelta(hours=1), complainant_name="李业主", complainant_phone="13800000002",
                       our_fault=True)
    complaint = svc.register(actor=clerk, data=data, request_id="sched-1", now=now)

    @daily_job("test-broken")
    def broken(*, now):
        raise RuntimeError("boom")

    try:
        results = run_jobs(now=now + timedelta(days=8))
    finally:
        _DAILY_JOBS.pop("test-broken", None)
    assert results["test-broken"] == "failed"
    assert results["complaints"].regraded == [complaint.number]
    with Session(get_engine(db_url)) as s:
        assert s.exec(select(Complaint.grade).where(Complaint.id == complaint.id)).one() == "hot"
    # idempotent: a second run (another process, or cron) changes nothing
    assert run_jobs(now=now + timedelta(days=8))["complaints"].regraded == []
