"""Chinese labels for stored codes, in one place (design.md §5: enums stored as English codes)."""

from __future__ import annotations

ORG_KIND = {"company": "公司", "hq": "客服中心(总部)", "office": "管理处"}
PROPERTY_KIND = {"residential": "住宅", "shop": "商铺"}
CUSTOMER_KIND = {"owner": "业主", "family": "家属", "tenant": "租户", "shop_tenant": "经营户"}
DEPARTMENT_KIND = {
    "engineering": "工程部",
    "security": "秩序部/保安",
    "environment": "环境部",
    "customer_service": "客服部",
    "finance": "财务",
    "pr_admin": "行政公关部",
    "other": "其他",
}
NOTICE_KIND = {"assigned": "指派给我", "approval": "待我审批", "report": "需确认的通报", "info": "通知"}
PROVENANCE = {
    "seed": "制度原文",
    "found": "制度公开版本",
    "found-variant": "同类制度版本",
    "comparable": "行业参考",
    "inferred": "推定",
}
HOLIDAY_KIND = {"holiday": "法定节假日", "workday": "调休上班"}


def label(mapping: dict[str, str], code: str | None) -> str:
    if code is None:
        return ""
    return mapping.get(code, code)
