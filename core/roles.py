"""Roles of the customer-service organisation and their Chinese labels (design.md §5).

Stored as stable English codes; other companies' words for the same post are labels, not new roles
(物业部经理 = 客服部经理, 客服组主任 = 客服主任, 物业助理 = 助理).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SYSADMIN = "sysadmin"
    HQ_HEAD = "hq_head"
    HQ_SPECIALIST = "hq_specialist"
    LEADER = "leader"
    OFFICE_DIRECTOR = "office_director"
    CS_MANAGER = "cs_manager"
    CS_SUPERVISOR = "cs_supervisor"
    ASSISTANT = "assistant"
    CLERK = "clerk"
    RECORDS_OFFICER = "records_officer"
    GUARD = "guard"
    CONSULTANT = "consultant"


ROLE_LABELS: dict[Role, str] = {
    Role.SYSADMIN: "系统管理员",
    Role.HQ_HEAD: "客服中心主任(总部)",
    Role.HQ_SPECIALIST: "客服中心专员(总部)",
    Role.LEADER: "公司领导",
    Role.OFFICE_DIRECTOR: "管理处主任",
    Role.CS_MANAGER: "客服部经理",
    Role.CS_SUPERVISOR: "客服主任",
    Role.ASSISTANT: "助理",
    Role.CLERK: "客服员/前台",
    Role.RECORDS_OFFICER: "资料管理专员",
    Role.GUARD: "保安",
    Role.CONSULTANT: "专业顾问",
}

# Roles whose grant reaches every office, wherever the role is held (headquarters and company level).
COMPANY_WIDE_ROLES: frozenset[Role] = frozenset(
    {Role.SYSADMIN, Role.HQ_HEAD, Role.HQ_SPECIALIST, Role.LEADER, Role.CONSULTANT}
)


def role_label(code: str) -> str:
    try:
        return ROLE_LABELS[Role(code)]
    except ValueError:
        return code
