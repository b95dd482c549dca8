from wenping_registry.models import metadata
from wenping_shared import run_env

run_env(metadata)
