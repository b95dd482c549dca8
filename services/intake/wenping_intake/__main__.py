import gc

gc.disable()  # while the modules load (why, and where it is turned back on: wenping_shared.cli)

from wenping_shared.cli import run_cli  # noqa: E402

from .config import IntakeSettings  # noqa: E402
from .database import AuditRecord  # noqa: E402
from .main import MIGRATIONS  # noqa: E402
from .seed import seed_demo  # noqa: E402

run_cli("intake", IntakeSettings, "wenping_intake.main:create_app", MIGRATIONS, seed_demo, audit_model=AuditRecord)  # type: ignore[arg-type]  # seed_demo takes this service's settings, which settings_factory builds; run_cli is not generic
