"""The complaint detail tabs and the new pages through AppTest, with the real widgets: 网上投诉 (facts, then the HQ
reply), 同一事项 (link a suggestion → 热点), 附件 (upload, refusal, download), 通报 (快报 with its PDF, HQ
acknowledgement), 责任认定 (a reasoned confirmation), the list's 质量简报, the intake form's online and attachment
parts, the consultant page's deep link and the 顾问名录 page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.roles import Role
from db.engine import get_engine
from db.models import (
    Attachment,
    Building,
    Complaint,
    ComplaintFinding,
    ComplaintReport,
    Consultant,
    Notice,
    OnlinePost,
    Property,
    Zone,
)
from db.services import complaint_consult, complaint_groups
from db.services import complaint_flow as flow
from db.services import complaints as svc
from tests.app.harness import ROOT
from ui.context import ACTOR_KEY
from ui.fmt import TZ
from views.complaints.widgets.detail import TAB_KEY

LIST = "views/complaints/list.py"


def run_page(path: str, actor, *, tab: str | None = None, **query) -> AppTest:
    """The page as ``actor`` sees it; ``tab``: the detail tab to open (only the open tab is drawn)."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=60)
    at.session_state[ACTOR_KEY] = actor
    if tab is not None:
        at.session_state[TAB_KEY] = tab  # a name: the page follows it to the label with its count
    for key, value in query.items():
        at.query_params[key] = str(value)
    return at.run()


def labelled(elements, label: str):
    found = [e for e in elements if e.label == label]
    assert found, f"no widget labelled {label!r}: {[e.label for e in elements]}"
    return found[0]


def ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def _data(office_id, now, **kw) -> svc.ComplaintIn:
    base = dict(office_id=office_id, channel="phone", category="engineering", description="地下车库积水",
                occurred_at=now - timedelta(hours=2), complainant_name="张业主", complainant_phone="13800000001")
    base.update(kw)
    return svc.ComplaintIn(**base)


def _one(model, *where):
    with Session(get_engine()) as s:
        return s.exec(select(model).where(*where)).first()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 200)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def team(org, make_actor):
    return {role: make_actor(role, org.hq_id if role in {Role.HQ_HEAD, Role.HQ_SPECIALIST, Role.SYSADMIN}
                             else org.office_a)
            for role in (Role.CLERK, Role.CS_SUPERVISOR, Role.OFFICE_DIRECTOR, Role.HQ_SPECIALIST, Role.HQ_HEAD,
                         Role.SYSADMIN)}


def test_online_tab_unit_facts_then_hq_public_reply(team, org, now):
    c = svc.register(actor=team[Role.CLERK], request_id="on", now=now, data=_data(
        org.office_a, now, channel="online", online=svc.OnlineIn(platform="业主论坛", url="https://bbs.example.com/t/9")))
    hq = run_page(LIST, team[Role.HQ_SPECIALIST], tab="网上投诉")
    ok(hq)
    assert any("书面事实报告**：应于" in m.value and "尚未收到" in m.value for m in hq.markdown)
    assert not [t for t in hq.text_area if t.label == "公开回复内容 *"]  # not offered before the written facts
    assert any("须在收到单位书面事实报告后再公开回复" in m.value and "第3条" in m.value for m in hq.caption)
    unit = run_page(LIST, team[Role.CS_SUPERVISOR], tab="网上投诉")
    assert not [t for t in unit.text_area if t.label == "公开回复内容 *"]  # units never post the public reply
    labelled(unit.text_area, "书面事实及拟采取的措施 *").input("排水泵故障，已更换并加装挡水坎")
    labelled(unit.button, "提交书面事实报告").click()
    unit.run()
    ok(unit)
    hq = run_page(LIST, team[Role.HQ_SPECIALIST], tab="网上投诉")
    labelled(hq.text_area, "公开回复内容 *").input("经核实已更换排水泵")
    labelled(hq.button, "登记总部公开回复").click()
    hq.run()
    ok(hq)
    post = _one(OnlinePost, OnlinePost.complaint_id == c.id)
    assert post.facts_at is not None and post.reply_text == "经核实已更换排水泵"


@pytest.fixture
def flats(org, db_url):
    with Session(get_engine(db_url)) as s:
        zone = Zone(office_id=org.office_a, name="东方苑")
        s.add(zone)
        s.flush()
        building = Building(office_id=org.office_a, zone_id=zone.id, name="1幢")
        s.add(building)
        s.flush()
        rows = [Property(office_id=org.office_a, zone_id=zone.id, building_id=building.id, room=r, label=f"东方苑 1幢 {r}")
                for r in ("101", "102", "103")]
        for r in rows:
            s.add(r)
        s.commit()
        return [r.id for r in rows]


def test_same_issue_tab_links_a_suggestion_and_shows_the_hot_trigger(team, org, flats, now):
    clerk = team[Role.CLERK]
    made = [svc.register(actor=clerk, request_id=name, now=now, data=_data(
        org.office_a, now, property_id=flat, complainant_name=name, complainant_phone=phone))
        for name, phone, flat in (("甲", "1", flats[0]), ("乙", "2", flats[1]), ("丙", "3", flats[2]))]
    complaint_groups.link_same_issue(actor=clerk, complaint_id=made[0].id, with_complaint_id=made[1].id, title="车库积水", now=now)
    at = run_page(LIST, clerk, id=made[2].id, tab="同一事项")
    ok(at)
    form = f"link_{made[2].id}_{made[0].id}"
    link = at.button(key=f"_button_{form}_{at.session_state[f'_token_{form}']}")
    link.click()
    at.run()
    ok(at)
    assert {c.grade for c in [_one(Complaint, Complaint.id == m.id) for m in made]} == {"hot"}
    at = run_page(LIST, clerk, id=made[2].id, tab="同一事项")
    assert any("3位以上不同投诉人投诉（3位）" in i.value and "热点" in i.value for i in at.info)
    assert any("3 位不同投诉人" in m.value for m in at.markdown)


def test_attachment_upload_refusal_and_download(team, org, now):
    clerk = team[Role.CLERK]
    c = svc.register(actor=clerk, data=_data(org.office_a, now), request_id="att", now=now)
    at = run_page(LIST, clerk, tab="附件")
    labelled(at.file_uploader, "上传照片或扫描件（JPG、PNG、PDF，每个不超过 5 MB）").set_value(("假图片.png", b"not an image", "image/png"))
    at.run()
    labelled(at.button, "保存附件").click()
    at.run()
    assert any("JPG、PNG" in e.value for e in at.error)
    at = run_page(LIST, clerk, tab="附件")
    labelled(at.file_uploader, "上传照片或扫描件（JPG、PNG、PDF，每个不超过 5 MB）").set_value(("现场.png", _png(), "image/png"))
    at.run()
    labelled(at.button, "保存附件").click()
    at.run()
    ok(at)
    row = _one(Attachment, Attachment.record_type == "complaint", Attachment.record_id == c.id)
    assert row.filename == "现场.png" and row.mime == "image/png"
    at = run_page(LIST, clerk, tab="附件")
    # listed, not read: the bytes wait for a click (one-click PDF buttons render only when clicked, too)
    assert not at.get("image") and not [d for d in at.download_button if not d.key.startswith("pdf_")]
    at.toggle(key=f"att_{c.id}_open_{row.id}").set_value(True).run()
    ok(at)
    assert at.download_button(key=f"att_{c.id}_dl_{row.id}") is not None and at.get("image")


def test_reports_tab_express_bulletin_and_hq_acknowledgement(team, org, now):
    c = svc.register(actor=team[Role.CLERK], data=_data(org.office_a, now, complainant_count=12), request_id="m", now=now)
    sup = run_page(LIST, team[Role.CS_SUPERVISOR], tab="通报")
    ok(sup)
    assert any("下次快报应于" in i.value and "已报 0 期" in i.value for i in [*sup.info, *sup.error])
    assert not [b for b in sup.button if b.label == "确认收到通报"]  # the supervisor got no 通报 notice
    labelled(sup.text_area, "本期进展 *").input("已更换排水泵两台")
    labelled(sup.button, "报送快报").click()
    sup.run()
    ok(sup)
    assert _one(ComplaintReport, ComplaintReport.complaint_id == c.id, ComplaintReport.kind == "express") is not None
    sup = run_page(LIST, team[Role.CS_SUPERVISOR], tab="通报")
    assert any(d.label == "打印快报 PDF（第1期）" for d in sup.download_button)  # one click renders and downloads
    hq = run_page(LIST, team[Role.HQ_SPECIALIST])
    labelled(hq.button, "确认收到通报").click()
    hq.run()
    ok(hq)
    # acknowledged, apart from reporting: nobody heads a 行政公关部, so the 通报 is still owed (issue 11 items 2, 4)
    assert _one(Notice, Notice.recipient_user_id == team[Role.HQ_SPECIALIST].user_id).acked_at is not None
    assert _one(Complaint, Complaint.id == c.id).reported_at is None
    assert any("通报尚未完成" in w.value and "行政公关部负责人：无人" in w.value for w in run_page(LIST, team[Role.HQ_SPECIALIST]).warning)


def test_reports_tab_special_report_after_closing(team, org, make_actor, now):
    from db.services import complaint_flow as flow

    clerk, sup, other = team[Role.CLERK], team[Role.CS_SUPERVISOR], make_actor(Role.CS_SUPERVISOR, org.office_a)
    c = svc.register(actor=clerk, data=_data(org.office_a, now, complainant_count=12), request_id="sp", now=now)
    flow.assign(actor=sup, complaint_id=c.id, handler_user_id=clerk.user_id, department_id=None, note="", now=now)
    flow.mark_handled(actor=clerk, complaint_id=c.id, result="已排水", now=now)
    flow.verify(actor=other, complaint_id=c.id, note="", now=now)
    flow.record_callback(actor=team[Role.OFFICE_DIRECTOR], complaint_id=c.id, method="phone", reached=True,
                         person_reached="张", satisfaction="satisfied", comment="", follow_up="", now=now)  # 重大: 第3条
    flow.close(actor=sup, complaint_id=c.id, note="", now=now)
    at = run_page(LIST, sup, tab="通报")
    ok(at)
    part_a = labelled(at.text_area, "一、投诉的全过程及处理情况 *")
    assert "受理登记" in part_a.value  # drafted from the timeline
    labelled(at.text_area, "二、投诉产生及升级的原因 *").input("排水泵老化未及时更换")
    labelled(at.button, "报送专题报告").click()
    at.run()
    assert any("防止再次发生的措施" in e.value for e in at.error)  # part C is required for 重大
    labelled(at.text_area, "三、防止再次发生的措施 *").input("每月巡检排水泵")
    labelled(at.button, "报送专题报告").click()
    at.run()
    ok(at)
    at = run_page(LIST, sup, tab="通报")
    assert any(d.label == "打印专题报告 PDF" for d in at.download_button)  # one click renders and downloads


def test_findings_tab_director_confirms_with_a_reason(team, org, now):
    long_ago = now - timedelta(days=20)
    c = svc.register(actor=team[Role.CLERK], data=_data(org.office_a, long_ago, received_at=long_ago),
                     request_id="late", now=long_ago)
    sup = run_page(LIST, team[Role.CS_SUPERVISOR], tab="责任认定")
    assert any("第3条 · （本管理处未指定投诉接口负责人）" in m.value for m in sup.markdown)
    assert not [f for f in sup.text_area if f.label == "认定理由 *"]  # only the director / HQ head decides
    director = run_page(LIST, team[Role.OFFICE_DIRECTOR], tab="责任认定")
    labelled(director.button, "提交认定").click()
    director.run()
    assert any("认定理由" in e.value for e in director.error)
    labelled(director.text_area, "认定理由 *").input("派单后无人跟进，已核实")
    labelled(director.button, "提交认定").click()
    director.run()
    ok(director)
    row = _one(ComplaintFinding, ComplaintFinding.complaint_id == c.id)
    assert (row.clause, row.decision, row.decided_by) == ("第3条", "confirmed", team[Role.OFFICE_DIRECTOR].user_id)
    again = run_page(LIST, team[Role.CS_SUPERVISOR], tab="责任认定")  # the panel shows the approval chain's state
    assert any("审批：已通过" in x.value and "管理处主任或客服中心负责人确认" in x.value for x in again.caption)


def test_list_page_builds_the_quality_bulletin_for_the_period(team, org, now):
    svc.register(actor=team[Role.CLERK], data=_data(org.office_a, now), request_id="q", now=now)
    at = run_page(LIST, team[Role.CS_SUPERVISOR])
    assert any("选择受理日期区间后" in c.value for c in at.caption)
    day = now.astimezone(TZ).date()
    labelled(at.date_input, "受理日期").set_value((day - timedelta(days=30), day))
    at.run()
    ok(at)
    assert any(d.label == "打印质量简报 PDF" for d in at.download_button)  # one click renders and downloads


def test_intake_form_records_the_online_post_and_an_attachment(team, org):
    at = run_page("views/complaints/new.py", team[Role.CLERK])
    labelled(at.text_input, "投诉人姓名").input("王业主")
    labelled(at.text_area, "投诉内容 *").input("业主在论坛发帖称车库积水无人管")
    labelled(at.text_input, "发布平台").input("业主论坛")
    labelled(at.text_input, "链接").input("https://bbs.example.com/t/77")
    labelled(at.file_uploader, "附件：照片、扫描件（JPG、PNG、PDF，每个不超过 5 MB）").set_value(("截图.png", _png(), "image/png"))
    labelled(at.button, "登记投诉").click()
    at.run()
    ok(at)
    assert any("已登记 TS-" in s.value for s in at.success)
    c = _one(Complaint)
    post = _one(OnlinePost, OnlinePost.complaint_id == c.id)
    assert post.platform == "业主论坛" and post.facts_due_at is not None
    assert _one(Attachment, Attachment.record_type == "complaint", Attachment.record_id == c.id).filename == "截图.png"


def test_consult_page_opens_the_request_a_notice_links_to(team, org, make_actor, now):
    consultant = make_actor(Role.CONSULTANT, org.hq_id)
    with Session(get_engine()) as s:
        row = Consultant(name="冯顾问", speciality="法律", phone="1", user_id=consultant.user_id)
        s.add(row)
        s.commit()
        cid = row.id
    made = [svc.register(actor=team[Role.CLERK], data=_data(org.office_a, now, title=t), request_id=t, now=now)
            for t in ("第一件", "第二件")]
    requests = [complaint_consult.request_consult(actor=team[Role.CS_SUPERVISOR], complaint_id=c.id, consultant_id=cid,
                                                  question=f"问题{i}", now=now) for i, c in enumerate(made)]
    at = run_page("views/complaints/consult.py", consultant, id=requests[1])
    ok(at)
    assert [h.value for h in at.subheader] == [f"{made[1].number} · 第二件"]
    labelled(at.text_area, "书面答复 *").input("按合同处理")
    labelled(at.button, "提交答复").click()
    at.run()
    ok(at)
    assert complaint_consult.my_consult_requests(actor=consultant).total == 1


@pytest.mark.parametrize("role", [Role.HQ_SPECIALIST, Role.HQ_HEAD, Role.SYSADMIN])
def test_consultant_directory_add_and_edit(role, team, org, make_actor):
    account = make_actor(Role.CONSULTANT, org.hq_id, name="陈工程师")
    at = run_page("views/complaints/consultants.py", team[role])
    ok(at)
    assert at.title[0].value.endswith("顾问名录")
    labelled(at.text_input, "姓名 *").input("陈工")
    labelled(at.text_input, "专业 *").input("土建工程")
    labelled(at.button, "保存").click()
    at.run()
    assert any("联系方式" in e.value for e in at.error)
    labelled(at.text_input, "电话").input("0571-88001234")
    labelled(at.selectbox, "关联系统账号（可选）").select(account.user_id)
    labelled(at.button, "保存").click()
    at.run()
    ok(at)
    row = _one(Consultant, Consultant.name == "陈工")
    assert (row.speciality, row.phone, row.user_id) == ("土建工程", "0571-88001234", account.user_id)
    at = run_page("views/complaints/consultants.py", team[role])
    assert at.dataframe[0].value["姓名"].tolist() == ["陈工"]
    labelled(at.selectbox, "新增或修改").select(row.id)
    at.run()
    labelled(at.checkbox, "在册（停用后不再出现在请求列表中）").uncheck()
    labelled(at.button, "保存").click()
    at.run()
    ok(at)
    assert _one(Consultant, Consultant.id == row.id).active is False


@pytest.mark.parametrize("role", [Role.CLERK, Role.CS_SUPERVISOR, Role.CONSULTANT, Role.LEADER])
def test_consultant_directory_is_refused_to_others(role, org, make_actor):
    at = run_page("views/complaints/consultants.py", make_actor(role, org.office_a))
    assert any("无权访问" in e.value for e in at.error)
    assert len(at.dataframe) == 0


def test_the_handler_is_not_offered_verification_another_supervisor_verifies(team, org, make_actor, now):
    from db.services import complaint_flow as flow

    sup, other = team[Role.CS_SUPERVISOR], make_actor(Role.CS_SUPERVISOR, org.office_a)
    c = svc.register(actor=team[Role.CLERK], data=_data(org.office_a, now), request_id="v", now=now)
    flow.assign(actor=sup, complaint_id=c.id, handler_user_id=sup.user_id, department_id=None, note="", now=now)
    flow.mark_handled(actor=sup, complaint_id=c.id, result="已修复", now=now)
    mine = run_page(LIST, sup)
    ok(mine)
    assert any("须由其他客服主任验证" in i.value for i in mine.info)
    assert not [b for b in mine.button if b.label == "验证合格"]
    theirs = run_page(LIST, other)
    labelled(theirs.button, "验证合格").click()
    theirs.run()
    ok(theirs)
    assert _one(Complaint, Complaint.id == c.id).verified_by == other.user_id


def test_detail_draws_only_the_open_tab_and_keeps_it_when_its_count_changes(team, org, now):
    from tests.querycount import count_queries

    sup = team[Role.CS_SUPERVISOR]
    c = svc.register(actor=team[Role.CLERK], data=_data(org.office_a, now, complainant_count=12), request_id="t", now=now)
    at = run_page(LIST, sup, id=c.id)
    ok(at)
    assert [t.label.split("（")[0] for t in at.tabs] == ["概况", "时间线", "顾问", "网上投诉", "同一事项", "附件", "通报",
                                                       "责任认定"]
    with count_queries() as log:
        at.run()
    assert not [t for t in at.text_area if t.label == "本期进展 *"]  # the 通报 tab's forms are not drawn
    # list + detail + findings (with their approval requests) + action panel + one policy-revision read per book
    # lookup; was 38 with all tabs drawn
    assert len(log) <= 28, log.report()
    at.session_state[TAB_KEY] = "通报"
    at.run()
    ok(at)
    assert labelled(at.text_area, "本期进展 *") and not [d for d in at.dataframe if "项目" in d.value.columns]
    at.session_state[TAB_KEY] = "时间线"
    at.run()
    note = labelled(at.text_area, "记录")  # 跟进记录 (action panel) adds a timeline event: the count changes
    before = at.session_state[TAB_KEY]
    note.input("已电话联系业主")
    labelled(at.button, "添加记录").click()
    at.run()
    ok(at)
    assert at.session_state[TAB_KEY] != before and at.session_state[TAB_KEY].startswith("时间线")
    assert any(m.value.endswith("已电话联系业主") for m in at.text)


def test_online_tab_hq_posts_the_result_on_the_thread_and_the_complaint_may_then_be_archived(team, org, make_actor, now):
    """Issue 11 item 16: 归档 waits, with the clause, until HQ records the result on the public thread."""
    clerk, sup = team[Role.CLERK], team[Role.CS_SUPERVISOR]
    c = svc.register(actor=clerk, request_id="onr", now=now, data=_data(
        org.office_a, now, channel="online", online=svc.OnlineIn(platform="业主论坛", url="https://bbs.example.com/t/9")))
    flow.assign(actor=sup, complaint_id=c.id, handler_user_id=clerk.user_id, department_id=None, note="", now=now)
    flow.mark_handled(actor=clerk, complaint_id=c.id, result="已更换排水泵", now=now)
    flow.verify(actor=sup, complaint_id=c.id, note="", now=now)
    flow.record_callback(actor=make_actor(Role.CS_SUPERVISOR, org.office_a), complaint_id=c.id, method="phone",
                         reached=True, person_reached="张业主", satisfaction="satisfied", comment="", follow_up="",
                         now=now)
    unit = run_page(LIST, sup, tab="网上投诉")
    ok(unit)
    assert not [b for b in unit.button if b.label == "归档"]
    assert any("原帖公布处理结果" in x.value and "第4条" in x.value for x in unit.caption)
    hq = run_page(LIST, team[Role.HQ_SPECIALIST], tab="网上投诉")
    labelled(hq.text_input, "公布处理结果的帖子链接 *").input("https://bbs.example.com/t/9#20")
    labelled(hq.button, "已在原帖公布处理结果").click()
    hq.run()
    ok(hq)
    assert any("原帖公布处理结果**：" in m.value and "https://bbs.example.com/t/9#20" in m.value for m in hq.markdown)
    unit = run_page(LIST, sup, tab="网上投诉")
    labelled(unit.button, "归档").click()
    unit.run()
    ok(unit)
    assert _one(Complaint, Complaint.id == c.id).state == "closed"


def test_header_shows_the_hotline_deadline_and_no_report_call_once_archived(team, org, make_actor, now):
    """Issue 11 items 17 and 23: the 12345 deadline is on the page with its state and provenance; an archived 热点
    complaint no longer asks for the at-once report."""
    clerk, sup = team[Role.CLERK], team[Role.CS_SUPERVISOR]
    c = svc.register(actor=clerk, request_id="hl", now=now, data=_data(org.office_a, now, channel="hotline_12345",
                                                                        complainant_count=3))
    page = run_page(LIST, sup, id=c.id)
    ok(page)
    assert any(x.value.startswith("政府热线/住建转办答复：期限") and "未到期" in x.value and "公司设定" in x.value
               for x in page.caption), [x.value for x in page.caption]
    assert any("须立即通报" in w.value for w in page.warning)
    flow.assign(actor=sup, complaint_id=c.id, handler_user_id=clerk.user_id, department_id=None, note="", now=now)
    flow.mark_handled(actor=clerk, complaint_id=c.id, result="已处理", now=now)
    flow.verify(actor=sup, complaint_id=c.id, note="", now=now)
    flow.record_callback(actor=make_actor(Role.CS_SUPERVISOR, org.office_a), complaint_id=c.id, method="phone",
                         reached=True, person_reached="张业主", satisfaction="satisfied", comment="", follow_up="",
                         now=now)
    flow.close(actor=sup, complaint_id=c.id, note="", now=now)
    page = run_page(LIST, sup, id=c.id)
    ok(page)
    assert not any("须立即通报" in w.value for w in page.warning)
    assert any("未在时限" in x.value and "已归档" in x.value for x in page.caption)  # the record still says it
