from wenping_shared.cli import run_cli

from .config import IntakeSettings
from .database import AuditRecord
from .main import MIGRATIONS
from .seed import seed_demo

run_cli("intake", IntakeSettings, "wenping_intake.main:create_app", MIGRATIONS, seed_demo, audit_model=AuditRecord)  # type: ignore[arg-type]  # seed_demo takes this service's settings, which settings_factory builds; run_cli is not generic
