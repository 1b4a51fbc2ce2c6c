"""Support around a complaint: 专业顾问 (投诉顾问支持及责任划分), same-issue groups (热点 trigger), online
posts (网上投诉处理), attachments, and the responsibility finding for missed deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select

from core import complaints as rules
from core.errors import DomainError, NotFound
from core.permissions import Action, Actor
from core.registry import WorkItem, work_provider
from db.models import (
    Complaint,
    ComplaintAttachment,
    Consultant,
    ConsultRequest,
    OnlinePost,
    SameIssueGroup,
)
from db.services.base import Page, audit, authorize, paginate
from db.services.complaints import _aware, contact_person, load, policy_for, reclassify, record
from db.services.notices import notify
from db.session import read_session, write_session

CONSULT_PAGE = "views/complaints/consult.py"
MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"%PDF-": "application/pdf"}


# ----- consultants ----------------------------------------------------------------------------------


def list_consultants(*, actor: Actor, active_only: bool = True) -> list[Consultant]:
    if not (actor.can(Action.COMPLAINT_VIEW) or actor.can(Action.COMPLAINT_CONSULT_REPLY)):
        authorize(actor, Action.COMPLAINT_VIEW)
    with read_session() as s:
        stmt = select(Consultant).order_by(Consultant.speciality, Consultant.name)
        if active_only:
            stmt = stmt.where(Consultant.active == True)  # noqa: E712
        return list(s.exec(stmt).all())


def save_consultant(*, actor: Actor, consultant_id: int | None, name: str, speciality: str, phone: str = "",
                    email: str = "", unit: str = "", user_id: int | None = None, active: bool = True) -> int:
    authorize(actor, Action.COMPLAINT_CONSULTANT_MANAGE)
    name, speciality = (name or "").strip(), (speciality or "").strip()
    if not name or not speciality:
        raise DomainError("请填写顾问姓名和专业")
    with write_session() as s:
        row = s.get(Consultant, consultant_id) if consultant_id else Consultant(name=name, speciality=speciality)
        if row is None:
            raise NotFound("顾问不存在")
        row.name, row.speciality, row.phone, row.email, row.unit = name[:64], speciality[:64], phone[:32], email[:100], unit[:100]
        row.user_id, row.active = user_id, active
        s.add(row)
        s.flush()
        audit(s, actor=actor, action="consultant.save", entity="consultant", entity_id=row.id, summary=f"{name}（{speciality}）")
        return int(row.id)


def request_consult(*, actor: Actor, complaint_id: int, consultant_id: int, question: str, now: datetime,
                    temporary: bool = False) -> int:
    """Ask a consultant (written reply within 24 h); a temporary consultant is assigned by HQ (一.2)."""
    question = (question or "").strip()
    if not question:
        raise DomainError("请填写需要顾问支持的问题", field="question")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_CONSULT_REQUEST)
        if temporary:
            authorize(actor, Action.COMPLAINT_CONSULTANT_MANAGE, in_transaction=True)
        consultant = s.get(Consultant, consultant_id)
        if consultant is None or not consultant.active:
            raise DomainError("请选择在册的专业顾问", field="consultant")
        policy = policy_for(s, c, now)
        row = ConsultRequest(complaint_id=c.id, office_id=c.office_id, consultant_id=consultant.id, is_temporary=temporary,
                             question=question[:4000], requested_at=now, requested_by=actor.user_id,
                             due_at=rules.consultant_due(now, policy))
        s.add(row)
        s.flush()
        if consultant.user_id:
            notify(s, recipient_user_ids=[consultant.user_id], kind="assigned", title=f"顾问支持请求：{c.number}",
                   body=question[:500], page=CONSULT_PAGE, entity="consult_request", entity_id=str(row.id),
                   office_id=c.office_id, requires_ack=False, due_at=row.due_at, now=now)
        record(s, c, actor=actor, action="consult", now=now, citation=policy.cite("complaint.consultant_reply"),
               note=f"请求{'临时' if temporary else ''}专业顾问 {consultant.name}（{consultant.speciality}）支持：{question[:200]}")
        reclassify(s, c, actor=None, now=now)
        return int(row.id)


def _consult(s, actor: Actor, consult_id: int, action: Action) -> tuple[ConsultRequest, Complaint]:
    row = s.exec(select(ConsultRequest).where(ConsultRequest.id == consult_id).with_for_update()).first()
    if row is None:
        raise NotFound("顾问请求不存在")
    return row, load(s, actor, row.complaint_id, action)


def consultant_unreachable(*, actor: Actor, consult_id: int, now: datetime) -> None:
    """The unit could not reach the consultant: the HQ 客服中心 must pass it on promptly (一.2)."""
    with write_session() as s:
        row, c = _consult(s, actor, consult_id, Action.COMPLAINT_CONSULT_REQUEST)
        if row.replied_at:
            raise DomainError("顾问已答复")
        policy = policy_for(s, c, now)
        row.hq_asked_at, row.hq_forward_due_at = now, rules.hq_forward_due(now, policy)
        s.add(row)
        record(s, c, actor=actor, action="consult_hq", now=now, citation=policy.cite("complaint.hq_forward_within"),
               note="联系不上专业顾问，已请客服中心协调")


def hq_forwarded(*, actor: Actor, consult_id: int, now: datetime) -> None:
    with write_session() as s:
        row, c = _consult(s, actor, consult_id, Action.COMPLAINT_CONSULTANT_MANAGE)
        row.hq_forwarded_at = now
        s.add(row)
        record(s, c, actor=actor, action="consult_forwarded", now=now, note="客服中心已联系到顾问/已转达")


def reply_consult(*, actor: Actor, consult_id: int, reply: str, now: datetime) -> None:
    """The written reply (due 24 h after the request)."""
    reply = (reply or "").strip()
    if not reply:
        raise DomainError("请填写书面答复", field="reply")
    with write_session() as s:
        row = s.exec(select(ConsultRequest).where(ConsultRequest.id == consult_id).with_for_update()).first()
        consultant = s.get(Consultant, row.consultant_id) if row else None
        if row is None:
            raise NotFound("顾问请求不存在")
        authorize(actor, Action.COMPLAINT_CONSULT_REPLY, in_transaction=True)
        is_hq = actor.can(Action.COMPLAINT_CONSULTANT_MANAGE)
        if not is_hq and consultant.user_id != actor.user_id:
            raise NotFound("顾问请求不存在")
        if row.replied_at:
            raise DomainError("该请求已答复")
        c = s.exec(select(Complaint).where(Complaint.id == row.complaint_id).with_for_update()).one()
        row.replied_at, row.reply, row.replied_by = now, reply[:4000], actor.user_id
        s.add(row)
        late = now > _aware(row.due_at)
        record(s, c, actor=actor, action="consult_reply", now=now, citation=rules.cite("D12", "一.3"),
               note=f"顾问 {consultant.name} 书面答复" + ("（已超过24小时时限）" if late else "") + f"：{reply[:300]}")


def my_consult_requests(*, actor: Actor, open_only: bool = True, page: int = 1, page_size: int = 30) -> Page:
    authorize(actor, Action.COMPLAINT_CONSULT_REPLY)
    with read_session() as s:
        stmt = select(ConsultRequest, Consultant.name, Complaint.number, Complaint.title).join(
            Consultant, Consultant.id == ConsultRequest.consultant_id).join(Complaint, Complaint.id == ConsultRequest.complaint_id)
        if not actor.can(Action.COMPLAINT_CONSULTANT_MANAGE):
            stmt = stmt.where(Consultant.user_id == actor.user_id)
        if open_only:
            stmt = stmt.where(ConsultRequest.replied_at == None)  # noqa: E711
        return paginate(s, stmt, page=page, page_size=page_size, order_by=[ConsultRequest.due_at, ConsultRequest.id])


@work_provider("complaint_consults")
def consult_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    if not actor.can(Action.COMPLAINT_CONSULT_REPLY):
        return []
    result = my_consult_requests(actor=actor, page=1, page_size=1)
    if not result.total:
        return []
    return [WorkItem(title="待答复的顾问请求", count=result.total, page=CONSULT_PAGE, severity="warning",
                     due_at=_aware(result.rows[0][0].due_at), source="投诉")]


# ----- same-issue groups --------------------------------------------------------------------------


def suggest_same_issue(*, actor: Actor, complaint_id: int, now: datetime) -> list[tuple[int, str, int | None]]:
    """Same category and building within the configured days: (complaint id, "number title", group id)."""
    with read_session() as s:
        c = s.get(Complaint, complaint_id)
        if c is None or not actor.can(Action.COMPLAINT_VIEW, c.office_id):
            raise NotFound("投诉不存在或不在您的管理范围内")
        if not c.building_id:
            return []
        days = policy_for(s, c, now)["complaint.same_issue_suggest_days"]
        start = _aware(c.received_at) - timedelta(days=days)
        rows = s.exec(select(Complaint).where(Complaint.office_id == c.office_id, Complaint.category == c.category,
                                              Complaint.building_id == c.building_id, Complaint.id != c.id,
                                              Complaint.received_at >= start).order_by(Complaint.received_at.desc())
                      .limit(20)).all()
        return [(r.id, f"{r.number} {r.title}", r.same_issue_group_id) for r in rows]


def link_same_issue(*, actor: Actor, complaint_id: int, now: datetime, group_id: int | None = None,
                    with_complaint_id: int | None = None, title: str = "") -> int:
    """Put the complaint into a same-issue group (existing, another complaint's, or a new one) and reclassify all."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        other = None
        if with_complaint_id:
            other = s.exec(select(Complaint).where(Complaint.id == with_complaint_id).with_for_update()).first()
            if other is None or other.office_id != c.office_id:
                raise DomainError("只能与本管理处的投诉归为同一事项")
            group_id = group_id or other.same_issue_group_id
        if group_id:
            group = s.get(SameIssueGroup, group_id)
            if group is None or group.office_id != c.office_id:
                raise DomainError("同一事项分组不存在")
        else:
            group = SameIssueGroup(office_id=c.office_id, title=(title or c.title)[:200], created_at=now,
                                   created_by=actor.user_id)
            s.add(group)
            s.flush()
        members = [c] + ([other] if other else [])
        for m in members:
            m.same_issue_group_id = group.id
            s.add(m)
        s.flush()
        record(s, c, actor=actor, action="same_issue", now=now, citation=rules.cite("D14", "一.2"),
               note=f"归入同一事项：{group.title}")
        for m in s.exec(select(Complaint).where(Complaint.same_issue_group_id == group.id)).all():
            if rules.State(m.state) in rules.OPEN_STATES or m.id == c.id:
                reclassify(s, m, actor=actor, now=now, reason="同一事项投诉人数变化")
        return int(group.id)


def group_choices(*, actor: Actor, office_id: int) -> list[tuple[int, str]]:
    authorize(actor, Action.COMPLAINT_VIEW, office_id)
    with read_session() as s:
        rows = s.exec(select(SameIssueGroup).where(SameIssueGroup.office_id == office_id)
                      .order_by(SameIssueGroup.id.desc()).limit(200)).all()
        return [(g.id, g.title) for g in rows]


# ----- online posts (网上投诉) ------------------------------------------------------------------------


def save_online_post(*, actor: Actor, complaint_id: int, platform: str, url: str, poster_handle: str,
                     posted_at: datetime | None, viral: bool, now: datetime) -> None:
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        post = s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first() or OnlinePost(complaint_id=c.id)
        policy = policy_for(s, c, now)
        post.platform, post.url, post.poster_handle = platform.strip()[:64], url.strip()[:500], poster_handle.strip()[:64]
        post.posted_at, post.viral = posted_at, viral
        post.unit_notified_at = post.unit_notified_at or now
        post.facts_due_at = rules.online_facts_due(_aware(c.received_at), viral=viral, policy=policy)
        s.add(post)
        record(s, c, actor=actor, action="online", now=now, citation=policy.cite("complaint.online_facts"),
               note=f"网上投诉：{platform}，书面事实报告期限随之计算")
        if viral and not c.media_or_lawsuit_risk:
            c.media_or_lawsuit_risk = True
            reclassify(s, c, actor=actor, now=now, reason="网上投诉已引起关注")


def online_facts(*, actor: Actor, complaint_id: int, facts_text: str, now: datetime) -> None:
    if not (facts_text or "").strip():
        raise DomainError("请填写书面事实及拟采取的措施")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        post = s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first()
        if post is None:
            raise DomainError("请先登记网上投诉信息")
        policy = policy_for(s, c, now)
        post.facts_at, post.facts_text = now, facts_text.strip()[:2000]
        from core.worktime import due_at

        amount, unit = policy.duration("complaint.online_public_reply")
        post.public_reply_due_at = due_at(now, amount, unit, policy.calendar())
        s.add(post)
        record(s, c, actor=actor, action="online_facts", now=now, citation=policy.cite("complaint.online_facts"),
               note="已提交书面事实报告")


def online_public_reply(*, actor: Actor, complaint_id: int, reply_text: str, now: datetime) -> None:
    """Only the HQ 客服中心 posts the public reply (网上投诉处理 第3条)."""
    if not (reply_text or "").strip():
        raise DomainError("请填写公开回复内容")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_ONLINE_REPLY)
        post = s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first()
        if post is None or post.facts_at is None:
            raise DomainError("须在收到单位书面事实报告后再公开回复", clause=rules.cite("D17", "第3条"))
        post.public_reply_at, post.reply_text = now, reply_text.strip()[:2000]
        s.add(post)
        record(s, c, actor=actor, action="online_reply", now=now, citation=rules.cite("D17", "第3条"), note="总部已网上公开回复")


# ----- attachments ----------------------------------------------------------------------------------


def add_attachment(*, actor: Actor, complaint_id: int, filename: str, data: bytes, now: datetime) -> int:
    mime = next((m for magic, m in MAGIC.items() if data.startswith(magic)), None)
    if mime is None:
        raise DomainError("只能上传 JPG、PNG 图片或 PDF 文件")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        limit_kb = policy_for(s, c, now)["complaint.attachment_max_kb"]
        if len(data) > limit_kb * 1024:
            raise DomainError(f"附件不能超过 {limit_kb} KB", clause=policy_for(s, c, now).cite("complaint.attachment_max_kb"))
        row = ComplaintAttachment(complaint_id=c.id, filename=(filename or "附件")[:200], mime=mime, size=len(data),
                                  data=data, uploaded_at=now, uploaded_by=actor.user_id)
        s.add(row)
        s.flush()
        record(s, c, actor=actor, action="attachment", now=now, note=f"上传附件 {row.filename}（{len(data) // 1024} KB）")
        return int(row.id)


def attachment(*, actor: Actor, attachment_id: int) -> tuple[str, str, bytes]:
    with read_session() as s:
        row = s.get(ComplaintAttachment, attachment_id)
        c = s.get(Complaint, row.complaint_id) if row else None
        if c is None or not actor.can(Action.COMPLAINT_VIEW, c.office_id):
            raise NotFound("附件不存在")
        return row.filename, row.mime, bytes(row.data)


# ----- responsibility ---------------------------------------------------------------------------------


@dataclass
class HeadNames:
    hq_head: str = "客服中心负责人"


def responsibility(*, actor: Actor, complaint_id: int, now: datetime) -> list[rules.Finding]:
    """Who answers for a missed deadline (责任划分 二): a finding to act on manually, never a fine by itself."""
    with read_session() as s:
        c = s.get(Complaint, complaint_id)
        if c is None or not actor.can(Action.COMPLAINT_VIEW, c.office_id):
            raise NotFound("投诉不存在或不在您的管理范围内")
        rows = s.exec(select(ConsultRequest, Consultant.name).join(Consultant)
                      .where(ConsultRequest.complaint_id == c.id)).all()
        consults = tuple(rules.ConsultTimes(consultant_name=n, requested_at=_aware(r.requested_at),
                                            reply_due_at=_aware(r.due_at), replied_at=_aware(r.replied_at),
                                            hq_asked_at=_aware(r.hq_asked_at), hq_forward_due_at=_aware(r.hq_forward_due_at),
                                            hq_forwarded_at=_aware(r.hq_forwarded_at)) for r, n in rows)
        resolved = _aware(c.verified_at) if rules.State(c.state) not in rules.UNRESOLVED_STATES else None
        facts = rules.ResponsibilityFacts(as_of=now, handling_due_at=_aware(c.due_at), resolved_at=resolved,
                                          contact_person=contact_person(s, c.office_id), hq_head=HeadNames().hq_head,
                                          consults=consults)
        return rules.attribute_responsibility(facts)
