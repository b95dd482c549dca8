"""/docs and /redoc work on an intranet (issue 9 point 2): their assets come from the service
itself, and Swagger UI in headless Chromium, with every request off 127.0.0.1 refused, loads,
authorizes with a demo token through the UI, and runs a request."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
SERVICES = ("intake", "review", "registry")


def _chromium() -> str:
    """Debian's chromium, installed here where missing; skipped only where it cannot be had
    (and never under CI)."""
    if not Path(CHROMIUM).exists() and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
                       capture_output=True, timeout=600, check=False)
    if not Path(CHROMIUM).exists():
        message = "Debian 的 chromium 不可用（apt-get install -y chromium 失败）"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "；CI 要求运行浏览器测试", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.mark.parametrize("service", SERVICES)
def test_docs_pages_reference_no_cdn(live_services: dict[str, str], service: str) -> None:
    base = live_services[service]
    for page in ("/docs", "/redoc"):
        html = httpx.get(base + page, timeout=10).text
        assets = re.findall(r'(?:src|href)=["\']([^"\']+)', html) + re.findall(r"url: *['\"]([^'\"]+)", html)
        assert assets, html
        for asset in assets:
            assert not re.match(r"(https?:)?//", asset), (page, asset)
            assert httpx.get(base + asset, timeout=10).status_code == 200, asset
        assert "cdn" not in html.lower() and "googleapis" not in html
    assert '"validatorUrl": null' in httpx.get(base + "/docs", timeout=10).text  # no validator.swagger.io badge
    assert b"cdn.redoc.ly" not in httpx.get(base + "/docs-assets/redoc.standalone.js", timeout=10).content


def test_swagger_ui_authorizes_and_runs_a_request_offline(live_services: dict[str, str], artefacts: Path) -> None:
    executable = _chromium()
    from playwright.sync_api import Route, sync_playwright

    base = live_services["intake"]
    token = httpx.post(live_services["registry"] + "/api/v1/auth/token", timeout=10, data={
        "grant_type": "password", "username": "jx.fgw.filer", "password": "wenping-demo", "resource": "intake",
    }).json()["access_token"]
    outside: list[str] = []

    def only_local(route: Route) -> Any:
        if route.request.url.startswith(base):
            return route.continue_()
        outside.append(route.request.url)  # an intranet has no internet: refuse it
        return route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.route("**/*", only_local)
            page.goto(base + "/docs", wait_until="networkidle", timeout=60_000)
            page.wait_for_selector("#operations-health-whoami", timeout=60_000)

            page.click("button.authorize")
            bearer = page.locator(".auth-container", has_text="bearer").first
            bearer.locator("input").first.fill(token)
            bearer.locator("button.authorize").click()
            page.click("button.btn-done")

            operation = page.locator("#operations-health-whoami")
            operation.locator(".opblock-summary").first.click()
            operation.locator("button.try-out__btn").click()
            operation.locator("button.execute").click()
            status = operation.locator(".live-responses-table tbody .response-col_status").first
            status.wait_for(timeout=30_000)
            operation.locator(".live-responses-table").scroll_into_view_if_needed()
            page.screenshot(path=str(artefacts / "docs-swagger-intake.png"), full_page=False)
            assert status.inner_text().strip().startswith("200"), status.inner_text()
            body = operation.locator(".live-responses-table tbody .microlight").first.inner_text()
            assert '"filer"' in body and '"intake"' in body, body

            page.goto(base + "/redoc", wait_until="networkidle", timeout=60_000)
            page.wait_for_selector("h1:has-text('wenping-intake')", timeout=60_000)
            assert page.locator("text=报备项目（创建草稿）").count() > 0
        finally:
            browser.close()
    assert outside == [], outside
