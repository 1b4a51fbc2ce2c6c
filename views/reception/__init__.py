"""Reception desk (客户来电、来访、来函处理作业规定; 来访接待流程): the register with its intake, routed items, the
daily view, and office-visitor incidents."""

from core.permissions import Action
from core.registry import PageSpec

PAGES = [
    PageSpec("views/reception/desk.py", "前台接待", ":material/support_agent:", "前台接待", Action.RECEPTION_VIEW, order=80),
    PageSpec("views/reception/daily.py", "接待日报", ":material/today:", "前台接待", Action.RECEPTION_VIEW, order=81),
    PageSpec("views/reception/routed.py", "转办给我", ":material/assignment_ind:", "前台接待", Action.RECEPTION_HANDLE,
             order=82),
    PageSpec("views/reception/incidents.py", "来访事件", ":material/emergency_home:", "前台接待",
             Action.VISITOR_INCIDENT_VIEW, order=83),
]
