import gc

gc.disable()  # while the modules load (why, and where it is turned back on: wenping_shared.cli)

from wenping_shared.cli import run_cli  # noqa: E402

from .audit.models import AuditEntry  # noqa: E402
from .config import RegistrySettings  # noqa: E402
from .main import MIGRATIONS  # noqa: E402
from .seed import seed_demo  # noqa: E402

run_cli("registry", RegistrySettings, "wenping_registry.main:create_app", MIGRATIONS, seed_demo, audit_model=AuditEntry)  # type: ignore[arg-type]  # seed_demo takes this service's settings, which settings_factory builds; run_cli is not generic
