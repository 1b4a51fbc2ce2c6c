"""Complaint support services on SQLite and PostgreSQL: online complaints (网上投诉处理), same-issue groups (热点),
attachments (content check, policy size cap), consultants (directory, unreachable → HQ, temporary), responsibility
findings (责任划分 二, manual confirmation), the notice hook that completes a 通报, and 快报 / 专题报告 / 质量简报."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func
from sqlmodel import Session, select

from core.errors import DomainError, NotFound, OutOfScope, PermissionDenied
from core.roles import Role
from db.engine import get_engine
from db.models import (
    ApprovalRequest,
    Attachment,
    AttachmentBlob,
    AuditLog,
    Building,
    Complaint,
    ComplaintFinding,
    ComplaintReport,
    Consultant,
    ConsultRequest,
    Notice,
    OnlinePost,
    OrgUnit,
    Property,
    RecordEvent,
    Zone,
)
from db.services import (
    approval_inbox,
    approvals,
    attachments,
    complaint_consult,
    complaint_findings,
    complaint_grades,
    complaint_groups,
    complaint_online,
    notices,
)
from db.services import complaint_flow as flow
from db.services import complaint_queues as queues
from db.services import complaint_reports as reports
from db.services import complaints as svc
from db.services import policy as policy_svc
from db.services.complaints import ComplaintIn, OnlineIn
from db.services.scheduler import run_jobs
from tests.querycount import count_queries

H = timedelta(hours=1)


def _data(office_id, now, **kw) -> ComplaintIn:
    base = dict(office_id=office_id, channel="phone", category="engineering", description="地下车库积水",
                occurred_at=now - 2 * H, complainant_name="张业主", complainant_phone="13800000001")
    base.update(kw)
    return ComplaintIn(**base)


def _rows(url, model, *where):
    with Session(get_engine(url)) as s:
        return list(s.exec(select(model).where(*where)).all())


def _count(url, model, *where) -> int:
    with Session(get_engine(url)) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def _get(url, model, pk):
    with Session(get_engine(url)) as s:
        return s.get(model, pk)


@pytest.fixture
def team(org, make_actor):
    return {
        "clerk": make_actor(Role.CLERK, org.office_a),
        "sup": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "sup2": make_actor(Role.CS_SUPERVISOR, org.office_a),
        "director": make_actor(Role.OFFICE_DIRECTOR, org.office_a),
        "clerk_b": make_actor(Role.CLERK, org.office_b),
        "sup_b": make_actor(Role.CS_SUPERVISOR, org.office_b),
        "hq": make_actor(Role.HQ_SPECIALIST, org.hq_id),
        "hq_head": make_actor(Role.HQ_HEAD, org.hq_id, name="周中心"),
        "leader": make_actor(Role.LEADER, org.hq_id),
        "guard": make_actor(Role.GUARD, org.office_a),
    }


@pytest.fixture
def homes(db_url, org):
    """Two buildings of 管理处 A with one flat each: (flat in 1幢, another flat in 1幢, flat in 2幢)."""
    with Session(get_engine(db_url)) as s:
        zone = Zone(office_id=org.office_a, name="东方苑")
        s.add(zone)
        s.flush()
        b1, b2 = Building(office_id=org.office_a, zone_id=zone.id, name="1幢"), Building(
            office_id=org.office_a, zone_id=zone.id, name="2幢")
        s.add(b1)
        s.add(b2)
        s.flush()
        flats = [Property(office_id=org.office_a, zone_id=zone.id, building_id=b.id, room=r, label=f"东方苑 {b.name} {r}")
                 for b, r in ((b1, "101"), (b1, "202"), (b2, "101"))]
        for f in flats:
            s.add(f)
        s.commit()
        return [f.id for f in flats]


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _done_to_verified(c, team, now):
    flow.assign(actor=team["sup"], complaint_id=c.id, handler_user_id=team["clerk"].user_id, department_id=None, note="",
                now=now)
    flow.mark_handled(actor=team["clerk"], complaint_id=c.id, result="已修复排水泵", now=now)
    flow.verify(actor=team["sup"], complaint_id=c.id, note="", now=now)


def _close(c, team, now, satisfaction="satisfied"):
    _done_to_verified(c, team, now)
    caller = team["director"] if c.grade == "major" else team["sup2"]  # 重大: the 管理处主任 calls back (投诉回访 第3条)
    flow.record_callback(actor=caller, complaint_id=c.id, method="phone", reached=True, person_reached="张业主",
                         satisfaction=satisfaction, comment="", follow_up="", now=now)
    return flow.close(actor=team["sup"], complaint_id=c.id, note="", now=now)


# ----- 网上投诉 -------------------------------------------------------------------------------------------


def test_online_complaint_from_intake_to_hq_reply(db_url, org, team, now):
    forwarded = now - 2 * H
    c = svc.register(actor=team["clerk"], request_id="on", now=now, data=_data(
        org.office_a, now, channel="online", online=OnlineIn(platform="业主论坛", url="https://bbs.example.com/t/1",
                                                              poster_handle="业主小王", posted_at=now - 5 * H,
                                                              forwarded_by_hq_at=forwarded)))
    post = _rows(db_url, OnlinePost, OnlinePost.complaint_id == c.id)[0]
    assert post.platform == "业主论坛" and post.facts_due_at == forwarded + 24 * H  # from HQ's forwarding, policy 24 h
    assert post.unit_notified_at is None
    complaint_online.online_department_notified(actor=team["clerk"], complaint_id=c.id, now=now)
    with pytest.raises(DomainError, match="已记录"):
        complaint_online.online_department_notified(actor=team["clerk"], complaint_id=c.id, now=now)
    # the public reply needs the written facts first, and only HQ may post it
    with pytest.raises(DomainError) as refused:
        complaint_online.online_public_reply(actor=team["hq"], complaint_id=c.id, reply_text="已安排处理", now=now)
    assert "须在收到单位书面事实报告后再公开回复" in refused.value.message
    assert "《顾客投诉处理制度(网上投诉处理)》第3条" in refused.value.message
    complaint_online.online_facts(actor=team["sup"], complaint_id=c.id, facts_text="经查排水泵故障，已更换", now=now + H)
    with pytest.raises(PermissionDenied):
        complaint_online.online_public_reply(actor=team["sup"], complaint_id=c.id, reply_text="我们自己回复", now=now + H)
    complaint_online.online_public_reply(actor=team["hq"], complaint_id=c.id, reply_text="经核实已更换排水泵", now=now + 2 * H)
    post = _rows(db_url, OnlinePost, OnlinePost.complaint_id == c.id)[0]
    assert post.facts_at == now + H and post.public_reply_at == now + 2 * H and post.unit_notified_at == now
    assert post.public_reply_due_at > post.facts_at
    actions = [a.action for a in _rows(db_url, AuditLog, AuditLog.entity == "complaint", AuditLog.entity_id == str(c.id))]
    # the 客服主任's refused reply is on the complaint's trail too (audited with the complaint it named)
    assert actions[-4:] == ["complaint.online_notified", "complaint.online_facts", "permission.denied",
                            "complaint.online_reply"]
    with pytest.raises(DomainError, match="已公开回复"):
        complaint_online.online_public_reply(actor=team["hq"], complaint_id=c.id, reply_text="再回复", now=now + 3 * H)


def test_viral_online_post_shortens_the_facts_deadline_and_is_media_exposure(db_url, org, team, now):
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, channel="online"), request_id="v", now=now)
    assert c.grade == "general"
    with pytest.raises(DomainError, match="发布平台"):
        complaint_online.save_online_post(actor=team["clerk"], complaint_id=c.id, platform=" ", url="", poster_handle="",
                                          posted_at=None, viral=False, now=now)
    with pytest.raises(DomainError, match="http"):
        complaint_online.save_online_post(actor=team["clerk"], complaint_id=c.id, platform="微博", url="javascript:alert(1)",
                                          poster_handle="", posted_at=None, viral=False, now=now)
    complaint_online.save_online_post(actor=team["clerk"], complaint_id=c.id, platform="微博", url="https://weibo.example/1",
                                      poster_handle="", posted_at=None, viral=True, now=now)
    post = _rows(db_url, OnlinePost, OnlinePost.complaint_id == c.id)[0]
    assert post.facts_due_at == now + 4 * H  # complaint.online_facts_viral, counted from receipt (no HQ forwarding)
    after = _get(db_url, Complaint, c.id)
    assert after.grade == "major" and after.media_exposed and after.report_due_at is not None  # 一.1 外部网站
    assert _count(db_url, Notice, Notice.kind == "report", Notice.entity_id == str(c.id)) >= 2
    with pytest.raises(PermissionDenied):  # a guard keeps no online record
        complaint_online.save_online_post(actor=team["guard"], complaint_id=c.id, platform="微博", url="", poster_handle="",
                                          posted_at=None, viral=False, now=now)


# ----- same-issue groups ----------------------------------------------------------------------------------


def test_suggestions_are_same_category_and_building_within_the_window(db_url, org, team, homes, now):
    me = svc.register(actor=team["clerk"], data=_data(org.office_a, now, property_id=homes[0]), request_id="me", now=now)
    near = svc.register(actor=team["clerk"], data=_data(org.office_a, now, property_id=homes[1], complainant_name="李"),
                        request_id="near", now=now)
    svc.register(actor=team["clerk"], data=_data(org.office_a, now, property_id=homes[2], complainant_name="陈"),
                 request_id="other-building", now=now)
    svc.register(actor=team["clerk"], data=_data(org.office_a, now, property_id=homes[1], category="fees",
                                                 complainant_name="赵"), request_id="other-category", now=now)
    old = now - timedelta(days=40)
    svc.register(actor=team["clerk"], data=_data(org.office_a, now, property_id=homes[1], complainant_name="钱",
                                                 received_at=old, occurred_at=old), request_id="old", now=now)
    assert [s[0] for s in complaint_groups.suggest_same_issue(actor=team["clerk"], complaint_id=me.id, now=now)] == [near.id]
    complaint_groups.link_same_issue(actor=team["clerk"], complaint_id=me.id, with_complaint_id=near.id, now=now)
    assert complaint_groups.suggest_same_issue(actor=team["clerk"], complaint_id=me.id, now=now) == []  # already members


def test_third_distinct_complainant_makes_the_group_hot_and_unlink_keeps_the_class(db_url, org, team, now):
    a = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_name="甲", complainant_phone="1"),
                     request_id="a", now=now)
    a_again = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_name="甲", complainant_phone="1"),
                           request_id="a2", now=now)
    b = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_name="乙", complainant_phone="2"),
                     request_id="b", now=now)
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_name="丙", complainant_phone="3"),
                     request_id="c", now=now)
    group = complaint_groups.link_same_issue(actor=team["clerk"], complaint_id=a.id, with_complaint_id=a_again.id, title="车库积水",
                                             now=now)
    complaint_groups.link_same_issue(actor=team["clerk"], complaint_id=b.id, group_id=group, now=now)
    view = complaint_groups.same_issue_group(actor=team["clerk"], complaint_id=a.id, now=now)
    assert view.distinct_complainants == 2 and view.threshold == 3 and len(view.members) == 3  # 甲 twice counts once
    assert {x.grade for x in _rows(db_url, Complaint)} == {"general"}
    complaint_groups.link_same_issue(actor=team["clerk"], complaint_id=c.id, with_complaint_id=a.id, now=now)
    members = _rows(db_url, Complaint, Complaint.same_issue_group_id == group)
    assert len(members) == 4 and {m.grade for m in members} == {"hot"}
    assert all("3位以上不同投诉人投诉（3位）" in m.grade_trigger for m in members)
    assert _count(db_url, Notice, Notice.kind == "report") > 0  # 热点 is reported at once
    with pytest.raises(DomainError, match="理由"):
        complaint_groups.unlink_same_issue(actor=team["clerk"], complaint_id=c.id, reason="", now=now)
    complaint_groups.unlink_same_issue(actor=team["clerk"], complaint_id=c.id, reason="经核实为另一事项", now=now)
    assert {x.grade for x in _rows(db_url, Complaint)} == {"hot"}  # a class never drops by itself: HQ lowers it
    assert {x.rules_grade for x in _rows(db_url, Complaint)} == {"general"}
    assert _get(db_url, Complaint, c.id).same_issue_group_id is None
    with pytest.raises(DomainError, match="未归入"):
        complaint_groups.unlink_same_issue(actor=team["clerk"], complaint_id=c.id, reason="再次移出", now=now)
    other = svc.register(actor=team["clerk_b"], data=_data(org.office_b, now), request_id="ob", now=now)
    with pytest.raises(OutOfScope, match="不在您的管理范围内"):  # another office's complaint: an audited refusal
        complaint_groups.link_same_issue(actor=team["clerk"], complaint_id=a.id, with_complaint_id=other.id, now=now)


# ----- attachments ----------------------------------------------------------------------------------------


def _attachments(db_url, complaint_id: int) -> list[tuple[Attachment, bytes]]:
    with Session(get_engine(db_url)) as s:
        rows = s.exec(select(Attachment, AttachmentBlob.data).join(AttachmentBlob)
                      .where(Attachment.record_type == "complaint", Attachment.record_id == complaint_id)).all()
        return [(a, bytes(d)) for a, d in rows]


def test_attachments_on_intake_and_later_are_checked_by_content(db_url, org, team, now):
    photo = _png()
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, attachments=[("../现场.png", photo)]),
                     request_id="att", now=now)
    rows = _attachments(db_url, c.id)
    assert [(r.filename, r.mime, r.office_id) for r, _ in rows] == [("现场.png", "image/png", org.office_a)]
    assert Image.open(io.BytesIO(rows[0][1])).size == (40, 30)  # re-encoded, still the same picture
    assert _count(db_url, RecordEvent, RecordEvent.record_type == "complaint", RecordEvent.record_id == c.id,
                  RecordEvent.event == "attachment") == 1
    with pytest.raises(DomainError, match="JPG、PNG"):  # a text file renamed .png
        attachments.add(actor=team["clerk"], record_type="complaint", record_id=c.id, files=[("x.png", b"hello")],
                        now=now, request_id=None)
    before = _count(db_url, Complaint)
    with pytest.raises(DomainError, match="附件“fake.jpg”"):  # refused at intake: nothing is written
        svc.register(actor=team["clerk"], data=_data(org.office_a, now, attachments=[("fake.jpg", b"GIF89a")]),
                     request_id="bad", now=now)
    assert _count(db_url, Complaint) == before
    pdf = b"%PDF-1.4\n" + b"0" * 1000 + b"\n%%EOF\n"
    [att] = attachments.add(actor=team["sup"], record_type="complaint", record_id=c.id, files=[("扫描件.pdf", pdf)],
                            now=now, request_id="pdf-1")
    assert attachments.open(actor=team["clerk"], attachment_id=att) == attachments.OpenedFile(
        "扫描件.pdf", "application/pdf", pdf)
    listed = attachments.list_for(actor=team["clerk"], record_type="complaint", record_id=c.id)
    assert [(i.filename, i.is_image) for i in listed] == [("现场.png", True), ("扫描件.pdf", False)]
    with pytest.raises(NotFound):
        attachments.open(actor=team["clerk_b"], attachment_id=att)
    with pytest.raises(NotFound):
        attachments.list_for(actor=team["clerk_b"], record_type="complaint", record_id=c.id)
    with pytest.raises(PermissionDenied):
        attachments.add(actor=team["guard"], record_type="complaint", record_id=c.id, files=[("x.pdf", pdf)], now=now,
                        request_id=None)


def test_attachment_size_cap_comes_from_the_policy_book(db_url, org, team, make_actor, now):
    admin = make_actor(Role.SYSADMIN, org.hq_id)
    policy_svc.set_value(actor=admin, key="complaint.attachment_max_kb", value=16, effective_from=now - H,
                         reason="测试：缩小附件上限", now=now - H)
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now), request_id="cap", now=now)
    big = b"%PDF-1.4\n" + b"0" * (17 * 1024) + b"\n%%EOF\n"
    with pytest.raises(DomainError) as refused:
        attachments.add(actor=team["clerk"], record_type="complaint", record_id=c.id, files=[("big.pdf", big)],
                        now=now, request_id=None)
    assert "文件过大：最大 16 KB" in refused.value.message and "附件" in refused.value.message
    assert _count(db_url, Attachment) == 0


# ----- consultants ----------------------------------------------------------------------------------------


def test_consultant_directory_is_hq_managed_and_audited(db_url, org, team, make_actor, now):
    consultant_user = make_actor(Role.CONSULTANT, org.hq_id, name="冯律师")
    with pytest.raises(PermissionDenied):
        complaint_consult.save_consultant(actor=team["sup"], consultant_id=None, name="冯", speciality="法律", phone="1")
    with pytest.raises(DomainError, match="联系方式"):
        complaint_consult.save_consultant(actor=team["hq"], consultant_id=None, name="冯", speciality="法律")
    with pytest.raises(DomainError, match="专业顾问"):
        complaint_consult.save_consultant(actor=team["hq"], consultant_id=None, name="冯", speciality="法律", phone="1",
                                          user_id=team["clerk"].user_id)
    cid = complaint_consult.save_consultant(actor=team["hq"], consultant_id=None, name="冯律师", speciality="法律",
                                            phone="0571-1", user_id=consultant_user.user_id)
    assert (cid, "冯律师（" + consultant_user.username + "）") in [
        (cid, label) for _uid, label in complaint_consult.consultant_user_choices(actor=team["hq"])]
    with pytest.raises(DomainError, match="另一位顾问"):
        complaint_consult.save_consultant(actor=team["hq"], consultant_id=None, name="冯二", speciality="法律", phone="2",
                                          user_id=consultant_user.user_id)
    complaint_consult.save_consultant(actor=team["hq"], consultant_id=cid, name="冯律师", speciality="物业纠纷", phone="0571-2",
                                      user_id=consultant_user.user_id, active=False)
    assert complaint_consult.list_consultants(actor=team["sup"]) == []  # inactive: not offered
    assert [c.speciality for c in complaint_consult.list_consultants(actor=team["hq"], active_only=False)] == ["物业纠纷"]
    audit = _rows(db_url, AuditLog, AuditLog.action == "consultant.save")
    assert len(audit) == 2 and audit[1].before_json and "法律" in audit[1].before_json and "物业纠纷" in audit[1].after_json


@pytest.fixture
def consultants(db_url, org, make_actor):
    user = make_actor(Role.CONSULTANT, org.hq_id, name="冯顾问")
    with Session(get_engine(db_url)) as s:
        rows = [Consultant(name="冯顾问", speciality="法律", phone="1", user_id=user.user_id),
                Consultant(name="陈工", speciality="土建", phone="2")]
        for r in rows:
            s.add(r)
        s.commit()
        return {"user": user, "feng": rows[0].id, "chen": rows[1].id}


def test_unreachable_consultant_goes_to_hq_who_assigns_a_temporary_one(db_url, org, team, consultants, now):
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now), request_id="u", now=now)
    first = complaint_consult.request_consult(actor=team["sup"], complaint_id=c.id, consultant_id=consultants["chen"],
                                              question="排水泵是否属保修", now=now)
    complaint_consult.consultant_unreachable(actor=team["sup"], consult_id=first, now=now + H)
    req = _get(db_url, ConsultRequest, first)
    assert req.hq_asked_at == now + H and req.hq_forward_due_at == now + 3 * H  # complaint.hq_forward_within 2 h
    hq_notices = _rows(db_url, Notice, Notice.title.like("联系不上专业顾问%"))
    assert {n.recipient_user_id for n in hq_notices} == {team["hq"].user_id, team["hq_head"].user_id}
    with pytest.raises(DomainError, match="已请客服中心协调"):
        complaint_consult.consultant_unreachable(actor=team["sup"], consult_id=first, now=now + H)
    with pytest.raises(PermissionDenied):  # only HQ assigns a temporary consultant
        complaint_consult.request_consult(actor=team["sup"], complaint_id=c.id, consultant_id=consultants["feng"], question="x",
                                          temporary=True, now=now)
    second = complaint_consult.request_consult(actor=team["hq"], complaint_id=c.id, consultant_id=consultants["feng"],
                                               question="排水泵是否属保修", temporary=True, instead_of=first, now=now + 2 * H)
    assert _get(db_url, ConsultRequest, first).hq_forwarded_at == now + 2 * H
    assert _get(db_url, ConsultRequest, second).is_temporary
    complaint_consult.reply_consult(actor=consultants["user"], consult_id=second, reply="属保修范围", now=now + 3 * H)
    assert _count(db_url, Notice, Notice.entity == "consult_request", Notice.acked_at == None) == 0  # noqa: E711
    with pytest.raises(DomainError, match="尚未答复"):
        complaint_consult.final_result_notified(actor=team["sup"], consult_id=first, now=now)
    _close(c, team, now + 4 * H)  # the final outcome is known once the complaint is closed (一.1)
    complaint_consult.final_result_notified(actor=team["sup"], consult_id=second, now=now + 4 * H)
    assert _get(db_url, ConsultRequest, second).final_result_notified_at == now + 4 * H
    # nothing was late: no responsibility finding
    assert complaint_findings.findings(actor=team["sup"], complaint_id=c.id, now=now + 5 * H) == []


# ----- responsibility findings ------------------------------------------------------------------------------


def test_findings_name_who_missed_which_deadline_and_need_a_reasoned_confirmation(db_url, org, team, consultants, now):
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now), request_id="f", now=now)
    complaint_consult.request_consult(actor=team["sup"], complaint_id=c.id, consultant_id=consultants["feng"], question="是否赔偿",
                                      now=now)
    unreachable = complaint_consult.request_consult(actor=team["sup"], complaint_id=c.id, consultant_id=consultants["chen"],
                                                    question="结构是否安全", now=now)
    complaint_consult.consultant_unreachable(actor=team["sup"], consult_id=unreachable, now=now)
    later = now + timedelta(days=10)  # both consultant deadlines and the HQ forwarding deadline have passed
    found = {(f.clause, f.person) for f in complaint_findings.responsibility(actor=team["sup"], complaint_id=c.id, now=later)}
    assert found == {("第2条", "冯顾问"), ("第2条", "陈工"), ("第2条", "客服中心负责人 周中心")}
    with pytest.raises(PermissionDenied):
        complaint_findings.decide_finding(actor=team["sup"], complaint_id=c.id, clause="第2条", person="冯顾问",
                                          decision="confirmed", note="确认超时", now=later)
    with pytest.raises(DomainError, match="理由"):
        complaint_findings.decide_finding(actor=team["director"], complaint_id=c.id, clause="第2条", person="冯顾问",
                                          decision="confirmed", note="  ", now=later)
    with pytest.raises(DomainError, match="已不成立"):
        complaint_findings.decide_finding(actor=team["director"], complaint_id=c.id, clause="第3条", person="某人",
                                          decision="confirmed", note="没有这条建议", now=later)
    complaint_findings.decide_finding(actor=team["director"], complaint_id=c.id, clause="第2条", person="冯顾问",
                                      decision="confirmed", note="顾问出差未及时答复，已核实", now=later)
    complaint_findings.decide_finding(actor=team["hq_head"], complaint_id=c.id, clause="第2条", person="陈工",
                                      decision="rejected", note="电话号码已变更，名录未更新，不归责顾问", now=later)
    with pytest.raises(DomainError, match="不能重复"):
        complaint_findings.decide_finding(actor=team["director"], complaint_id=c.id, clause="第2条", person="冯顾问",
                                          decision="rejected", note="改变主意了", now=later)
    rows = _rows(db_url, ComplaintFinding, ComplaintFinding.complaint_id == c.id)
    assert {(r.person, r.decision, r.decided_by) for r in rows} == {
        ("冯顾问", "confirmed", team["director"].user_id), ("陈工", "rejected", team["hq_head"].user_id)}
    audit = _rows(db_url, AuditLog, AuditLog.action == "complaint.responsibility")
    assert len(audit) == 2 and "顾问出差" in audit[0].after_json
    views = {v.finding.person: v for v in complaint_findings.findings(actor=team["sup"], complaint_id=c.id, now=later)}
    assert views["冯顾问"].decision.decision == "confirmed" and views["客服中心负责人 周中心"].decision is None


def test_a_proposed_finding_waits_in_the_directors_inbox_and_approving_there_confirms_it(db_url, org, team, consultants,
                                                                                         make_actor, now):
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now), request_id="fi", now=now)
    complaint_consult.request_consult(actor=team["sup"], complaint_id=c.id, consultant_id=consultants["feng"],
                                      question="是否赔偿", now=now)
    unreachable = complaint_consult.request_consult(actor=team["sup"], complaint_id=c.id,
                                                    consultant_id=consultants["chen"], question="结构是否安全", now=now)
    complaint_consult.consultant_unreachable(actor=team["sup"], consult_id=unreachable, now=now)
    later = now + timedelta(days=10)
    swept = now + timedelta(hours=30)  # the hourly sweep soon after the consultant's 24-hour deadline passed
    assert complaint_findings.propose_sweep(now=swept) >= 1  # the software proposes: stored, its request submitted
    assert complaint_findings.propose_sweep(now=swept) == 0  # idempotent
    row = _rows(db_url, ComplaintFinding, ComplaintFinding.complaint_id == c.id, ComplaintFinding.person == "冯顾问")[0]
    assert (row.decision, row.decided_at, row.decided_by) == ("proposed", None, None)
    assert _count(db_url, ApprovalRequest, ApprovalRequest.record_type == "complaint_finding",
                  ApprovalRequest.record_id == row.id) == 1
    inbox = approval_inbox.pending_for(actor=team["director"], record_type="complaint_finding")
    item = next(r for r in inbox.rows if r.title.endswith("冯顾问"))
    assert item.submitted_by_name == "系统" and item.page_id == c.id and item.page == "views/complaints/list.py"
    assert item.id in {r.id for r in approval_inbox.pending_for(actor=team["hq_head"]).rows}
    director_b = make_actor(Role.OFFICE_DIRECTOR, org.office_b)
    assert approval_inbox.pending_for(actor=director_b, record_type="complaint_finding").total == 0
    assert approval_inbox.pending_for(actor=team["sup"], record_type="complaint_finding").total == 0
    with pytest.raises(PermissionDenied):  # another office's director: refused and audited
        approvals.approve(actor=director_b, approval_id=item.id, comment="顾问确已超时", now=later)
    with pytest.raises(PermissionDenied):
        complaint_findings.decide_finding(actor=director_b, complaint_id=c.id, clause="第2条", person="冯顾问",
                                          decision="confirmed", note="顾问确已超时", now=later)
    assert len(_rows(db_url, AuditLog, AuditLog.action == "permission.denied",
                     AuditLog.actor_user_id == director_b.user_id)) == 2
    with pytest.raises(PermissionDenied):  # a supervisor is not on the chain
        approvals.approve(actor=team["sup"], approval_id=item.id, comment="顾问确已超时", now=later)
    with pytest.raises(DomainError, match="理由"):  # the reason is required in the inbox as on the complaint page
        approvals.approve(actor=team["director"], approval_id=item.id, comment="同意", now=later)
    assert _get(db_url, ComplaintFinding, row.id).decision == "proposed"
    # nobody submitted it, so the self-approval rule has no one to exclude: the director approves from the inbox
    result = approvals.approve(actor=team["director"], approval_id=item.id, comment="顾问出差未及时答复，已核实",
                               now=later)
    assert result.state == "approved"
    done = _get(db_url, ComplaintFinding, row.id)
    assert (done.decision, done.decided_by, done.decided_at, done.note) == (
        "confirmed", team["director"].user_id, later, "顾问出差未及时答复，已核实")
    steps = _rows(db_url, RecordEvent, RecordEvent.record_type == "complaint", RecordEvent.record_id == c.id,
                  RecordEvent.event == "responsibility")
    assert len(steps) == 1 and "确认责任" in steps[0].note and "顾问出差" in steps[0].note
    assert item.id not in {r.id for r in approval_inbox.pending_for(actor=team["director"]).rows}
    with pytest.raises(DomainError, match="不能重复"):
        complaint_findings.decide_finding(actor=team["director"], complaint_id=c.id, clause="第2条", person="冯顾问",
                                          decision="rejected", note="改变主意了", now=later)
    # the HQ head sets another proposal aside from the inbox: final (the software cannot revise it)
    other = next(r for r in approval_inbox.pending_for(actor=team["hq_head"], record_type="complaint_finding").rows
                 if r.page_id == c.id)
    approvals.reject(actor=team["hq_head"], approval_id=other.id, comment="已核实不归责，系转达渠道故障", now=later)
    with pytest.raises(DomainError, match="不能修改"):
        approvals.revise(actor=team["hq_head"], approval_id=other.id, now=later)
    views = {v.finding.person: v for v in complaint_findings.findings(actor=team["sup"], complaint_id=c.id, now=later)}
    assert views["冯顾问"].decision.decision == "confirmed" and views["冯顾问"].approval.state_label == "已通过"
    assert [v.decision.decision for v in views.values() if v.approval.id == other.id] == ["rejected"]


def test_late_handling_without_other_causes_falls_to_the_contact_point(db_url, org, team, now):
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now), request_id="late", now=now)
    assert complaint_findings.responsibility(actor=team["sup"], complaint_id=c.id, now=now + H) == []
    findings = complaint_findings.responsibility(actor=team["sup"], complaint_id=c.id, now=now + timedelta(days=10))
    assert [(f.clause, f.person) for f in findings] == [("第3条", "（本管理处未指定投诉接口负责人）")]


# ----- 通报: acknowledgement under 通知与通报, 快报, 专题报告, 质量简报 --------------------------------------------


def test_acknowledging_the_notice_is_tracked_apart_from_the_report(db_url, org, team, now):
    """Reported = sent (issue 11 item 4): acknowledging records who confirmed, and never completes a report."""
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_count=12), request_id="m", now=now)
    mine = {n.recipient_user_id: n.id for n in _rows(db_url, Notice, Notice.kind == "report")}
    notices.acknowledge(actor=team["leader"], notice_id=mine[team["leader"].user_id], now=now + timedelta(minutes=10))
    notices.acknowledge(actor=team["hq"], notice_id=mine[team["hq"].user_id], now=now + 2 * H)
    assert _get(db_url, Complaint, c.id).reported_at is None  # nobody heads a 行政公关部: still owed
    notes = [e.note for e in _rows(db_url, RecordEvent, RecordEvent.record_type == "complaint", RecordEvent.record_id == c.id,
                                   RecordEvent.event == "report_ack")]
    assert notes == ["确认收到通报", "确认收到通报（总部客服中心）"]
    status = reports.report_status(actor=team["sup"], complaint_id=c.id)
    assert (status.recipients, status.acknowledged) == (len(mine), 2) and "行政公关部负责人：无人" in status.to_whom
    assert queues.search(actor=team["hq"], now=now, queue="report").total == 1


def test_express_bulletins_for_an_open_major_complaint(db_url, org, team, now):
    general = svc.register(actor=team["clerk"], data=_data(org.office_a, now), request_id="g", now=now)
    with pytest.raises(DomainError, match="只有重大投诉"):
        reports.record_express(actor=team["sup"], complaint_id=general.id, progress="x", next_steps="", now=now)
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now, lawsuit=True), request_id="law", now=now)
    status = reports.express_status(actor=team["sup"], complaint_id=c.id, now=now)
    assert status.required and status.count == 0 and status.next_due_at == now + timedelta(days=7)
    with pytest.raises(DomainError, match="本期进展"):
        reports.record_express(actor=team["sup"], complaint_id=c.id, progress=" ", next_steps="", now=now)
    with pytest.raises(PermissionDenied):
        reports.record_express(actor=team["clerk"], complaint_id=c.id, progress="x", next_steps="", now=now)
    reports.record_express(actor=team["sup"], complaint_id=c.id, progress="已与律师沟通", next_steps="准备应诉材料",
                           now=now + timedelta(days=2))
    status = reports.express_status(actor=team["sup"], complaint_id=c.id, now=now + timedelta(days=3))
    assert status.count == 1 and status.next_due_at == now + timedelta(days=9) and status.changes_since == []
    complaint_grades.update_facts(actor=team["sup"], complaint_id=c.id, changes={"media_exposed": True}, reason="报社来电采访",
                                  now=now + timedelta(days=3))
    status = reports.express_status(actor=team["sup"], complaint_id=c.id, now=now + timedelta(days=3))
    assert any("报社来电采访" in x for x in status.changes_since)  # a significant change calls for a 快报
    issues = reports.express_issues(actor=team["sup"], complaint_id=c.id)
    assert [(i.number, "准备应诉材料" in i.text) for i in issues] == [(1, True)]
    assert _count(db_url, Notice, Notice.title.like("【重大投诉快报 第1期】%")) == 2  # HQ specialist and head


def test_special_report_after_closing_three_parts_for_major_brief_for_hot(db_url, org, team, now):
    major = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_count=12), request_id="M", now=now)
    with pytest.raises(DomainError, match="归档"):
        reports.write_special_report(actor=team["sup"], complaint_id=major.id, part_a="经过", part_b="原因",
                                     part_c="措施", now=now)
    _close(major, team, now)
    with pytest.raises(DomainError, match="投诉产生及升级的原因"):
        reports.write_special_report(actor=team["sup"], complaint_id=major.id, part_a="经过", part_b="", part_c="措施",
                                     now=now)
    reports.write_special_report(actor=team["sup"], complaint_id=major.id, part_a="经过", part_b="原因", part_c="措施",
                                 now=now + H)
    written = reports.special_report(actor=team["clerk"], complaint_id=major.id)
    assert (written.kind, written.part_b, written.part_c) == ("three_part", "原因", "措施")
    assert reports.express_status(actor=team["sup"], complaint_id=major.id, now=now).required is False  # closed
    hot = svc.register(actor=team["clerk"], data=_data(org.office_a, now, complainant_count=4), request_id="H", now=now)
    _close(hot, team, now)
    reports.write_special_report(actor=team["sup"], complaint_id=hot.id, part_a="始末", part_b="", part_c="", now=now)
    assert reports.special_report(actor=team["sup"], complaint_id=hot.id).kind == "brief"
    general = svc.register(actor=team["clerk"], data=_data(org.office_a, now), request_id="G", now=now)
    _close(general, team, now)
    with pytest.raises(DomainError, match="只有重大、热点"):
        reports.write_special_report(actor=team["sup"], complaint_id=general.id, part_a="x", part_b="", part_c="", now=now)
    assert _count(db_url, ComplaintReport, ComplaintReport.kind == "special") == 2


def test_quality_bulletin_lists_important_items_and_notable_general_ones(db_url, org, team, consultants, now):
    reopened = svc.register(actor=team["clerk"], data=_data(org.office_a, now, title="电梯困人"), request_id="r", now=now)
    _done_to_verified(reopened, team, now)
    flow.record_callback(actor=team["sup2"], complaint_id=reopened.id, method="phone", reached=True, person_reached="",
                         satisfaction="unsatisfied", comment="", follow_up="", now=now)  # → 重要
    _close(reopened, team, now)
    basic = svc.register(actor=team["clerk"], data=_data(org.office_a, now, title="楼道灯"), request_id="b", now=now)
    _close(basic, team, now, satisfaction="basic")  # 一般, only 基本满意: worth a comment
    plain = svc.register(actor=team["clerk"], data=_data(org.office_a, now, title="垃圾清运"), request_id="p", now=now)
    _close(plain, team, now)  # 一般, satisfied, on time: not listed
    in_b = svc.register(actor=team["clerk_b"], data=_data(org.office_b, now, title="B的投诉"), request_id="ob", now=now)
    with pytest.raises(PermissionDenied):
        reports.quality_bulletin(actor=team["clerk"], since=now - H, until=now + H)
    b = reports.quality_bulletin(actor=team["sup"], since=now - H, until=now + H)
    assert b.received == 3 and b.closed == 3 and b.by_grade["important"] == 1
    assert [i.title for i in b.important] == ["电梯困人"]
    assert [(i.title, i.reasons) for i in b.notable] == [("楼道灯", ["回访仅基本满意"])]
    assert b.callbacks == 3 and b.satisfied == 3  # the last result counts: 满意 after the reopen
    everyone = reports.quality_bulletin(actor=team["hq"], since=now - H, until=now + H)
    assert everyone.received == 4 and in_b.number not in [i.number for i in everyone.important + everyone.notable]
    with pytest.raises(DomainError, match="起止日期"):
        reports.quality_bulletin(actor=team["sup"], since=now, until=now - H)


def test_forms_print_the_company_name_from_master_data(db_url, org, team, now):
    """The company name on the complaint PDFs is the company unit's name (组织与房屋), not a literal."""
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now), request_id="co", now=now)
    with Session(get_engine(db_url)) as s:
        company = s.get(OrgUnit, org.company_id)
        company.name = "康居物业管理有限公司"
        s.add(company)
        s.commit()
    assert svc.detail(actor=team["sup"], complaint_id=c.id, now=now).company == "康居物业管理有限公司"
    bulletin = reports.quality_bulletin(actor=team["hq"], since=now - 24 * H, until=now + 24 * H)
    assert bulletin.company == "康居物业管理有限公司"


def test_the_findings_sweep_looks_only_at_deadlines_missed_since_its_last_run(db_url, org, team, consultants, now):
    """Bounded by time, not by every complaint ever late: the first run looks back FIRST_LOOKBACK, each later run
    from the previous successful one (the scheduler marks it)."""
    c = svc.register(actor=team["clerk"], data=_data(org.office_a, now), request_id="sweep-window", now=now)
    complaint_consult.request_consult(actor=team["sup"], complaint_id=c.id, consultant_id=consultants["feng"],
                                      question="是否赔偿", now=now)  # the reply is due within a day
    assert complaint_findings.propose_sweep(now=now + timedelta(days=3)) == 0  # older than the first look-back
    run_jobs(now=now + timedelta(hours=1))  # before the deadline: nothing late yet; the run is marked
    assert run_jobs(now=now + timedelta(days=3))["complaint_findings"] == 1  # missed since the last run: proposed
    with count_queries() as log:
        assert complaint_findings.propose_sweep(now=now + timedelta(days=3, hours=1)) == 0
    assert log.rows_from("complaint") == 0, log.report()  # the complaint, known already, is not even read again
