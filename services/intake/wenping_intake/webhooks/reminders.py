"""``reminder.due``: a periodic sweep announces each reminder once per object, due date and severity
(an urgent reminder that later becomes overdue is announced again)."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import BackgroundLoop, Principal

from ..projects.models import Project
from ..reminders.schemas import ReminderKind, ReminderSeverity
from ..reminders.service import URGENT_DAYS, ReminderService
from .events import publish
from .models import ReminderNotice
from .repository import WebhookRepository
from .schemas import EventType

#: The sweep reads every project, as the review service's token may.
_SWEEPER = Principal(subject="service:intake", kind="service")
_PAGE = 200


async def announce_due_reminders(session: AsyncSession, *, limit: int = 1000) -> int:
    """Stage ``reminder.due`` for urgent and overdue reminders not announced yet; how many."""
    repository = WebhookRepository(session)
    if not any(EventType.reminder_due.value in (s.event_types or []) for s in await repository.active()):
        return 0
    reminders = ReminderService(session)
    kinds = {k.value for k in ReminderKind}
    announced = 0
    cursor: str | None = None
    while announced < limit:
        page = await reminders.due(_SWEEPER, URGENT_DAYS, kinds, _PAGE, cursor)
        for reminder in page.items:
            if reminder.severity == ReminderSeverity.upcoming:
                continue
            subject = reminder.measure_id or reminder.finding_id or reminder.project_id  # a project owes several rectifications
            key = f"{reminder.kind.value}:{subject}:{reminder.due_date}:{reminder.severity.value}"
            if await repository.reminder_announced(key):
                continue
            project = await session.get(Project, reminder.project_id)
            if project is None:
                continue
            session.add(ReminderNotice(reminder_key=key, project_id=project.id))
            await publish(session, EventType.reminder_due, project, reminder.model_dump(mode="json"))
            announced += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    return announced


class ReminderSweep(BackgroundLoop):
    """Background task of the intake process (started and stopped in its lifespan; an interval of 0
    turns it off)."""

    name = "webhook-reminder-sweep"

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], interval_seconds: float) -> None:
        super().__init__()
        self._sessionmaker = sessionmaker
        self._interval = interval_seconds

    def start(self) -> None:
        if self._interval > 0:
            super().start()

    async def sweep(self) -> int:
        async with self._sessionmaker() as session:
            count = await announce_due_reminders(session)
            await session.commit()
        return count

    async def run_once(self) -> int:
        return await self.sweep()

    async def pause(self) -> None:
        await asyncio.sleep(self._interval)
