"""专业顾问 for complaints (投诉顾问支持及责任划分 一): the directory HQ publishes, requests with a 24-hour written
reply, HQ coordination when a consultant cannot be reached, and telling HQ the final result.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import select

from core import complaint_duties as duty
from core import complaint_workflow as wf
from core import complaints as rules
from core.errors import DomainError, NotFound
from core.permissions import Action, Actor
from core.registry import WorkItem, work_provider
from core.roles import Role
from db.models import Complaint, Consultant, ConsultRequest, Notice, User, UserRole
from db.models.base import as_utc
from db.services.base import Page, already_done, audit, authorize, load_scoped, paginate, remember
from db.services.complaint_kernel import (
    LIST_PAGE,
    hq_user_ids,
    load,
    meet_deadline,
    policy_for,
    reclassify,
    record,
    set_deadline,
)
from db.services.notices import notify
from db.session import read_session, write_session

CONSULT_PAGE = "views/complaints/consult.py"
COMPLAINT_PAGE = LIST_PAGE


def list_consultants(*, actor: Actor, active_only: bool = True) -> list[Consultant]:
    if not (actor.can(Action.COMPLAINT_VIEW) or actor.can(Action.COMPLAINT_CONSULT_REPLY)):
        authorize(actor, Action.COMPLAINT_VIEW)
    with read_session() as s:
        stmt = select(Consultant).order_by(Consultant.speciality, Consultant.name)
        if active_only:
            stmt = stmt.where(Consultant.active == True)  # noqa: E712
        return list(s.exec(stmt).all())


def consultant_user_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """Active accounts holding the 专业顾问 role, to link a directory entry to the person who replies in the app."""
    authorize(actor, Action.COMPLAINT_CONSULTANT_MANAGE)
    with read_session() as s:
        rows = s.exec(select(User.id, User.display_name, User.username).join(UserRole, UserRole.user_id == User.id)
                      .where(UserRole.role == Role.CONSULTANT.value, User.active == True)  # noqa: E712
                      .distinct().order_by(User.display_name)).all()
        return [(i, f"{n}（{u}）") for i, n, u in rows]


def save_consultant(*, actor: Actor, consultant_id: int | None, name: str, speciality: str, phone: str = "",
                    email: str = "", unit: str = "", user_id: int | None = None, active: bool = True,
                    request_id: str | None = None) -> int:
    """Add or edit an entry of the consultant directory the HQ 客服中心 publishes (一.1); audited with before/after."""
    authorize(actor, Action.COMPLAINT_CONSULTANT_MANAGE)
    name, speciality = (name or "").strip(), (speciality or "").strip()
    phone, email, unit = (phone or "").strip(), (email or "").strip(), (unit or "").strip()
    if not name or not speciality:
        raise DomainError("请填写顾问姓名和专业", field="name")
    if not phone and not email:
        raise DomainError("请至少填写一种联系方式（电话或邮箱），单位须能按名录联系到顾问", clause=rules.cite("D12", "一.1"),
                          field="phone")
    if len(name) > 64 or len(speciality) > 64 or len(phone) > 32 or len(email) > 100 or len(unit) > 100:
        raise DomainError("内容过长：姓名/专业最多64字，电话最多32字，邮箱、单位最多100字")
    with write_session() as s:
        if not consultant_id and (done := already_done(s, request_id, "consultant")):
            return int(done)
        if user_id is not None:
            linked = s.exec(select(UserRole.id).join(User, User.id == UserRole.user_id).where(
                UserRole.user_id == user_id, UserRole.role == Role.CONSULTANT.value, User.active == True)).first()  # noqa: E712
            if linked is None:
                raise DomainError("关联账号须是在职的“专业顾问”角色账号", field="user_id")
            taken = s.exec(select(Consultant.id).where(Consultant.user_id == user_id,
                                                       Consultant.id != (consultant_id or -1))).first()
            if taken is not None:
                raise DomainError("该账号已关联到另一位顾问", field="user_id")
        row = s.get(Consultant, consultant_id) if consultant_id else Consultant(name=name, speciality=speciality)
        if row is None:
            raise NotFound("顾问不存在")
        before = None if consultant_id is None else row.model_dump()
        row.name, row.speciality, row.phone, row.email, row.unit = name, speciality, phone, email, unit
        row.user_id, row.active = user_id, active
        s.add(row)
        s.flush()
        audit(s, actor=actor, action="consultant.save", entity="consultant", entity_id=row.id,
              summary=f"{'新增' if before is None else '修改'}顾问 {name}（{speciality}）", before=before,
              after=row.model_dump())
        if not consultant_id:
            remember(s, request_id, "consultant", row.id)
        return int(row.id)


def request_consult(*, actor: Actor, complaint_id: int, consultant_id: int, question: str, now: datetime,
                    temporary: bool = False, instead_of: int | None = None, request_id: str | None = None) -> int:
    """Ask a consultant (written reply within 24 h); a temporary consultant is assigned by HQ (一.2).

    ``instead_of``: the request whose consultant could not be reached; HQ's new request answers it (forwarded).
    """
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_CONSULT_REQUEST)
        if done := already_done(s, request_id, "consult_request"):
            return int(done)
        if temporary:
            authorize(actor, Action.COMPLAINT_CONSULTANT_MANAGE, c.office_id, in_transaction=True)
        wf.require(wf.Op.CONSULT_REQUEST, wf.Situation.of(c))
        question = (question or "").strip()
        if not question:
            raise DomainError("请填写需要顾问支持的问题", field="question")
        consultant = s.get(Consultant, consultant_id)
        if consultant is None or not consultant.active:
            raise DomainError("请选择在册的专业顾问", field="consultant")
        policy = policy_for(s, c, now)
        if instead_of is not None:
            old = s.exec(select(ConsultRequest).where(ConsultRequest.id == instead_of).with_for_update()).first()
            if old is None or old.complaint_id != c.id:  # a request of this complaint: in its office
                raise DomainError("原顾问请求不存在", field="instead_of")
            if old.hq_forwarded_at is None:
                meet_deadline(s, c, duty.HQ_FORWARD.code, at=now, by=actor.user_id, row=old)
                s.add(old)
        due = rules.consultant_due(now, policy)
        row = ConsultRequest(complaint_id=c.id, office_id=c.office_id, consultant_id=consultant.id, is_temporary=temporary,
                             question=question[:4000], requested_at=now, requested_by=actor.user_id, due_at=due)
        s.add(row)
        s.flush()
        set_deadline(s, c, duty.CONSULT_REPLY.code, due, now=now, row=row, clause=policy.cite("complaint.consultant_reply"))
        if consultant.user_id:
            notify(s, recipient_user_ids=[consultant.user_id], kind="assigned", title=f"顾问支持请求：{c.number}",
                   body=question[:500], page=CONSULT_PAGE, entity="consult_request", entity_id=str(row.id),
                   office_id=c.office_id, requires_ack=False, due_at=row.due_at, now=now)
        record(s, c, actor=actor, action="consult", now=now, citation=policy.cite("complaint.consultant_reply"),
               note=f"请求{'临时' if temporary else ''}专业顾问 {consultant.name}（{consultant.speciality}）支持：{question[:200]}")
        reclassify(s, c, actor=None, now=now)
        remember(s, request_id, "consult_request", row.id)
        return int(row.id)


CONSULT_NOT_FOUND = "顾问请求不存在或不在您的管理范围内"


def _consult(s, actor: Actor, consult_id: int, action: Action) -> tuple[ConsultRequest, Complaint]:
    """The request and its complaint, both locked, after checking ``action`` in the request's office."""
    row = load_scoped(s, ConsultRequest, consult_id, actor=actor, action=action, entity="consult_request",
                      missing=CONSULT_NOT_FOUND)
    return row, load(s, actor, row.complaint_id, action)


def consultant_unreachable(*, actor: Actor, consult_id: int, now: datetime) -> None:
    """The unit could not reach the consultant: the HQ 客服中心 must pass it on promptly (一.2)."""
    with write_session() as s:
        row, c = _consult(s, actor, consult_id, Action.COMPLAINT_CONSULT_REQUEST)
        wf.require(wf.Op.CONSULT_UNREACHABLE, wf.Situation.of(c), consult=wf.ConsultSituation.of(row))
        policy = policy_for(s, c, now)
        row.hq_asked_at = now
        set_deadline(s, c, duty.HQ_FORWARD.code, rules.hq_forward_due(now, policy), now=now, row=row,
                     clause=policy.cite("complaint.hq_forward_within"))
        s.add(row)
        consultant = s.get(Consultant, row.consultant_id)
        notify(s, recipient_user_ids=hq_user_ids(s), kind="assigned", title=f"联系不上专业顾问，请协调：{c.number}",
               body=f"{consultant.name}（{consultant.speciality}）联系不上。问题：{row.question[:300]}",
               page=COMPLAINT_PAGE, entity="complaint", entity_id=str(c.id), office_id=c.office_id,
               due_at=row.hq_forward_due_at, now=now)
        record(s, c, actor=actor, action="consult_hq", now=now, citation=policy.cite("complaint.hq_forward_within"),
               note=f"联系不上专业顾问 {consultant.name}，已请客服中心及时联系顾问或指派临时顾问")


def hq_forwarded(*, actor: Actor, consult_id: int, now: datetime) -> None:
    with write_session() as s:
        row, c = _consult(s, actor, consult_id, Action.COMPLAINT_CONSULTANT_MANAGE)
        wf.require(wf.Op.CONSULT_FORWARDED, wf.Situation.of(c), consult=wf.ConsultSituation.of(row))
        late = now > as_utc(row.hq_forward_due_at)
        meet_deadline(s, c, duty.HQ_FORWARD.code, at=now, by=actor.user_id, row=row)
        s.add(row)
        record(s, c, actor=actor, action="consult_forwarded", now=now, citation=rules.cite("D12", "一.2"),
               note="客服中心已联系到顾问并转达求助" + ("（已超过转达时限）" if late else ""))


def final_result_notified(*, actor: Actor, consult_id: int, now: datetime) -> None:
    """The unit tells the HQ 客服中心 the final outcome of a consultant-supported complaint (一.1)."""
    with write_session() as s:
        row, c = _consult(s, actor, consult_id, Action.COMPLAINT_CONSULT_REQUEST)
        wf.require(wf.Op.CONSULT_FINAL_RESULT, wf.Situation.of(c), consult=wf.ConsultSituation.of(row))
        row.final_result_notified_at = now
        s.add(row)
        notify(s, recipient_user_ids=hq_user_ids(s), kind="info", title=f"顾问支持的投诉最终结果：{c.number}",
               body=c.handling_result[:500] or rules.STATE_LABELS[rules.State(c.state)], page=COMPLAINT_PAGE,
               entity="complaint", entity_id=str(c.id), office_id=c.office_id, now=now)
        record(s, c, actor=actor, action="consult_result", now=now, citation=rules.cite("D12", "一.1"),
               note="已将最终处理结果告知客服中心")


def reply_consult(*, actor: Actor, consult_id: int, reply: str, now: datetime) -> None:
    """The written reply (due 24 h after the request), by the consultant asked or the HQ 客服中心 for them.

    Both are checked in the request's office (consultants and HQ are company-wide roles, so they hold it anywhere).
    """
    with write_session() as s:
        row = load_scoped(s, ConsultRequest, consult_id, actor=actor, action=Action.COMPLAINT_CONSULT_REPLY,
                          entity="consult_request", missing=CONSULT_NOT_FOUND)
        consultant = s.get(Consultant, row.consultant_id)
        if not actor.can(Action.COMPLAINT_CONSULTANT_MANAGE, row.office_id) and consultant.user_id != actor.user_id:
            raise NotFound(CONSULT_NOT_FOUND)  # another consultant's request
        c = s.exec(select(Complaint).where(Complaint.id == row.complaint_id).with_for_update()).one()
        wf.require(wf.Op.CONSULT_REPLY, wf.Situation.of(c), consult=wf.ConsultSituation.of(row))
        reply = (reply or "").strip()
        if not reply:
            raise DomainError("请填写书面答复", field="reply")
        row.reply, row.replied_by = reply[:4000], actor.user_id
        meet_deadline(s, c, duty.CONSULT_REPLY.code, at=now, by=actor.user_id, row=row)
        s.add(row)
        for n in s.exec(select(Notice).where(Notice.entity == "consult_request", Notice.entity_id == str(row.id),
                                             Notice.acked_at == None)).all():  # noqa: E711  the request is answered
            n.acked_at = now
            s.add(n)
        late = wf.consultant_late_note(policy_for(s, c, now)) if now > as_utc(row.due_at) else ""
        record(s, c, actor=actor, action="consult_reply", now=now, citation=rules.cite("D12", "一.3"),
               note=f"顾问 {consultant.name} 书面答复{late}：{reply[:300]}")


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
    """The count and the earliest deadline of the open requests, in one aggregate (the home page runs it on every
    visit; a page of joined rows was read only for its first deadline)."""
    if not actor.can(Action.COMPLAINT_CONSULT_REPLY):
        return []
    stmt = select(func.count(), func.min(ConsultRequest.due_at)).where(ConsultRequest.replied_at == None)  # noqa: E711
    if not actor.can(Action.COMPLAINT_CONSULTANT_MANAGE):
        stmt = stmt.join(Consultant, Consultant.id == ConsultRequest.consultant_id).where(
            Consultant.user_id == actor.user_id)
    with read_session() as s:
        total, first_due = s.exec(stmt).one()
    if not total:
        return []
    return [WorkItem(title="待答复的顾问请求", count=int(total), page=CONSULT_PAGE, severity="warning",
                     due_at=as_utc(first_due), source="投诉")]
