"""Who may do what, and in which offices: the permission matrix (design.md §5).

Services check every action here again; hiding a page is not a permission. Each process issue adds its
actions to ``Action`` and its rows to ``MATRIX``; the authorisation test matrix is generated from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from core.roles import COMPANY_WIDE_ROLES, Role

R = Role
ALL_STAFF = frozenset(Role)


class Action(StrEnum):
    # foundation
    HOME_VIEW = "home.view"
    PASSWORD_CHANGE_OWN = "password.change_own"
    NOTICE_VIEW_OWN = "notice.view_own"
    USER_MANAGE = "user.manage"
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    PEOPLE_VIEW = "people.view"
    PEOPLE_MANAGE = "people.manage"
    ID_NUMBER_VIEW_FULL = "people.id_number_full"
    POLICY_VIEW = "policy.view"
    POLICY_EDIT = "policy.edit"
    AUDIT_VIEW = "audit.view"
    # complaints (issue 3)
    COMPLAINT_VIEW = "complaint.view"
    COMPLAINT_CREATE = "complaint.create"
    COMPLAINT_ASSIGN = "complaint.assign"
    COMPLAINT_HANDLE = "complaint.handle"
    COMPLAINT_VERIFY = "complaint.verify"
    COMPLAINT_CALLBACK = "complaint.callback"
    COMPLAINT_CLOSE = "complaint.close"
    COMPLAINT_GRADE_RAISE = "complaint.grade_raise"
    COMPLAINT_GRADE_OVERRIDE_HQ = "complaint.grade_override_hq"
    COMPLAINT_FACTS_CORRECT = "complaint.facts_correct"  # correct the facts a class is judged by (issue 11 item 7)
    COMPLAINT_CONSULT_REQUEST = "complaint.consult_request"
    COMPLAINT_CONSULT_REPLY = "complaint.consult_reply"
    COMPLAINT_CONSULTANT_MANAGE = "complaint.consultant_manage"
    COMPLAINT_REPORT = "complaint.report"
    COMPLAINT_ONLINE_REPLY = "complaint.online_reply"
    COMPLAINT_EXPORT = "complaint.export"
    COMPLAINT_RESPONSIBILITY_CONFIRM = "complaint.responsibility_confirm"
    COMPLAINT_STATS_SUBMIT = "complaint.stats_submit"  # 报送《顾客投诉分类统计表》 (issue 15 item 1)
    COMPLAINT_STATS_RETURN = "complaint.stats_return"  # 总部退回统计表更正
    COMPLAINT_CASE_VIEW = "complaint.case_view"  # 案例库: published cases, company-wide (issue 15 item 3)
    COMPLAINT_CASE_WRITE = "complaint.case_write"  # 编写并提交本单位的典型案例
    COMPLAINT_CASE_PUBLISH = "complaint.case_publish"  # 总部客服中心发布或退回案例
    COMPLAINT_DISCLOSE = "complaint.disclose"  # 登记本单位的投诉处理情况公示 (issue 15 item 4)
    # approval chains (issue 10): who decides a step is the chain's (core.approvals); these scope the office
    APPROVAL_VIEW = "approval.view"
    APPROVAL_DECIDE = "approval.decide"
    # office-visitor incidents (issue 12 item 5, 来访接待流程)
    VISITOR_INCIDENT_VIEW = "visitor_incident.view"
    VISITOR_INCIDENT_CREATE = "visitor_incident.create"
    VISITOR_INCIDENT_HANDLE = "visitor_incident.handle"
    VISITOR_INCIDENT_CLOSE = "visitor_incident.close"
    VISITOR_INCIDENT_EXPORT = "visitor_incident.export"
    # reception desk (issue 12): the contact register of calls, visits, letters and online messages
    RECEPTION_VIEW = "reception.view"
    RECEPTION_LOG = "reception.log"
    RECEPTION_HANDLE = "reception.handle"
    RECEPTION_SUPERVISE = "reception.supervise"
    RECEPTION_EXPORT = "reception.export"
    # access passes (issue 13)
    PASS_VIEW = "pass.view"
    PASS_ISSUE = "pass.issue"
    PASS_MANAGE = "pass.manage"  # extend, report lost, return, reissue, cancel
    PASS_CONFISCATE = "pass.confiscate"
    PASS_GATE = "pass.check"  # the gate lookup (门岗查验) and the holder's photo
    PASS_EXPORT = "pass.export"  # the 发放登记表 register (PDF, Excel)


MATRIX: dict[Action, frozenset[Role]] = {
    Action.HOME_VIEW: ALL_STAFF,
    Action.PASSWORD_CHANGE_OWN: ALL_STAFF,
    Action.NOTICE_VIEW_OWN: ALL_STAFF,
    Action.USER_MANAGE: frozenset({R.SYSADMIN}),
    Action.ORG_VIEW: ALL_STAFF - {R.GUARD},
    Action.ORG_MANAGE: frozenset({R.SYSADMIN}),
    Action.PEOPLE_VIEW: frozenset(
        {R.SYSADMIN, R.HQ_HEAD, R.HQ_SPECIALIST, R.OFFICE_DIRECTOR, R.CS_MANAGER, R.CS_SUPERVISOR,
         R.ASSISTANT, R.CLERK, R.RECORDS_OFFICER}
    ),
    Action.PEOPLE_MANAGE: frozenset({R.SYSADMIN, R.RECORDS_OFFICER}),
    Action.ID_NUMBER_VIEW_FULL: frozenset({R.SYSADMIN, R.RECORDS_OFFICER, R.OFFICE_DIRECTOR}),
    Action.POLICY_VIEW: ALL_STAFF - {R.GUARD},
    Action.POLICY_EDIT: frozenset({R.SYSADMIN}),
    Action.AUDIT_VIEW: frozenset({R.SYSADMIN, R.HQ_HEAD}),
    # complaints: 客服员/前台 take complaints in; 客服主任 verifies and calls back; 客服部经理/管理处主任 assign and
    # raise the class; HQ 客服中心 has the final say on the class (投诉通报处理制度 二.5); 专业顾问 reply; 保安 none.
    Action.COMPLAINT_VIEW: ALL_STAFF - {R.GUARD, R.RECORDS_OFFICER, R.CONSULTANT},
    Action.COMPLAINT_CREATE: frozenset({R.CLERK, R.ASSISTANT, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR,
                                        R.HQ_HEAD, R.HQ_SPECIALIST}),
    Action.COMPLAINT_ASSIGN: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.COMPLAINT_HANDLE: frozenset({R.CLERK, R.ASSISTANT, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.COMPLAINT_VERIFY: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.COMPLAINT_CALLBACK: frozenset({R.CS_SUPERVISOR, R.OFFICE_DIRECTOR, R.HQ_HEAD, R.HQ_SPECIALIST}),
    Action.COMPLAINT_CLOSE: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.COMPLAINT_GRADE_RAISE: frozenset({R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.COMPLAINT_GRADE_OVERRIDE_HQ: frozenset({R.HQ_HEAD, R.HQ_SPECIALIST}),
    Action.COMPLAINT_FACTS_CORRECT: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR, R.HQ_HEAD,
                                               R.HQ_SPECIALIST}),
    Action.COMPLAINT_CONSULT_REQUEST: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR, R.HQ_HEAD,
                                                 R.HQ_SPECIALIST}),
    Action.COMPLAINT_CONSULT_REPLY: frozenset({R.CONSULTANT, R.HQ_HEAD, R.HQ_SPECIALIST}),
    Action.COMPLAINT_CONSULTANT_MANAGE: frozenset({R.HQ_HEAD, R.HQ_SPECIALIST, R.SYSADMIN}),
    Action.COMPLAINT_REPORT: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR, R.HQ_HEAD, R.HQ_SPECIALIST}),
    Action.COMPLAINT_ONLINE_REPLY: frozenset({R.HQ_HEAD, R.HQ_SPECIALIST}),
    Action.COMPLAINT_EXPORT: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR, R.HQ_HEAD, R.HQ_SPECIALIST,
                                        R.LEADER, R.SYSADMIN}),
    # 责任划分 二: the software proposes who answers for a missed deadline; the 管理处主任 (own office) or the head
    # of the HQ 客服中心 confirms or sets it aside with a reason (a manual step, doc 12 text).
    Action.COMPLAINT_RESPONSIBILITY_CONFIRM: frozenset({R.OFFICE_DIRECTOR, R.HQ_HEAD}),
    # 知识管理 第1–2条: each 管理处 sends its monthly table to the HQ 客服中心, which may send it back for correction.
    Action.COMPLAINT_STATS_SUBMIT: frozenset({R.OFFICE_DIRECTOR, R.CS_MANAGER}),
    Action.COMPLAINT_STATS_RETURN: frozenset({R.HQ_HEAD, R.HQ_SPECIALIST}),
    # 投诉整理分析 第1条: units write up typical cases, the HQ 客服中心 builds the library shared on the intranet.
    Action.COMPLAINT_CASE_VIEW: ALL_STAFF - {R.GUARD},
    Action.COMPLAINT_CASE_WRITE: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.COMPLAINT_CASE_PUBLISH: frozenset({R.HQ_HEAD, R.HQ_SPECIALIST}),
    # 顾客投诉规范 第1条: each unit publishes its complaint handling monthly (headquarters reads it, COMPLAINT_EXPORT).
    Action.COMPLAINT_DISCLOSE: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    # 审批: the roles of the request's current step decide (policy book approval.chains, core.approvals); the matrix
    # only says who may meet approvals at all, and in which offices.
    Action.APPROVAL_VIEW: ALL_STAFF - {R.GUARD},
    Action.APPROVAL_DECIDE: ALL_STAFF - {R.GUARD},
    # 来访接待流程: the front desk logs and grades the visit and records who received it and the escalations; the
    # 客服主任 and above close it after the follow-up; HQ and leaders read every office.
    Action.VISITOR_INCIDENT_VIEW: ALL_STAFF - {R.GUARD, R.RECORDS_OFFICER, R.CONSULTANT},
    Action.VISITOR_INCIDENT_CREATE: frozenset({R.CLERK, R.ASSISTANT, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.VISITOR_INCIDENT_HANDLE: frozenset({R.CLERK, R.ASSISTANT, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.VISITOR_INCIDENT_CLOSE: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.VISITOR_INCIDENT_EXPORT: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR, R.HQ_HEAD,
                                               R.HQ_SPECIALIST, R.LEADER, R.SYSADMIN}),
    # reception (D1): 前台/客服员 log and follow up; the department or colleague a contact is routed to marks it done;
    # 客服主任 checks the logs (and may finish any routed item); HQ and leaders read and export.
    Action.RECEPTION_VIEW: frozenset({R.CLERK, R.ASSISTANT, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR, R.HQ_HEAD,
                                      R.HQ_SPECIALIST, R.LEADER}),
    Action.RECEPTION_LOG: frozenset({R.CLERK, R.ASSISTANT, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.RECEPTION_HANDLE: frozenset({R.CLERK, R.ASSISTANT, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.RECEPTION_SUPERVISE: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.RECEPTION_EXPORT: frozenset({R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR, R.HQ_HEAD, R.HQ_SPECIALIST,
                                        R.LEADER}),
    # 出入证 (小区出入证管理规定): 管理处接待人员 issue and handle passes; 保安 check them at the gate and confiscate;
    # headquarters and leaders read. 保安 see only the gate lookup (with confiscate), home, notices, own password.
    Action.PASS_VIEW: ALL_STAFF - {R.GUARD, R.CONSULTANT},
    Action.PASS_ISSUE: frozenset({R.CLERK, R.ASSISTANT, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.PASS_MANAGE: frozenset({R.CLERK, R.ASSISTANT, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.PASS_CONFISCATE: frozenset({R.GUARD, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR}),
    Action.PASS_GATE: ALL_STAFF - {R.CONSULTANT},
    Action.PASS_EXPORT: frozenset({R.CLERK, R.ASSISTANT, R.CS_SUPERVISOR, R.CS_MANAGER, R.OFFICE_DIRECTOR, R.HQ_HEAD,
                                   R.HQ_SPECIALIST, R.LEADER}),
}

# Approvals a deputy (代理) may give while the principal is away; process issues add theirs.
DELEGABLE: set[Action] = set()
DELEGABLE |= {Action.COMPLAINT_VERIFY, Action.COMPLAINT_ASSIGN, Action.COMPLAINT_CALLBACK}
DELEGABLE |= {Action.APPROVAL_DECIDE}  # a deputy decides an approval step for an absent approver (core.approvals)


@dataclass(frozen=True)
class Grant:
    role: Role
    office_id: int


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the rules see them: who, and which (role, office) pairs they hold."""

    user_id: int
    username: str
    name: str
    grants: tuple[Grant, ...]
    delegated: tuple[Grant, ...] = field(default=())  # principal's grants while acting as deputy

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def _grants_for(self, action: Action) -> list[Grant]:
        allowed = MATRIX.get(action, frozenset())
        own = [g for g in self.grants if g.role in allowed]
        if action in DELEGABLE:
            own += [g for g in self.delegated if g.role in allowed]
        return own

    def can(self, action: Action, office_id: int | None = None) -> bool:
        grants = self._grants_for(action)
        if office_id is None:
            return bool(grants)
        return any(g.role in COMPANY_WIDE_ROLES or g.office_id == office_id for g in grants)

    def scope(self, action: Action) -> frozenset[int] | None:
        """Offices where ``action`` is allowed: ``None`` means every office, an empty set means none."""
        grants = self._grants_for(action)
        if any(g.role in COMPANY_WIDE_ROLES for g in grants):
            return None
        return frozenset(g.office_id for g in grants)


def allowed_roles(action: Action) -> frozenset[Role]:
    return MATRIX.get(action, frozenset())
