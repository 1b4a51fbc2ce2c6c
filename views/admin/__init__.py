"""Administration: accounts, organisation and people master data, policy book, audit trail."""

from core.permissions import Action
from core.registry import PageSpec

PAGES = [
    PageSpec("views/admin/users.py", "用户与角色", ":material/manage_accounts:", "系统管理", Action.USER_MANAGE, order=900),
    PageSpec("views/admin/org.py", "组织与房屋", ":material/apartment:", "系统管理", Action.ORG_VIEW, order=910),
    PageSpec("views/admin/people.py", "员工与客户", ":material/groups:", "系统管理", Action.PEOPLE_VIEW, order=920),
    PageSpec("views/admin/policy.py", "制度参数", ":material/gavel:", "系统管理", Action.POLICY_VIEW, order=930),
    PageSpec("views/admin/audit.py", "审计日志", ":material/history:", "系统管理", Action.AUDIT_VIEW, order=940),
]
