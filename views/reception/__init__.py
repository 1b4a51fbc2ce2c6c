"""Reception desk (客户来电、来访、来函处理作业规定): the register with its intake, routed items, the daily view."""

from core.permissions import Action
from core.registry import PageSpec

PAGES = [
    PageSpec("views/reception/desk.py", "前台接待", ":material/support_agent:", "前台接待", Action.RECEPTION_VIEW, order=80),
    PageSpec("views/reception/daily.py", "接待日报", ":material/today:", "前台接待", Action.RECEPTION_VIEW, order=81),
    PageSpec("views/reception/routed.py", "转办给我", ":material/assignment_ind:", "前台接待", Action.RECEPTION_HANDLE,
             order=82),
]
