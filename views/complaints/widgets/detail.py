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
TAB_KEY = "complaint_tab"  # the open tab's label (st.session_state), shared by every complaint opened


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
        panels = {"概况": lambda: (show_overview(d), pdf_buttons(d)), "时间线": lambda: show_timeline(d),
                  "顾问": lambda: consult_panel(actor, d), "网上投诉": lambda: online_panel(actor, d),
                  "同一事项": lambda: group_panel(actor, d), "附件": lambda: attachments_panel(actor, d),
                  "通报": lambda: reports_panel(actor, d), "责任认定": lambda: findings_panel(actor, d, findings)}
        labels = [_tab_label(name, d, pending) for name in TABS]
        _keep_open_tab(labels)
        # Only the open tab runs (plain st.tabs ran all eight, their queries and forms, on every
        # rerun; issue 9 §5). Switching tabs reruns the page.
        for name, tab in zip(TABS, st.tabs(labels, key=TAB_KEY, on_change="rerun"), strict=True):
            if tab.open:
                with tab:
                    panels[name]()
    with right:
        policy = policy_at(moment, d.complaint.policy_version)
        action_panel(actor, d, policy=policy)


def _keep_open_tab(labels: list[str]) -> None:
    """The tabs remember the open one by its label, which carries a count: when the count changes (or another
    complaint opens), stay on the tab of the same name instead of falling back to the first."""
    current = st.session_state.get(TAB_KEY)
    if current is not None and current not in labels:
        name = str(current).split("（")[0]
        st.session_state[TAB_KEY] = next((x for x in labels if x.split("（")[0] == name), labels[0])


def _tab_label(name: str, d: svc.Detail, pending: int) -> str:
    counts = {"顾问": len(d.consults), "附件": len(d.attachments), "通报": len(d.reports), "时间线": len(d.events),
              "责任认定": pending}
    n = counts.get(name)
    return f"{name}（{n}）" if n else name
