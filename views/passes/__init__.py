"""出入证 (小区出入证管理规定): the pass list with its detail and register, issuing, and the gate lookup for 保安."""

from core.permissions import Action
from core.registry import PageSpec

PAGES = [
    PageSpec("views/passes/list.py", "出入证", ":material/badge:", "出入证", Action.PASS_VIEW, order=200),
    PageSpec("views/passes/issue.py", "办理出入证", ":material/add_card:", "出入证", Action.PASS_ISSUE, order=201),
    PageSpec("views/passes/gate.py", "门岗查验", ":material/qr_code_scanner:", "出入证", Action.PASS_GATE, order=202),
]
