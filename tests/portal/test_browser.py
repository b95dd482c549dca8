"""The whole story in a real browser: Playwright drives Debian's Chromium against the four
services as real processes on 127.0.0.1 (scratch SQLite databases, demo seed).

A filer files and commissions; the agency writes the report with a deliberate defect, sees the
precheck flag it, fixes it and submits; the reviewer returns it; the filer reads the letter; the
agency resubmits; the reviewer approves. Every page is screenshotted into tests/artifacts/portal/
(git-ignored) and checked with axe-core (bundled by axe-playwright-python, injected locally): no
serious or critical violations. Bounded: one browser, a few dozen pages, under three minutes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from process_kit import SERVICES, embedded_database_only, running
from system_kit import docx_bytes

from wenping_shared.contracts import samples
from wenping_shared.demo import DEMO_PASSWORD, demo_id, org_id

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "portal"
#: The issue note's pictures, written when WENPING_PORTAL_SCREENSHOTS=1 (each role's main page at
#: 1280x800, the printed letter, a phone): the story is what produces them.
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
FGW = "嘉兴市发展和改革委员会"
AGENCY = "嘉兴和谐社会风险评估咨询有限公司"
#: The story's budget on an idle machine. On a shared one it is stretched by the load per core
#: (at most threefold): the bound is there to catch a hang, not a busy neighbour.
STORY_SECONDS = 175.0


def _story_budget() -> float:
    load_per_core = os.getloadavg()[0] / (os.cpu_count() or 1)
    return STORY_SECONDS * min(3.0, max(1.0, load_per_core))


def _unavailable(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + "；CI 要求运行浏览器测试", pytrace=False)
    pytest.skip(message)


def _chromium() -> str:
    """Debian's Chromium, installed with apt-get where missing (as root)."""
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(install, capture_output=True, timeout=900, env=env).returncode != 0:
            subprocess.run(["apt-get", "update"], capture_output=True, timeout=600, env=env)
            subprocess.run(install, capture_output=True, timeout=900, env=env)
    if not CHROMIUM.exists():
        _unavailable(f"找不到 Chromium（{CHROMIUM}），且无法用 apt-get 安装")
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    embedded_database_only("the browser test")
    executable = _chromium()
    # A shared CI machine can be slow; the peers' deadline only has to catch a peer that is really gone.
    settings = {"OUTBOX_POLL_SECONDS": "0.3", "HTTP_TIMEOUT_SECONDS": "30"}
    # Generous: on a loaded machine importing four apps alone can take a minute.
    with running(tmp_path_factory.mktemp("portal-e2e"), (*SERVICES, "portal"), settings=settings,
                 ready_seconds=150) as urls:
        yield {**urls, "chromium": executable}


def _registry_experts(registry: str) -> list[str]:
    """Three active 嘉兴 experts in fields that match urban renewal, none employed by the decision body."""
    token = httpx.post(registry + "/api/v1/auth/token", timeout=10, data={
        "grant_type": "password", "username": "jx.reviewer", "password": DEMO_PASSWORD}).json()["access_token"]
    answer = httpx.get(registry + "/api/v1/experts", params={"limit": 200}, timeout=10,
                       headers={"Authorization": f"Bearer {token}"}).json()
    wanted = {"construction", "land_requisition", "environment", "social_governance"}
    avoid = {org_id(FGW), org_id("嘉兴市住房和城乡建设局")}
    found = [e["id"] for e in answer["items"] if e.get("status") == "active" and set(e.get("fields") or ()) & wanted
             and e.get("employer_org_id") not in avoid]
    return found[:3]


def _report_sections(title: str, planned: str, experts: list[str]) -> dict[str, dict[str, Any]]:
    """What the assessor types into each section's form: the sample report, written for this project."""
    report = samples.complete_report()
    later = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    for measure in report["measures"]["items"]:
        measure["deadline"] = later
    team = [{"name": f"专家{i}", "role": "评估专家", "expert_id": e} for i, e in enumerate(experts, 1)]
    filing = {**report["filing_form"], "project_name": title, "decision_body": FGW, "decision_body_org_id": org_id(FGW),
              "assessor": AGENCY, "planned_decision_date": planned,
              "signed_on": (dt.date.today() - dt.timedelta(days=1)).isoformat()}
    return {
        "filing_form": {"filing_form": filing},
        "overview": {"overview": report["overview"]},
        "basis": {"basis": report["basis"]},
        "procedure": {"procedure": report["procedure"]},
        "consultations": {"consultations": report["consultations"]},
        "risks": {"risks": report["risks"]},
        "measures": {"measures": report["measures"]},
        "conclusion": {"conclusion": report["conclusion"]},
        "other": {
            "title": f"{title}社会稳定风险评估报告", "project_name": title,
            "assessor": {"kind": "agency", "name": AGENCY, "agency_id": demo_id("agency", AGENCY), "lead_name": "王立新"},
            "assessment_team": team + [m for m in report["assessment_team"] if not m.get("expert_id")],
            "attachments": report["attachments"], "sign_off": report["sign_off"],
        },
    }


def _small_png(path: Path) -> None:
    """A palette of 256 colours: a page of text looks the same at about a third of the bytes."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


class Story:
    """One browser, a context per person, a screenshot and an axe check per page."""

    def __init__(self, browser: Any, portal: str) -> None:
        self.browser = browser
        self.portal = portal
        self.violations: dict[str, list[str]] = {}
        self.shots: list[Path] = []

    async def person(self, username: str, phone: bool = False) -> Any:
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
        context = await self.browser.new_context(viewport=viewport, locale="zh-CN")
        context.set_default_timeout(30_000)
        page = await context.new_page()
        await page.goto(self.portal + "/")
        await page.fill("#username", username)
        await page.fill("#password", DEMO_PASSWORD)
        await page.click("button:has-text('登录')")
        await page.wait_for_load_state()
        return page

    async def showcase(self, page: Any, name: str) -> None:
        if os.environ.get("WENPING_PORTAL_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
            await asyncio.to_thread(_small_png, SCREENSHOTS / f"{name}.png")

    async def letter(self, page: Any, url: str) -> None:
        """The letter's PDF as the filer downloads it, its first page as a picture (pdftoppm)."""
        answer = await page.request.get(url)
        assert answer.ok and (await answer.body())[:5] == b"%PDF-", answer.status
        if os.environ.get("WENPING_PORTAL_SCREENSHOTS") == "1":
            pdf = ARTIFACTS / "letter.pdf"
            pdf.write_bytes(await answer.body())
            await asyncio.to_thread(subprocess.run, ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                                                     str(pdf), str(SCREENSHOTS / "letter-pdf-page-1")], check=True, timeout=60)
            await asyncio.to_thread(_small_png, SCREENSHOTS / "letter-pdf-page-1.png")

    async def check(self, page: Any, name: str, full_page: bool = True) -> None:
        from axe_playwright_python.async_playwright import Axe

        path = ARTIFACTS / f"{name}.png"
        await page.screenshot(path=str(path), full_page=full_page)
        self.shots.append(path)
        results = await Axe().run(page)
        serious = [f"{v['id']}: {v['help']}" for v in results.response["violations"]
                   if v.get("impact") in ("serious", "critical")]
        if serious:
            self.violations[name] = serious


async def _save_section(page: Any, key: str) -> None:
    async with page.expect_response(lambda r: f"/report/sections/{key}" in r.url and r.request.method == "POST"):
        await page.click(f"#section-{key} button.save")


def _field_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


async def _add_rows(page: Any, key: str, value: Any, path: str) -> None:
    """As a person does: 添加一行 until the list has as many rows as the records to type in."""
    if isinstance(value, dict):
        for name, inner in value.items():
            await _add_rows(page, key, inner, f"{path}.{name}" if path else name)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        rows = page.locator(f'[data-rows="{path}"] > fieldset.row')
        while (count := await rows.count()) < len(value):
            async with page.expect_response(lambda r: f"/report/sections/{key}" in r.url):
                await page.click(f'#section-{key} button[name=add][value="{path}"]')
            await expect_count(rows, count + 1)
        for index, record in enumerate(value):
            await _add_rows(page, key, record, f"{path}.{index}")


async def expect_count(locator: Any, count: int) -> None:
    from playwright.async_api import expect

    await expect(locator).to_have_count(count)


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from _leaves(inner, f"{path}.{name}" if path else name)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for index, record in enumerate(value):
            yield from _leaves(record, f"{path}.{index}")
    elif value is not None and value != []:
        yield path, value


async def _type_in(page: Any, path: str, value: Any) -> None:
    """One field, by the kind of input the editor shows for it."""
    field = page.locator(f'[id="{_field_id(path)}"]')
    kind = await field.evaluate("e => e.tagName === 'FIELDSET' ? 'checkboxes' : e.tagName.toLowerCase()")
    if kind == "checkboxes":
        for choice in value:
            await field.locator(f'input[value="{choice}"]').check()
    elif kind == "select":
        await field.select_option(str(value).lower() if isinstance(value, bool) else str(value))
    else:
        await field.fill("、".join(value) if isinstance(value, list) else str(value))


async def _fill_section(page: Any, key: str, values: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    await _add_rows(page, key, values, "")
    for path, value in _leaves(values, ""):
        if path not in skip:
            await _type_in(page, path, value)
    await _save_section(page, key)


async def _submit_report(page: Any, round_number: int) -> None:
    await page.set_input_files("#document", files=[{
        "name": "评估报告.docx", "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "buffer": docx_bytes(f"评估报告第{round_number}轮")}])
    await page.check("input[name=confirm]")
    await page.click("button:has-text('报送评估报告')")
    await page.wait_for_selector(f"text=第 {round_number} 轮评估报告已报送")


async def _until(page: Any, url: str, selector: str, deadline: float) -> None:
    """Reload until the selector shows (a message between services is relayed within a second or so)."""
    while True:
        await page.goto(url)
        if await page.locator(selector).count():
            return
        assert time.monotonic() < deadline, f"{selector} did not appear on {url}"
        await page.wait_for_timeout(500)


async def _judge_pending(page: Any, fail: dict[str, str], *, tick: bool) -> None:
    """The failing items one by one (their own forms, swapped in place), then the rest in one
    bulk judgement: ticked (``tick``) or every item still pending."""
    from playwright.async_api import expect

    for code, comment in fail.items():
        item = page.locator(f'[id="item-{code}"]')
        await item.locator("select[name=result]").select_option("fail")
        await item.locator("input[name=comment]").fill(comment)
        async with page.expect_response(lambda r, c=code: r.url.endswith(f"/items/{c}") and r.request.method == "POST"):
            await item.locator("button[type=submit]").click()
        await page.wait_for_selector(f'[id="item-{code}"][data-result=fail]')
    pending = page.locator("article[data-result=pending]")
    assert await pending.count(), "no manual items to judge"
    await page.select_option("#bulk-result", "pass")
    if tick:
        for box in await pending.locator("input[name=codes]").all():
            await box.check()
        await page.click("#bulk-judge button[value=selected]")
    else:
        await page.click("#bulk-judge button[value=pending]")
    await expect(page.locator(".flash").first).to_contain_text("已判定")
    await expect(pending).to_have_count(0)


async def test_the_whole_story_in_a_real_browser(stack: dict[str, str]) -> None:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=20_000)
    started = time.monotonic()
    budget = _story_budget()
    deadline = started + budget
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / ".gitignore").write_text("*\n")
    portal = stack["portal"]
    title = f"嘉兴市老旧片区城市更新项目（浏览器测试 {dt.datetime.now():%H%M%S}）"
    planned = (dt.date.today() + dt.timedelta(days=120)).isoformat()
    sections = _report_sections(title, planned, _registry_experts(stack["registry"]))

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=stack["chromium"], args=["--no-sandbox"])
        story = Story(browser, portal)
        try:
            # The filer files the project, files it, starts the assessment and commissions the agency.
            filer = await story.person("jx.fgw.filer")
            await expect(filer.locator("h1")).to_have_text("我的项目")
            await story.check(filer, "filer-1-my-projects")
            await filer.goto(portal + "/projects/new")
            await filer.fill("#title", title)
            await filer.select_option("#category", "project")
            await filer.select_option("#sub_kind", "urban_renewal")
            for interest in ("land_requisition", "demolition", "environment", "employment"):
                await filer.check(f"input[name=interests][value={interest}]")
            await filer.fill("#affected_population", "3860")
            await filer.fill("#implementing_unit_name", samples.IMPLEMENTING_UNIT)
            await filer.fill("#planned_decision_date", planned)
            await filer.fill("#deadline", (dt.date.today() + dt.timedelta(days=90)).isoformat())
            await story.check(filer, "filer-2-file-a-project")
            await filer.click("button:has-text('保存草稿')")
            await expect(filer.locator("#project-status")).to_have_text("草稿")
            project_url = filer.url
            for action, status in (("file", "已报备"), ("start_assessment", "评估中")):
                await filer.click(f"form:has(input[name=action][value={action}]) button")
                await expect(filer.locator("#project-status")).to_have_text(status)
            agency_option = filer.locator("#agency_id option", has_text=AGENCY).first
            await filer.select_option("#agency_id", await agency_option.get_attribute("value"))
            await filer.click("button:has-text('委托')")
            await expect(filer.locator(".flash")).to_contain_text("已委托")
            await story.check(filer, "filer-3-project-commissioned")

            # The agency writes the report, leaving out the experts' consultation: precheck flags C06.5.
            agency = await story.person("agency.jx")
            await expect(agency.locator("h1")).to_have_text("受托项目")
            await story.check(agency, "agency-1-commissioned-projects")
            await agency.goto(project_url)
            await agency.click("text=编写评估报告")
            # The deliberate defect, through a form field: the written answer to concern Q01 left blank.
            unanswered = "consultations.0.concerns.0.response"
            answer = sections["consultations"]["consultations"][0]["concerns"][0]["response"]
            for key, values in sections.items():
                await _fill_section(agency, key, values, skip=(unanswered,))
            await agency.reload()
            await expect(agency.locator('[id="pre-C06.6"]')).to_have_attribute("data-result", "fail")
            await expect(agency.locator('[id="pre-C06.6"]')).to_contain_text("未作书面回应")
            await expect(agency.locator("#failed-items")).to_contain_text("C06.6")
            await agency.locator(f'[id="{_field_id(unanswered)}"]').scroll_into_view_if_needed()
            await story.check(agency, "agency-2-editor-precheck-flags-defect", full_page=False)
            await story.showcase(agency, "agency-report-editor")
            # Fixing it: the live precheck (as typed, before saving) already shows it passing.
            await agency.fill(f'[id="{_field_id(unanswered)}"]', answer)
            await expect(agency.locator('[id="pre-C06.6"]')).to_have_attribute("data-result", "pass")
            await _save_section(agency, "consultations")
            await agency.reload()
            await expect(agency.locator("#failed-items")).to_have_count(0)
            await expect(agency.locator("#provisional-verdict")).to_have_text("审查通过")
            await story.check(agency, "agency-3-editor-precheck-clean", full_page=False)
            await _submit_report(agency, 1)

            # The reviewer finds it in the queue, judges the manual items (one fails) and returns it.
            reviewer = await story.person("jx.reviewer")
            await _until(reviewer, portal + "/reviews", f"a:has-text('{title}')", deadline)
            await story.check(reviewer, "reviewer-1-queue")
            await reviewer.click(f"a:has-text('{title}')")
            await expect(reviewer.locator("article.item")).to_have_count(45)
            await _judge_pending(reviewer, {"C09.3": "措施缺少资金保障和完成节点，请逐项明确"}, tick=True)
            await expect(reviewer.locator("#preview")).to_contain_text("措施具体可行")
            await expect(reviewer.locator("#provisional")).to_have_text("退回修改")
            await story.check(reviewer, "reviewer-2-review-with-letter-preview", full_page=False)
            await story.showcase(reviewer, "reviewer-review-page")
            await reviewer.click("button:has-text('作出审查结论')")
            await expect(reviewer.locator("#review-verdict")).to_have_text("退回修改")

            # The filer reads the letter.
            await _until(filer, project_url, "#letter", deadline)
            await expect(filer.locator("#verdict")).to_have_text("退回修改")
            await expect(filer.locator("#letter")).to_contain_text("措施缺少资金保障")
            await expect(filer.locator("#project-status")).to_have_text("退回整改")
            await story.check(filer, "filer-4-reads-the-letter")
            await story.letter(filer, portal + await filer.locator("#letter-pdf").get_attribute("href"))

            # The agency revises the measures and resubmits.
            await agency.goto(project_url + "/report")
            first_measure = agency.locator('[id="f-measures-items-0-content"]')
            await first_measure.fill(await first_measure.input_value() + "所需资金由市财政专项保障，2026年12月底前完成分户评估。")
            await _save_section(agency, "measures")
            await _submit_report(agency, 2)

            # The reviewer sees what changed since round 1 and approves.
            await _until(reviewer, portal + "/reviews", f"tr:has-text('{title}'):has-text('第 2 轮') a", deadline)
            await reviewer.click(f"tr:has-text('{title}'):has-text('第 2 轮') a")
            await expect(reviewer.locator("#changes")).to_contain_text("与第 1 轮相比的变化")
            await _judge_pending(reviewer, {}, tick=False)
            await story.check(reviewer, "reviewer-3-round-2-changes", full_page=False)
            await reviewer.click("button:has-text('作出审查结论')")
            await expect(reviewer.locator("#review-verdict")).to_have_text("审查通过")
            await _until(filer, project_url, "#verdict:has-text('审查通过')", deadline)
            await story.check(filer, "filer-5-approved")

            # The other roles' main pages, and the filer's list on a phone.
            supervisor = await story.person("jx.supervisor")
            await expect(supervisor.locator("h1")).to_contain_text("工作台")
            await story.check(supervisor, "supervisor-1-dashboard")
            await story.showcase(supervisor, "supervisor-dashboard")
            admin = await story.person("zj.admin")
            await expect(admin.locator("h1")).to_have_text("专家库")
            await story.check(admin, "admin-1-experts")
            await story.showcase(admin, "admin-experts")
            await admin.goto(portal + "/admin/agencies")
            await story.check(admin, "admin-2-agencies")
            phone = await story.person("jx.fgw.filer", phone=True)
            await story.check(phone, "filer-6-my-projects-phone")
            await story.showcase(phone, "filer-my-projects-phone")
            await filer.goto(portal + "/projects")
            await story.showcase(filer, "filer-my-projects")
            overflow = await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"the phone page scrolls sideways by {overflow}px"
        except Exception:
            for index, context in enumerate(browser.contexts):
                for page in context.pages:
                    await page.screenshot(path=str(ARTIFACTS / f"failure-{index}.png"), full_page=True)
            raise
        finally:
            await browser.close()

    assert story.violations == {}, json.dumps(story.violations, ensure_ascii=False, indent=1)
    elapsed = time.monotonic() - started
    print(f"portal browser story: {elapsed:.0f} s (budget {budget:.0f} s), screenshots in {ARTIFACTS}")
    assert elapsed < budget + 5
