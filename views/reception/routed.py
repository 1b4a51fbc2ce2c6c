"""转办给我: contacts routed to me or my department, still to be done; the result is recorded here (办结)."""

from core.permissions import Action
from ui.context import page_header, require
from ui.fmt import now
from views.reception.widgets.common import POLICY_LINE
from views.reception.widgets.listing import list_with_detail

actor = require(Action.RECEPTION_HANDLE)
page_header("转办给我", ":material/assignment_ind:", POLICY_LINE)
moment = now()
list_with_detail(actor, key="rc_routed", moment=moment, filters={"queue": "routed_me"},
                 hint="选中一条记录，填写办理结果后办结；前台会看到结果并跟进。")
