"""The project list as clients poll it: one statement through the ``Reader``, no session
(``wenping_shared.Reader``). The project by id is ``risk_watch.service.project_for_reader``
(it carries the project's warning flags)."""

from __future__ import annotations

from typing import Any

from wenping_shared import PageParams, Principal, Reader, local_today

from .repository import ProjectFilters, list_page


async def project_page(reader: Reader, principal: Principal, filters: ProjectFilters, page: PageParams) -> list[Any]:
    """A page of the projects ``principal`` sees that match ``filters``: rows of the public
    columns, newest first, one more than the page size when there are more."""
    return await list_page(reader, principal, filters, page, local_today())


__all__ = ["project_page"]
