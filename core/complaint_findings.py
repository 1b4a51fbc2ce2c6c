"""The responsibility finding (投诉顾问支持及责任划分 二) as a record of its own: the software proposes it from a missed
deadline, and the approval chain (core.approvals) carries the reasoned confirmation or setting-aside by the
管理处主任 of the complaint's office or the HQ 客服中心 head."""

from __future__ import annotations

from core.approvals import register_default_chain
from core.complaints import C_RESP
from core.registry import RecordType, register_record_type
from core.roles import Role

# its page is the complaint's (the inbox opens ``?id=`` with the complaint's id, ``ApprovalRequest.page_id``)
RECORD_TYPE = register_record_type(RecordType("complaint_finding", "投诉责任认定", page="views/complaints/list.py"))
CHAIN = register_default_chain(RECORD_TYPE.code, [({Role.OFFICE_DIRECTOR, Role.HQ_HEAD}, "管理处主任或客服中心负责人确认")],
                               clause=C_RESP)
PROPOSED = "proposed"
MIN_NOTE = 4
