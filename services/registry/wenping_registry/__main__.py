from wenping_shared.cli import run_cli

from .audit.models import AuditEntry
from .config import RegistrySettings
from .main import MIGRATIONS
from .seed import seed_demo

run_cli("registry", RegistrySettings, "wenping_registry.main:create_app", MIGRATIONS, seed_demo, audit_model=AuditEntry)  # type: ignore[arg-type]  # seed_demo takes this service's settings, which settings_factory builds; run_cli is not generic
