"""What an integrator does with the generated clients, run in a scratch environment where only the
generated packages (and their dependencies) are importable from the test: file a project, upload
the report document, submit the report, read the review it opened, download the letter, and get a
typed Problem back from a bad request. Prints one line per step; exits non-zero on any surprise.

Usage: python client_walkthrough.py <registry-url> <intake-url> <review-url> <report.json> <document.docx>
"""

from __future__ import annotations

import io
import json
import sys
import time
import uuid

from wenping_intake_client import AuthenticatedClient as IntakeClient
from wenping_intake_client.api.files import upload_file
from wenping_intake_client.api.projects import create_project, get_project, transition_project
from wenping_intake_client.api.reports import submit_report
from wenping_intake_client.models import (
    Problem,
    ProjectCreate,
    ProjectPublic,
    ReportSubmission,
    TransitionRequest,
    UploadFileForm,
)
from wenping_intake_client.types import File
from wenping_registry_client import Client as RegistryClient
from wenping_registry_client.api.auth import issue_token
from wenping_registry_client.models import IssueTokenForm, TokenResponse
from wenping_review_client import AuthenticatedClient as ReviewClient
from wenping_review_client.api.reviews import feedback_docx, get_review, list_reviews
from wenping_review_client.models import ReviewStatus, ReviewSummaryPage


def step(text: str) -> None:
    print(text, flush=True)


def token(registry: RegistryClient, username: str, resource: str) -> str:
    answer = issue_token.sync(
        client=registry,
        body=IssueTokenForm(grant_type="password", username=username, password="wenping-demo", resource=resource),
    )
    assert isinstance(answer, TokenResponse), answer
    return answer.access_token


def main() -> int:
    registry_url, intake_url, review_url, report_path, document_path = sys.argv[1:6]
    registry = RegistryClient(base_url=registry_url)
    intake = IntakeClient(base_url=intake_url, token=token(registry, "jx.fgw.filer", "intake"))
    step("token: password grant at the registry (issueToken)")

    body = ProjectCreate.from_dict({
        "title": f"嘉兴市生成客户端对接测试-{uuid.uuid4().hex[:6]}", "category": "policy", "initiation": "initiation",
        "filing_batch": "ad_hoc", "interests": ["pricing"], "affected_population": 50000,
        "planned_decision_date": "2027-06-01", "deadline": "2027-05-01",
    })
    created = create_project.sync_detailed(client=intake, body=body, idempotency_key=str(uuid.uuid4()))
    project = created.parsed
    assert created.status_code == 201 and isinstance(project, ProjectPublic), created.content
    step(f"createProject: {created.status_code} {project.number} status={project.status}")

    for action in ("file", "start_assessment"):
        current = get_project.sync_detailed(project.id, client=intake)
        etag = current.headers["etag"]
        moved = transition_project.sync_detailed(
            project.id, client=intake, body=TransitionRequest.from_dict({"action": action}), if_match=etag
        )
        assert moved.status_code == 200 and isinstance(moved.parsed, ProjectPublic), moved.content
        step(f"transitionProject {action} (If-Match {etag}): status={moved.parsed.status}")

    with open(document_path, "rb") as handle:
        upload = UploadFileForm(file=File(payload=io.BytesIO(handle.read()), file_name="评估报告.docx",
                                          mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    stored = upload_file.sync_detailed(client=intake, body=upload)
    assert stored.status_code == 201 and not isinstance(stored.parsed, Problem), stored.content
    step(f"uploadFile: {stored.status_code} kind={stored.parsed.kind} size={stored.parsed.size}")

    with open(report_path, encoding="utf-8") as handle:
        report = json.load(handle)
    submission = ReportSubmission.from_dict({"report": report, "document_file_id": stored.parsed.id})
    submitted = submit_report.sync_detailed(project.id, client=intake, body=submission, idempotency_key=str(uuid.uuid4()))
    assert submitted.status_code == 201 and not isinstance(submitted.parsed, Problem), submitted.content
    step(f"submitReport: {submitted.status_code} round={submitted.parsed.round_}")

    review = ReviewClient(base_url=review_url, token=token(registry, "jx.reviewer", "review"))
    review_id = None
    deadline = time.monotonic() + 20
    while review_id is None and time.monotonic() < deadline:  # the hand-off goes through intake's outbox
        current = get_project.sync(project.id, client=intake)
        assert isinstance(current, ProjectPublic)
        review_id = current.current_review_id if isinstance(current.current_review_id, str) else None
        time.sleep(0.2)
    assert review_id, "review was not opened"
    opened = get_review.sync_detailed(review_id, client=review)
    assert opened.status_code == 200 and not isinstance(opened.parsed, Problem), opened.content
    step(f"getReview: {opened.status_code} status={opened.parsed.status} pending items={len(opened.parsed.pending_items)}")

    decided = list_reviews.sync(client=review, status=ReviewStatus.DECIDED, limit=1)
    assert isinstance(decided, ReviewSummaryPage) and decided.items, decided
    letter = feedback_docx.sync_detailed(decided.items[0].id, client=review)
    assert letter.status_code == 200 and not isinstance(letter.parsed, Problem), letter.content[:200]
    content = letter.parsed.payload.read()
    assert content[:2] == b"PK", content[:20]
    step(f"feedbackDocx: {letter.status_code} {len(content)} bytes (Word document)")

    bad = create_project.sync_detailed(client=intake, body=ProjectCreate.from_dict({**body.to_dict(), "title": ""}))
    problem = bad.parsed
    assert bad.status_code == 422 and isinstance(problem, Problem), bad.content
    assert problem.errors and problem.errors[0].field == "事项名称（title）", problem.to_dict()
    step(f"createProject (bad): {bad.status_code} Problem code={problem.code} detail={problem.detail}")
    missing = get_project.sync_detailed(str(uuid.uuid4()), client=intake)
    assert missing.status_code == 404 and isinstance(missing.parsed, Problem)
    step(f"getProject (unknown id): {missing.status_code} Problem code={missing.parsed.code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
