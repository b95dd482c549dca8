"""A realistic, complete sample report (嘉兴 urban renewal with land requisition and demolition)
that passes every auto item of checklist v1, with the project and registry facts that match it.

Used by tests, seed data and the benchmark. Everything is returned fresh on each call, as plain
JSON-shaped data (dates as ISO strings), so callers may mutate it freely.
The registry/project facts are returned as plain dicts too (this package must not depend on the
review service); `wenping_review.checklist` turns them into its dataclasses.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

SUBMITTED_ON = dt.date(2026, 4, 24)

PROJECT_ID = "8f0c2a4e-3d1b-4c61-9a7e-1b2c3d4e5f60"
DECISION_BODY_ORG_ID = "0b6f1d0e-5a43-4f6e-8d21-7c9a1e2b3c40"  # 嘉兴市住房和城乡建设局
IMPLEMENTING_UNIT_ORG_ID = "3c2d7e91-64aa-4b8f-b0c5-2e8f9a1d7b52"  # 南湖城市建设投资有限公司
AGENCY_ID = "5d9e8f70-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
AGENCY_ORG_ID = "6e0f9a81-2b3c-4d4e-9f0a-1b2c3d4e5f60"
EXPERT_IDS = (
    "a1000000-0000-4000-8000-000000000001",
    "a1000000-0000-4000-8000-000000000002",
    "a1000000-0000-4000-8000-000000000003",
    "a1000000-0000-4000-8000-000000000004",
    "a1000000-0000-4000-8000-000000000005",
)

PROJECT_NAME = "嘉兴市南湖区建设街道老旧片区城市更新（旧城改造）项目"
DECISION_BODY = "嘉兴市住房和城乡建设局"
IMPLEMENTING_UNIT = "嘉兴市南湖城市建设投资有限公司"
AGENCY_NAME = "嘉兴和谐社会风险评估咨询有限公司"

_EXPERTS = (
    # id, name, fields, employer org id, employer name, title
    (EXPERT_IDS[0], "沈国梁", ["land_requisition", "law_policy"], "e0000000-0000-4000-8000-00000000000a", "嘉兴学院", "教授"),
    (EXPERT_IDS[1], "陆晓红", ["construction"], "e0000000-0000-4000-8000-00000000000b", "浙江省建筑设计研究院", "正高级工程师"),
    (EXPERT_IDS[2], "钱志远", ["petition_stability", "social_governance"], "e0000000-0000-4000-8000-00000000000c", "嘉兴市社会科学院", "研究员"),
    (EXPERT_IDS[3], "朱文斌", ["environment"], "e0000000-0000-4000-8000-00000000000d", "嘉兴市环境科学研究所", "高级工程师"),
    (EXPERT_IDS[4], "徐明华", ["law_policy"], "e0000000-0000-4000-8000-00000000000e", "浙江禾城律师事务所", "律师"),
)


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _consultation(group: str, method: str, date: str, target: str, participants: int,
                  support: float | None, summary: str,
                  concerns: Sequence[tuple[str, str, str]] = ()) -> dict[str, Any]:
    return {
        "group": group,
        "method": method,
        "date": date,
        "target": target,
        "participants": participants,
        "support_rate": support,
        "summary": summary,
        "concerns": [
            {
                "id": cid,
                "text": text,
                "response": response,
                "reasonableness": "诉求具有合理性，符合相关法律政策规定，已在方案中予以吸收。",
            }
            for cid, text, response in concerns
        ],
    }


def _risk(rid: str, title: str, dimension: str, kind: str, source: str, concerns: list[str],
          p: float, i: float, level: str, rp: float, ri: float, rlevel: str) -> dict[str, Any]:
    return {
        "id": rid,
        "title": title,
        "dimension": dimension,
        "kind": kind,
        "source": source,
        "related_concerns": concerns,
        "probability": p,
        "impact": i,
        "level": level,
        "residual_probability": rp,
        "residual_impact": ri,
        "residual_level": rlevel,
    }


def _measure(risks: list[str], content: str, unit: str, helpers: list[str], deadline: str) -> dict[str, Any]:
    return {
        "risk_ids": risks,
        "content": content,
        "responsible_unit": unit,
        "coordinating_units": helpers,
        "deadline": deadline,
    }


def complete_report(**overrides: Any) -> dict[str, Any]:
    """The complete sample report as JSON-shaped data; keyword overrides are deep-merged into
    it (dicts merge key by key, anything else — lists included — replaces)."""
    report: dict[str, Any] = {
        "title": f"{PROJECT_NAME}社会稳定风险评估报告",
        "project_name": PROJECT_NAME,
        "filing_form": {
            "project_name": PROJECT_NAME,
            "decision_body": DECISION_BODY,
            "decision_body_org_id": DECISION_BODY_ORG_ID,
            "assessor": AGENCY_NAME,
            "contact_name": "李建明",
            "contact_phone": "0573-82071234",
            "planned_decision_date": "2026-06-30",
            "category": "project",
            "risk_level": "low",
            "leader_opinion": "同意报备。评估程序规范，风险防范措施可行，请各责任单位抓好落实。",
            "signed_by": "张建华",
            "signed_on": "2026-04-22",
            "sealed": True,
        },
        "overview": {
            "category": "project",
            "sub_kind": "urban_renewal",
            "expected_participants": None,
            "background": "建设街道老旧片区建于上世纪八十年代，房屋年久失修、基础设施老化，存在消防和排水安全隐患，群众改造意愿强烈，已列入嘉兴市2026年城市更新计划。",
            "content": "对片区内老旧住宅和沿街商铺实施房屋征收与拆迁，同步建设安置住房、社区服务中心、地下停车场和片区道路管网，征收部分集体土地用于配套道路建设。",
            "scale": "片区总用地约18.6公顷，征收房屋1860户、建筑面积约16.2万平方米，征收集体土地约2.1公顷，新建安置房约2100套。",
            "investment_wan_yuan": 486000.0,
            "location": "浙江省嘉兴市南湖区建设街道，东至中山东路、西至环城东路、南至禾兴南路、北至勤俭路围合区域。",
            "schedule": "2026年7月启动房屋征收，2026年12月前完成签约腾空，2027年1月开工建设，2029年6月安置房交付，2029年12月全面竣工。",
            "affected_area": "建设街道东栅、南湖新村、勤俭3个社区及周边道路沿线居民和商户",
            "affected_population": 5200,
            "stakeholder_groups": ["被征收居民", "沿街商户及从业人员", "集体土地被征收村民", "周边居民"],
            "interests": ["land_requisition", "demolition", "environment", "employment"],
            "interests_description": "项目涉及征收集体土地约2.1公顷和国有土地上房屋征收拆迁1860户，补偿安置采取货币补偿与产权调换相结合；施工期噪声、扬尘对周边环境有一定影响；沿街商户停业将影响约300人就业。",
            "implementing_unit": IMPLEMENTING_UNIT,
            "implementing_unit_org_id": IMPLEMENTING_UNIT_ORG_ID,
            "prior_approvals": [
                {"kind": "project_approval", "status": "obtained", "document_number": "嘉发改审批〔2025〕188号", "issuer": "嘉兴市发展和改革委员会", "approved_on": "2025-11-20"},
                {"kind": "planning", "status": "obtained", "document_number": "地字第330402202500123号", "issuer": "嘉兴市自然资源和规划局", "approved_on": "2025-12-15"},
                {"kind": "land_use", "status": "in_progress", "issuer": "浙江省自然资源厅", "note": "集体土地征收报批材料已上报"},
                {"kind": "environmental_assessment", "status": "in_progress", "issuer": "嘉兴市生态环境局", "note": "环境影响报告表已受理"},
            ],
        },
        "basis": [
            {"title": "中华人民共和国土地管理法", "issuer": "全国人民代表大会常务委员会", "kind": "law", "year": 2019},
            {"title": "中华人民共和国城乡规划法", "issuer": "全国人民代表大会常务委员会", "kind": "law", "year": 2019},
            {"title": "国有土地上房屋征收与补偿条例", "issuer": "国务院", "kind": "administrative_regulation", "number": "国务院令第590号", "year": 2011},
            {"title": "重大行政决策程序暂行条例", "issuer": "国务院", "kind": "administrative_regulation", "number": "国务院令第713号", "year": 2019},
            {"title": "关于建立健全重大决策社会稳定风险评估机制的指导意见（试行）", "issuer": "中共中央办公厅、国务院办公厅", "kind": "normative_document", "number": "中办发〔2012〕2号", "year": 2012},
            {"title": "国家发展改革委重大固定资产投资项目社会稳定风险评估暂行办法", "issuer": "国家发展和改革委员会", "kind": "normative_document", "number": "发改投资〔2012〕2492号", "year": 2012},
            {"title": "浙江省国有土地上房屋征收与补偿条例", "issuer": "浙江省人民代表大会常务委员会", "kind": "local_regulation", "year": 2014},
            {"title": "浙江省重大行政决策程序规定", "issuer": "浙江省人民政府", "kind": "rule", "number": "浙江省人民政府令第337号", "year": 2015},
            {"title": "嘉兴市区国有土地上房屋征收与补偿实施办法", "issuer": "嘉兴市人民政府", "kind": "normative_document", "number": "嘉政发〔2021〕15号", "year": 2021},
            {"title": "建筑施工场界环境噪声排放标准", "issuer": "环境保护部、国家质量监督检验检疫总局", "kind": "standard", "number": "GB 12523-2011", "year": 2011},
            {"title": "嘉兴市国土空间总体规划（2021—2035年）", "issuer": "嘉兴市人民政府", "kind": "plan", "year": 2023},
        ],
        "procedure": {
            "plan": {
                "date": "2026-03-02",
                "content": "评估征收补偿安置、施工环境影响、商户就业、程序合法性等方面的社会稳定风险，提出防范化解措施和评估结论。",
                "methods": ["问卷调查", "座谈会", "入户走访", "网络征求意见", "专家论证"],
                "time_limit": "2026-04-30",
            },
            "steps": [
                {"step": "plan", "date": "2026-03-02"},
                {"step": "public_notice", "date": "2026-03-09"},
                {"step": "consultation", "date": "2026-03-10"},
                {"step": "analysis", "date": "2026-03-30"},
                {"step": "risk_identification", "date": "2026-04-08"},
                {"step": "report_compilation", "date": "2026-04-20"},
                {"step": "review_meeting", "date": "2026-04-22"},
                {"step": "filing", "done": False},
                {"step": "tracking", "done": False},
            ],
            "public_notice": {
                "start": "2026-03-09",
                "end": "2026-03-18",
                "channels": ["嘉兴市人民政府门户网站", "建设街道及各社区公告栏", "“南湖发布”微信公众号"],
                "content": "公示项目征收范围、补偿安置方案要点及意见反馈渠道。",
                "feedback_count": 18,
            },
            "expert_meeting": {
                "date": "2026-04-03",
                "location": "嘉兴市住房和城乡建设局三楼会议室",
                "experts": [
                    {"name": name, "expert_id": eid, "title": title, "employer": employer}
                    for eid, name, _f, _o, employer, title in _EXPERTS
                ],
                "minutes": "专家组听取了评估机构汇报，认为风险识别较全面，建议补偿标准参照近期周边同类房屋市场评估价格，并强化过渡安置和商户扶持措施。",
            },
            "review_meeting": {
                "date": "2026-04-22",
                "experts": [
                    {"name": name, "expert_id": eid} for eid, name, *_ in _EXPERTS[:3]
                ],
                "minutes": "评审组同意报告通过评审，建议补充应急处置联络表。",
            },
        },
        "consultations": [
            _consultation("stakeholders", "questionnaire", "2026-03-12", "被征收居民户（按户抽样）", 420, 0.86,
                          "发放问卷450份，回收有效问卷420份，86%的受访户支持项目实施。",
                          [("Q01", "补偿标准偏低，担心拿不到与市场价相当的补偿", "补偿以具有资质的评估机构评估的市场价格为准，并设立签约奖励。"),
                           ("Q02", "过渡期租房困难，过渡费不足", "过渡期安置费按月发放并上浮20%，提供周转房源信息。")]),
            _consultation("stakeholders", "forum", "2026-03-14", "被征收居民代表", 35, 0.80,
                          "召开居民代表座谈会两场，代表普遍支持改造，关注征收程序公开。",
                          [("Q03", "征收程序是否公开透明，评估机构如何选定", "评估机构由被征收人协商选定，协商不成的依法随机抽取，全过程公开。")]),
            _consultation("stakeholders", "visit", "2026-03-16", "临近施工区域居民", 60, 0.83,
                          "入户走访周边居民60户，主要担心施工扰民。",
                          [("Q04", "施工期间噪声和扬尘影响休息与健康", "夜间22时至次日6时禁止高噪声作业，落实围挡、喷淋等扬尘防治措施。")]),
            _consultation("stakeholders", "online", "2026-03-20", "网络参与群众", 150, 0.88,
                          "通过政府门户网站征求意见，收到有效意见150条。",
                          [("Q05", "网传补偿标准因人而异、存在不公", "补偿安置方案统一公开，补偿结果分户公示，接受监督。")]),
            _consultation("stakeholders", "public_notice", "2026-03-18", "公示期间反馈群众", 18, None,
                          "公示期间收到书面反馈18件，已逐件答复。",
                          [("Q06", "集体土地征收补偿与安置如何落实", "严格执行区片综合地价，被征地农民纳入社会保障。")]),
            _consultation("key_populations", "visit", "2026-03-17", "低保户、独居老人、残疾人家庭", 28, 0.79,
                          "走访重点人群28户，需重点解决搬迁困难。",
                          [("Q07", "老人和残疾人搬迁困难，希望优先安置低楼层", "设立帮扶专班提供搬家服务，安置房低楼层优先分配给特殊困难家庭。")]),
            _consultation("key_populations", "forum", "2026-03-19", "沿街商户及从业人员", 22, 0.72,
                          "召开商户座谈会，商户关注停业损失和从业人员再就业。",
                          [("Q08", "停业损失补偿不足，店员失业", "停产停业损失按规定补偿，人力社保部门提供岗位推荐和技能培训。")]),
            _consultation("local_government", "forum", "2026-03-23", "南湖区政府、建设街道、区自然资源和规划分局、区信访局", 12, None,
                          "属地政府部门支持项目，提出做好交通组织和信访预案。",
                          [("Q09", "施工期间片区交通组织压力大", "编制交通组织方案，设置临时便道并错峰施工。")]),
            _consultation("implementing_unit", "forum", "2026-03-24", IMPLEMENTING_UNIT, 6, None,
                          "实施单位承诺资金和安置房源按计划落实。"),
            _consultation("experts", "forum", "2026-03-26", "法律、土地征收、建筑工程、信访维稳领域专家", 5, None,
                          "专家认为项目总体风险可控，建议强化程序合法性审查。",
                          [("Q10", "集体土地征收报批未完成前不得先行征收", "用地批复取得前不启动集体土地征收，程序合法性由法制机构审核。")]),
        ],
        "risks": [
            _risk("R01", "征收补偿标准争议", "rationality", "compensation_resettlement",
                  "被征收居民认为补偿评估价格低于周边二手房市场价，可能在签约阶段集体拒签或上访。",
                  ["Q01", "Q05"], 0.6, 0.7, "significant", 0.3, 0.6, "moderate"),
            _risk("R02", "过渡安置与安置房交付风险", "feasibility", "compensation_resettlement",
                  "过渡期租房困难、过渡费不足以及安置房延期交付，可能引发被征收户不满和群体诉求。",
                  ["Q02", "Q06", "Q07"], 0.5, 0.6, "moderate", 0.3, 0.4, "minor"),
            _risk("R03", "征收程序合法性风险", "legality", "policy_legality",
                  "评估机构选定、征收决定公告及集体土地报批等环节若程序瑕疵，可能引发行政复议和诉讼。",
                  ["Q03", "Q10"], 0.3, 0.8, "moderate", 0.2, 0.5, "minor"),
            _risk("R04", "施工扰民风险", "controllability", "construction_disturbance",
                  "拆除和施工阶段夜间作业噪声、渣土运输影响周边居民休息，可能引发投诉和阻工。",
                  ["Q04"], 0.6, 0.4, "moderate", 0.4, 0.3, "minor"),
            _risk("R05", "施工扬尘噪声环境影响", "safety", "environmental_impact",
                  "拆除作业扬尘、建筑垃圾堆放和施工噪声影响片区空气质量和声环境，周边学校反映强烈。",
                  ["Q04"], 0.5, 0.4, "moderate", 0.3, 0.3, "minor"),
            _risk("R06", "商户停业损失与就业影响", "rationality", "fairness",
                  "沿街商户停业损失补偿与经营预期差距较大，约300名从业人员面临失业，可能聚集维权。",
                  ["Q08"], 0.4, 0.5, "moderate", 0.2, 0.4, "minor"),
            _risk("R07", "网络舆情炒作风险", "controllability", "public_opinion",
                  "个别群众在网络平台散布补偿不公等不实信息，可能被放大炒作，影响签约进度。",
                  ["Q05"], 0.3, 0.5, "minor", 0.2, 0.4, "minor"),
            _risk("R08", "施工期交通拥堵风险", "feasibility", "traffic_disruption",
                  "施工围挡占用中山东路部分车道，早晚高峰及学校上下学时段易造成拥堵和出行不便。",
                  ["Q09"], 0.4, 0.3, "minor", 0.2, 0.3, "minor"),
        ],
        "measures": {
            "items": [
                _measure(["R01"], "委托被征收人协商选定的评估机构按市场价格评估，评估结果分户送达并设立复核和专家鉴定渠道，同步实行签约奖励。",
                         "南湖区房屋征收服务中心", ["嘉兴市住房和城乡建设局"], "2026-09-30"),
                _measure(["R01", "R07"], "补偿安置方案和分户补偿结果在社区全面公开，设立政策咨询点和网上答疑专栏，及时回应群众疑问。",
                         "建设街道办事处", ["南湖区房屋征收服务中心"], "2026-08-31"),
                _measure(["R02"], "过渡费按月足额发放并上浮20%，组织周转房源，安置房建设实行节点考核确保2029年6月前交付。",
                         IMPLEMENTING_UNIT, ["南湖区房屋征收服务中心"], "2029-06-30"),
                _measure(["R02"], "成立特殊困难家庭帮扶专班，为老人、残疾人家庭提供免费搬家和低楼层优先安置服务。",
                         "建设街道办事处", ["南湖区民政局", "南湖区残疾人联合会"], "2026-12-31"),
                _measure(["R03"], "征收决定、评估机构选定和集体土地报批各环节由法制机构合法性审查，用地批复取得前不启动集体土地征收。",
                         "嘉兴市住房和城乡建设局", ["南湖区司法局", "嘉兴市自然资源和规划局"], "2026-07-31"),
                _measure(["R04"], "严格执行夜间22时至次日6时禁止高噪声作业规定，渣土车辆密闭运输并错峰通行，设立施工投诉热线。",
                         IMPLEMENTING_UNIT, ["南湖区综合行政执法局"], "2029-12-31"),
                _measure(["R05"], "施工现场全封闭围挡并配置喷淋和在线扬尘噪声监测设备，建筑垃圾日产日清，学校周边加设隔声屏障。",
                         IMPLEMENTING_UNIT, ["嘉兴市生态环境局南湖分局"], "2029-12-31"),
                _measure(["R06"], "停产停业损失按规定标准补偿，人力社保部门为受影响从业人员提供岗位推荐和免费技能培训。",
                         "南湖区人力资源和社会保障局", ["建设街道办事处"], "2027-03-31"),
                _measure(["R07"], "建立网络舆情监测和快速回应机制，发现不实信息当日核实澄清，重大舆情2小时内报告。",
                         "中共嘉兴市南湖区委宣传部", ["南湖区公安分局"], "2026-12-31"),
                _measure(["R08"], "编制施工期交通组织方案，开辟临时便道，高峰时段安排交警和志愿者疏导并提前发布出行提示。",
                         "嘉兴市公安局交通警察支队南湖大队", [IMPLEMENTING_UNIT], "2027-01-31"),
            ],
            "emergency_plan": {
                "title": "建设街道老旧片区城市更新项目群体性事件应急处置预案",
                "summary": "明确信息报告、现场处置、舆情应对和善后工作四个环节，成立由区政府分管领导任组长的应急处置领导小组，分级响应。",
                "responsible_unit": "嘉兴市南湖区人民政府",
            },
            "monitoring": {
                "responsible_unit": "建设街道办事处",
                "frequency": "签约期每周一次，施工期每月一次",
                "indicators": ["签约率", "信访投诉件数", "舆情热度", "施工投诉件数"],
                "method": "社区网格员排查、信访数据比对和网络舆情监测",
            },
        },
        "conclusion": {
            "initial_level": "medium",
            "residual_level": "low",
            "recommendation": "implement_with_measures",
            "text": "项目初始社会稳定风险等级为中风险，在全面落实各项防范化解措施后风险等级可降为低风险，建议落实措施后实施。",
        },
        "attachments": [
            {"kind": "expert_opinions", "title": "专家论证意见", "file_id": "f-0001"},
            {"kind": "survey_summary", "title": "问卷调查及座谈走访汇总表", "file_id": "f-0002"},
            {"kind": "public_notice_evidence", "title": "公示截图及现场公示照片", "file_id": "f-0003"},
            {"kind": "meeting_minutes", "title": "专家论证会会议纪要", "file_id": "f-0004"},
            {"kind": "other", "title": "评估工作方案", "file_id": "f-0005"},
        ],
        "assessment_team": [
            {"name": "王立新", "role": "项目负责人", "employer": AGENCY_NAME},
            {"name": "陈晓燕", "role": "调查组长", "employer": AGENCY_NAME},
            *[
                {"name": name, "role": "评估组专家", "expert_id": eid, "employer": employer}
                for eid, name, _f, _o, employer, _t in _EXPERTS
            ],
        ],
        "assessor": {
            "kind": "agency",
            "name": AGENCY_NAME,
            "agency_id": AGENCY_ID,
            "lead_name": "王立新",
        },
        "sign_off": {"signed_by": "王立新", "signed_on": "2026-04-20", "sealed": True},
    }
    return _deep_merge(report, overrides)


def sample_project_facts(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for `ProjectFacts` that match the sample report."""
    facts: dict[str, Any] = {
        "project_id": PROJECT_ID,
        "responsible_org_id": DECISION_BODY_ORG_ID,
        "responsible_org_name": DECISION_BODY,
        "category": "project",
        "sub_kind": "urban_renewal",
        "interests": ("land_requisition", "demolition", "environment", "employment"),
        "expected_participants": None,
        "region_code": "330400",
        "planned_decision_date": dt.date(2026, 6, 30),
        "already_implemented": False,
        "assessor_kind": "agency",
        "agency_id": AGENCY_ID,
    }
    facts.update(overrides)
    return facts


def sample_registry_facts() -> dict[str, Any]:
    """The registry's view of the sample agency and experts:
    {"agency": AgencyFacts kwargs, "experts": {id: ExpertFacts kwargs}}."""
    return {
        "agency": {
            "id": AGENCY_ID,
            "name": AGENCY_NAME,
            "org_id": AGENCY_ORG_ID,
            "status": "active",
            "grade": "B",
            "grade_valid_until": dt.date(2027, 12, 31),
            "eligible": True,
            "reasons": [],
        },
        "experts": {
            eid: {
                "id": eid,
                "name": name,
                "fields": list(fields),
                "employer_org_id": org_id,
                "employer_name": employer,
                "status": "active",
            }
            for eid, name, fields, org_id, employer, _t in _EXPERTS
        },
    }


__all__ = [
    "AGENCY_ID",
    "DECISION_BODY_ORG_ID",
    "EXPERT_IDS",
    "IMPLEMENTING_UNIT_ORG_ID",
    "PROJECT_ID",
    "SUBMITTED_ON",
    "complete_report",
    "sample_project_facts",
    "sample_registry_facts",
]
