"""The access pass's duties (core.duties): a pass must be back within the late-return window after its last day
(《小区出入证管理规定》第6条). Opened at issue, moved by an extension, met by the return, cancelled when the pass is
lost, confiscated or cancelled; the daily job forfeits the deposit of a pass still out after its due time."""

from __future__ import annotations

from core.duties import DutySpec, register_duty
from core.passes import RECORD_TYPE, cite
from core.roles import Role

RETURN = register_duty(DutySpec("pass.return", RECORD_TYPE.code, "出入证到期退还", cite("第6条"),
                                ("pass.late_return_window",), role=Role.CLERK.value, breach_event="return_breach"))
