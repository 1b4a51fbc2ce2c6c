"""Reception desk (客服接待, 来访接待流程): office-visitor incidents. The contact register and daily view join here."""

from core.permissions import Action
from core.registry import PageSpec

PAGES = [
    PageSpec("views/reception/incidents.py", "来访事件", ":material/emergency_home:", "客服接待",
             Action.VISITOR_INCIDENT_VIEW, order=210),
]
