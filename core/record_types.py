"""The spine's own record types (accounts, sessions, the policy book, master data, notices) in the registry.

Each process registers its own types in its core module (the complaint module: ``core/complaints.py``). The
audit page reads them all: its 类别 filter, the 操作 labels, the 对象 names and the before/after field labels.
"""

from __future__ import annotations

from core.labels import CUSTOMER_KIND, DEPARTMENT_KIND, HOLIDAY_KIND, NOTICE_KIND, ORG_KIND, PROPERTY_KIND
from core.registry import RecordType, pairs, register_record_type
from core.roles import ROLE_LABELS

ACTIVE = ("active", "启用")

AUTH = register_record_type(RecordType(
    "auth", "登录与会话",
    actions=(("auth.login", "登录"), ("auth.login_failed", "登录失败"), ("auth.throttled", "登录受限（失败次数过多）"),
             ("auth.sessions_ended", "结束全部会话"), ("auth.password_changed", "修改密码")),
))
USER = register_record_type(RecordType(
    "user", "账号", page="views/admin/users.py",
    actions=(("user.create", "新建账号"), ("user.enable", "启用账号"), ("user.disable", "停用账号"),
             ("user.password_reset", "重置密码"), ("user.grants", "调整角色"), ("user.deputy", "设置代理人"),
             ("user.bootstrap_admin", "创建初始管理员")),
    fields=(("username", "用户名"), ("name", "姓名"), ("display_name", "姓名"), ("active", "启用"),
            ("grants", "角色"), ("deputy", "代理人"), ("until", "代理截止"), ("staff_id", "员工")),
    values=(("grants", pairs(ROLE_LABELS)),),
))
PERMISSION = register_record_type(RecordType(
    "permission", "越权拒绝", actions=(("permission.denied", "越权操作被拒绝"),),
))
POLICY = register_record_type(RecordType(
    "policy", "制度参数", page="views/admin/policy.py",
    actions=(("policy.set", "修改制度参数"), ("policy.retired", "取消重复的制度参数（迁移）")),
    fields=(("value", "取值"), ("effective_from", "生效时间"), ("version", "版本")),
))
HOLIDAY = register_record_type(RecordType(
    "holiday", "节假日日历", page="views/admin/policy.py",
    actions=(("policy.holiday_set", "设置节假日"), ("policy.holiday_remove", "删除节假日")),
    fields=(("day", "日期"), ("kind", "类型"), ("name", "名称")),
    values=(("kind", pairs(HOLIDAY_KIND)),),
))
ORG_UNIT = register_record_type(RecordType(
    "org_unit", "单位", page="views/admin/org.py",
    actions=(("org_unit.create", "新增单位"), ("org_unit.update", "修改单位")),
    fields=(("code", "编码"), ("name", "名称"), ("kind", "类型"), ("parent_id", "上级单位"), ("address", "地址"),
            ("phone", "电话"), ("complaint_contact_staff_id", "投诉联系人"), ACTIVE),
    values=(("kind", pairs(ORG_KIND)),),
))
ZONE = register_record_type(RecordType(
    "zone", "苑区", page="views/admin/org.py",
    actions=(("zone.create", "新增苑区"), ("zone.update", "修改苑区")),
    fields=(("office_id", "管理处"), ("name", "名称"), ACTIVE),
))
BUILDING = register_record_type(RecordType(
    "building", "楼栋", page="views/admin/org.py",
    actions=(("building.create", "新增楼栋"), ("building.update", "修改楼栋")),
    fields=(("office_id", "管理处"), ("zone_id", "苑区"), ("name", "名称"), ACTIVE),
))
PROPERTY = register_record_type(RecordType(
    "property", "房屋", page="views/admin/org.py",
    actions=(("property.create", "新增房屋"), ("property.update", "修改房屋")),
    fields=(("office_id", "管理处"), ("zone_id", "苑区"), ("building_id", "楼栋"), ("unit_no", "单元"), ("room", "房号"),
            ("label", "房屋"), ("kind", "类型"), ("key_household", "重点户"), ACTIVE),
    values=(("kind", pairs(PROPERTY_KIND)),),
))
DEPARTMENT = register_record_type(RecordType(
    "department", "部门", page="views/admin/org.py",
    actions=(("department.create", "新增部门"), ("department.update", "修改部门")),
    fields=(("org_unit_id", "所属单位"), ("name", "名称"), ("kind", "类型"), ("head_staff_id", "负责人"), ACTIVE),
    values=(("kind", pairs(DEPARTMENT_KIND)),),
))
STAFF = register_record_type(RecordType(
    "staff", "员工", page="views/admin/people.py",
    actions=(("staff.create", "新增员工"), ("staff.update", "修改员工")),
    fields=(("office_id", "管理处"), ("name", "姓名"), ("post", "岗位"), ("department_id", "部门"), ("phone", "电话"),
            ("hire_date", "入职日期"), ("independent_on_post", "可独立上岗"), ACTIVE),
    values=(("post", pairs(ROLE_LABELS)),),
))
CUSTOMER = register_record_type(RecordType(
    "customer", "客户", page="views/admin/people.py",
    actions=(("customer.create", "新增客户"), ("customer.update", "修改客户"), ("customer.link_property", "关联房屋"),
             ("pii.view_id_number", "查看完整身份证号")),
    fields=(("office_id", "管理处"), ("name", "姓名"), ("kind", "类型"), ("id_number", "身份证号"), ("phone", "电话"),
            ("property_id", "房屋"), ("relation", "关系"), ("since", "起始日期"), ACTIVE),
    values=(("kind", pairs(CUSTOMER_KIND)), ("relation", pairs(CUSTOMER_KIND))),
    masked=("id_number",),
))
NOTICE = register_record_type(RecordType(
    "notice", "通知", page="views/home/notices.py",
    actions=(("notice.ack", "确认通知"),),
    fields=(("kind", "类型"), ("title", "标题")),
    values=(("kind", pairs(NOTICE_KIND)),),
))
ATTACHMENT = register_record_type(RecordType(
    "attachment", "附件", actions=(("attachment.add", "上传附件"),),  # stored on the record it belongs to
    fields=(("name", "文件名"), ("size", "大小"), ("content_type", "类型")),
))
