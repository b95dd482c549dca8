from wenping_shared.cli import run_cli

from .config import ReviewSettings
from .database import AuditRecord
from .main import MIGRATIONS
from .seed import seed_demo

run_cli("review", ReviewSettings, "wenping_review.main:create_app", MIGRATIONS, seed_demo, audit_model=AuditRecord)  # type: ignore[arg-type]  # seed_demo takes ReviewSettings, which run_cli builds with ReviewSettings
