"""投诉公示 through the services (issue 15 item 4), on SQLite and PostgreSQL: once a month is over each office gets
its task — pending with a duty when the month had complaints about common areas, disputes between owners or shared
problems, skipped otherwise; the notice lists them anonymised; publications (channel, date, photo or link) meet the
duty; ``complaint.publication_per_month`` decides how many; another office's task is out of reach."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import Session, select

from core import complaint_disclosure as rules
from core.errors import DomainError, PermissionDenied
from core.roles import Role
from db.engine import get_engine
from db.models import Complaint, ComplaintDisclosure, Duty
from db.services import complaint_disclosure as disclosure
from db.services import complaint_groups
from db.services import complaints as svc
from db.services import policy as policy_svc
from db.services.complaints import ComplaintIn
from tests import pdftools

H = timedelta(hours=1)
T0 = datetime(2026, 10, 12, 2, tzinfo=UTC)
NOV_3 = datetime(2026, 11, 3, 2, tzinfo=UTC)
OCT = date(2026, 10, 1)


@pytest.fixture
def team(org, make_actor):
    return {
        "clerk": make_actor(Role.CLERK, org.office_a),
        "sup": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "director_b": make_actor(Role.OFFICE_DIRECTOR, org.office_b),
        "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id),
        "admin": make_actor(Role.SYSADMIN, org.hq_id),
    }


def _reg(org, team, n, **kw):
    data = dict(office_id=org.office_a, channel="phone", category="engineering", description=f"第{n}件：电梯停运",
                occurred_at=T0 - H, received_at=T0 + n * H, complainant_name=f"王大{n}号", complainant_phone=f"1390000{n:04d}")
    data.update(kw)
    return svc.register(actor=team["clerk"], request_id=f"d{n}", now=T0 + n * H, data=ComplaintIn(**data))


@pytest.fixture
def october(org, team):
    common = _reg(org, team, 1, common_area=True, description="王大1号反映电梯停运三天")
    _reg(org, team, 2, category="neighbour", description="楼上漏水纠纷")
    _reg(org, team, 3, category="attitude", description="前台态度差")  # personal: not published
    a, b = _reg(org, team, 4, category="fees"), _reg(org, team, 5, category="fees", complainant_name="李四")
    complaint_groups.link_same_issue(actor=team["sup"], complaint_id=a.id, with_complaint_id=b.id, now=T0 + 6 * H,
                                     title="公摊水电费偏高")  # a shared problem: both published
    return common


def test_the_month_task_the_notice_and_its_publication(db_url, org, team, october, tmp_path):
    result = disclosure.open_last_month(now=NOV_3)
    assert result == {"month": "2026-10-01", "opened": 1, "skipped": 1}  # office B had nothing publishable
    assert disclosure.open_last_month(now=NOV_3 + H)["opened"] == 0  # idempotent
    [a] = disclosure.tasks(actor=team["sup"], month=OCT, now=NOV_3)
    assert (a.state, a.complaints, a.required, a.duty.value) == ("pending", 4, 1, "open")
    [b] = disclosure.tasks(actor=team["director_b"], month=OCT, now=NOV_3)
    assert (b.state, b.duty) == ("skipped", None)
    items = disclosure.notice_items(actor=team["sup"], disclosure_id=a.id, now=NOV_3)
    assert len(items) == 4 and all("王大1号" not in i.matter and "王大" not in i.matter for i in items)
    assert "前台态度差" not in " ".join(i.matter for i in items)
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(disclosure.notice_pdf(actor=team["sup"], disclosure_id=a.id, now=NOV_3, tz=UTC))
    text = pdftools.layout_text(pdf)
    if text is not None:
        assert "投诉处理情况公示" in text and "东方家园管理处" in text and october.number in text
    with pytest.raises(DomainError, match="照片或填写网页链接"):
        disclosure.publish(actor=team["sup"], disclosure_id=a.id, photos=[], request_id="p0", now=NOV_3,
                           publication=rules.Publication(date(2026, 11, 3), "notice_board", "", ""))
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(png, format="PNG")
    done = disclosure.publish(actor=team["sup"], disclosure_id=a.id, photos=[("公告栏.png", png.getvalue())],
                              request_id="p1", now=NOV_3, publication=rules.Publication(
                                  date(2026, 11, 3), "notice_board", "", "东门公告栏"))
    again = disclosure.publish(actor=team["sup"], disclosure_id=a.id, photos=[], request_id="p1", now=NOV_3,
                               publication=rules.Publication(date(2026, 11, 3), "notice_board", "", ""))
    assert done.state == "done" and again.publications == 1  # a double click writes one publication
    [a] = disclosure.tasks(actor=team["hq"], month=OCT, now=NOV_3, office_id=org.office_a)
    assert a.duty.value == "met_on_time"
    with Session(get_engine(db_url)) as s:
        duty = s.exec(select(Duty).where(Duty.duty == rules.PUBLISH.code)).one()
        assert duty.state == "met"
    with pytest.raises(DomainError, match="无需登记"):
        disclosure.publish(actor=team["director_b"], disclosure_id=b.id, photos=[], request_id="p2", now=NOV_3,
                           publication=rules.Publication(date(2026, 11, 3), "website", "https://x.cn/1", ""))


def test_publications_per_month_come_from_the_policy_book(db_url, org, team, october):
    policy_svc.set_value(actor=team["admin"], key=rules.PER_MONTH, value=2, effective_from=T0 - 40 * 24 * H,
                         reason="总部要求每月两次", now=T0 - 40 * 24 * H)
    disclosure.open_last_month(now=NOV_3)
    [a] = disclosure.tasks(actor=team["sup"], month=OCT, now=NOV_3)
    once = disclosure.publish(actor=team["sup"], disclosure_id=a.id, photos=[], request_id="x1", now=NOV_3,
                              publication=rules.Publication(date(2026, 11, 3), "website", "https://x.cn/1", ""))
    assert (once.state, once.required) == ("pending", 2)  # one of two
    twice = disclosure.publish(actor=team["sup"], disclosure_id=a.id, photos=[], request_id="x2", now=NOV_3 + H,
                               publication=rules.Publication(date(2026, 11, 3), "owners_meeting", "https://x.cn/2", ""))
    assert twice.state == "done"


def test_another_office_cannot_publish_or_read(db_url, org, team, october):
    disclosure.open_last_month(now=NOV_3)
    with Session(get_engine(db_url)) as s:
        a_id = s.exec(select(ComplaintDisclosure.id).where(ComplaintDisclosure.office_id == org.office_a)).one()
        assert s.exec(select(Complaint)).first() is not None
    with pytest.raises(PermissionDenied):
        disclosure.publish(actor=team["director_b"], disclosure_id=a_id, photos=[], request_id="b", now=NOV_3,
                           publication=rules.Publication(date(2026, 11, 3), "website", "https://x.cn/1", ""))
    with pytest.raises(PermissionDenied):
        disclosure.notice_items(actor=team["director_b"], disclosure_id=a_id, now=NOV_3)
    assert disclosure.tasks(actor=team["director_b"], month=OCT, now=NOV_3)[0].office_id == org.office_b
    assert [w.title for w in disclosure.disclosure_work(actor=team["sup"], now=NOV_3)] == ["投诉处理情况待公示"]
