"""One complaint on screen: header (class and trigger, deadlines, 通报 status), tabs with the record, and the
actions its state allows (design.md §9: detail with timeline and allowed actions, each citing its clause)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core import complaints as rules
from core.errors import DomainError
from core.permissions import Actor
from db.services import complaint_findings
from db.services import complaints as svc
from db.services.policy import policy_at
from ui.forms import show_error
from views.complaints.widgets.actions import action_panel
from views.complaints.widgets.common import pdf_buttons, show_header, show_overview, show_timeline
from views.complaints.widgets.panels import (
    attachments_panel,
    consult_panel,
    findings_panel,
    group_panel,
    online_panel,
)
from views.complaints.widgets.reports import reports_panel

TABS = ["概况", "时间线", "顾问", "网上投诉", "同一事项", "附件", "通报", "责任认定"]


def load_detail(actor: Actor, complaint_id: int, moment: datetime) -> svc.Detail | None:
    try:
        return svc.detail(actor=actor, complaint_id=complaint_id, now=moment)
    except DomainError as exc:
        show_error(exc)
        return None


def show_complaint(actor: Actor, d: svc.Detail, moment: datetime) -> None:
    findings = complaint_findings.findings(actor=actor, complaint_id=d.complaint.id, now=moment)
    pending = sum(1 for f in findings if f.decision is None)
    left, right = st.columns([2, 1])
    with left:
        show_header(d)
        if pending:
            st.warning(f"有 {pending} 项错过时限的责任认定待确认（{rules.C_RESP}），见“责任认定”页。",
                       icon=":material/gavel:")
        labels = [_tab_label(name, d, pending) for name in TABS]
        tabs = dict(zip(TABS, st.tabs(labels), strict=True))
        with tabs["概况"]:
            show_overview(d)
            pdf_buttons(d)
        with tabs["时间线"]:
            show_timeline(d)
        with tabs["顾问"]:
            consult_panel(actor, d)
        with tabs["网上投诉"]:
            online_panel(actor, d)
        with tabs["同一事项"]:
            group_panel(actor, d)
        with tabs["附件"]:
            attachments_panel(actor, d)
        with tabs["通报"]:
            reports_panel(actor, d)
        with tabs["责任认定"]:
            findings_panel(actor, d, findings)
    with right:
        policy = policy_at(moment, d.complaint.policy_version)
        action_panel(actor, d, extra_exemptions=rules.extra_exemptions(policy))


def _tab_label(name: str, d: svc.Detail, pending: int) -> str:
    counts = {"顾问": len(d.consults), "附件": len(d.attachments), "通报": len(d.reports), "时间线": len(d.events),
              "责任认定": pending}
    n = counts.get(name)
    return f"{name}（{n}）" if n else name
