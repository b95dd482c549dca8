"""Every registry table, imported so the metadata (and Alembic) sees them all: one table module a domain."""

from .agencies import models as agencies
from .audit import models as audit
from .database import TableBase
from .draws import models as draws
from .experts import models as experts
from .identity import models as identity

metadata = TableBase.metadata

__all__ = ["agencies", "audit", "draws", "experts", "identity", "metadata"]
