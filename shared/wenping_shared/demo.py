"""Demo data of spec demo-data.md that more than one service seeds (with stable ids, so the intake
service can seed projects for organisations the registry seeds without calling it)."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6b7d3f0e-9a55-4c57-9a8c-2f1b4d0e7a11")
DEMO_PASSWORD = "wenping-demo"


def demo_id(kind: str, name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


#: (code, name, parent)
REGIONS: tuple[tuple[str, str, str | None], ...] = (
    ("330000", "浙江省", None),
    ("330400", "嘉兴市", "330000"),
    ("330402", "南湖区", "330400"),
    ("330411", "秀洲区", "330400"),
    ("330421", "嘉善县", "330400"),
    ("330483", "桐乡市", "330400"),
    ("330600", "绍兴市", "330000"),
    ("330602", "越城区", "330600"),
    ("620000", "甘肃省", None),
    ("620700", "张掖市", "620000"),
    ("620702", "甘州区", "620700"),
    ("620724", "高台县", "620700"),
    ("360000", "江西省", None),
    ("360200", "景德镇市", "360000"),
    ("360203", "珠山区", "360200"),
    ("370000", "山东省", None),
    ("370300", "淄博市", "370000"),
    ("370304", "博山区", "370300"),
    ("320000", "江苏省", None),
    ("320200", "无锡市", "320000"),
    ("320206", "惠山区", "320200"),
)

#: (name, kind, region)
ORGANIZATIONS: tuple[tuple[str, str, str], ...] = (
    ("浙江省委政法委", "stability_office", "330000"),
    ("嘉兴市委政法委", "stability_office", "330400"),
    ("嘉兴市维稳办", "stability_office", "330400"),
    ("嘉兴市发展和改革委员会", "department", "330400"),
    ("嘉兴市住房和城乡建设局", "department", "330400"),
    ("嘉善县住房和城乡建设局", "department", "330421"),
    ("桐乡市自然资源和规划局", "department", "330483"),
    ("张掖市委政法委", "stability_office", "620700"),
    ("张掖市自然资源局", "department", "620700"),
    ("嘉兴和谐社会风险评估咨询有限公司", "agency", "330400"),
    ("张掖市稳评咨询中心", "agency", "620700"),
    ("嘉兴学院", "institution", "330400"),
)

#: (username, display name, role, organisation, region)
ACCOUNTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("zj.admin", "浙江省平台管理员", "admin", "浙江省委政法委", "330000"),
    ("jx.reviewer", "嘉兴市审查员", "reviewer", "嘉兴市委政法委", "330400"),
    ("jx.supervisor", "嘉兴市维稳办负责人", "supervisor", "嘉兴市维稳办", "330400"),
    ("jx.fgw.filer", "嘉兴市发改委报备员", "filer", "嘉兴市发展和改革委员会", "330400"),
    ("jx.zjj.filer", "嘉兴市住建局报备员", "filer", "嘉兴市住房和城乡建设局", "330400"),
    ("js.zjj.filer", "嘉善县住建局报备员", "filer", "嘉善县住房和城乡建设局", "330421"),
    ("tx.filer", "桐乡市自然资源和规划局报备员", "filer", "桐乡市自然资源和规划局", "330483"),
    ("zy.admin", "张掖市平台管理员", "admin", "张掖市委政法委", "620700"),
    ("zy.reviewer", "张掖市审查员", "reviewer", "张掖市委政法委", "620700"),
    ("zy.filer", "张掖市自然资源局报备员", "filer", "张掖市自然资源局", "620700"),
    ("agency.jx", "嘉兴和谐社会风险评估咨询有限公司评估员", "agency", "嘉兴和谐社会风险评估咨询有限公司", "330400"),
    ("agency.zy", "张掖市稳评咨询中心评估员", "agency", "张掖市稳评咨询中心", "620700"),
    ("expert.jx1", "嘉兴学院专家", "expert", "嘉兴学院", "330400"),
)

#: Development service credentials (production refuses them).
SERVICE_CLIENTS: dict[str, str] = {
    "intake": "wenping-dev-intake-secret",
    "review": "wenping-dev-review-secret",
    "registry": "wenping-dev-registry-secret",
}
INTEGRATION_CLIENT = (
    "demo-platform", "wenping-demo-secret", "330400", ("projects:read", "webhooks:manage", "clearances:read")
)


def org_id(name: str) -> str:
    return demo_id("organization", name)


def user_id(username: str) -> str:
    return demo_id("user", username)
