"""The `schedule` trigger's clock: an APScheduler `AsyncIOScheduler` that only wakes us up.

The database is the source of truth. Every active schedule workflow has one one-shot job at
its stored `Workflow.next_run_at`; when the job fires it asks the engine for a run with
`scheduled_for` = that fire time, then stores the next fire (`triggers.schedule.plan_schedule`)
and sets the next job. One-shot jobs rather than APScheduler's recurring ones because
APScheduler 3 does not tell a job function which fire time it runs for, and the run must carry
its exact time: `(workflow_id, scheduled_for)` is unique, so no fire can start two runs.

Jobs are rebuilt from the rows at start-up, where fires missed while Flowdeck was down meet the
workflow's `misfire` policy, and whenever the bus says `workflow.changed` (created, edited,
paused, deleted). Every sync and fire reads and writes the database, so it runs on one worker
thread of the clock's own (one thread: syncs of a workflow never race each other), never on
the event loop; APScheduler 3's job methods are thread-safe and wake the loop themselves. The
grace time is an hour, not APScheduler's 1 s: a busy event loop must not
silently drop a fire; a fire missed by more than that is handled like downtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import sqlalchemy as sa
from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
    JobExecutionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import select

from app.core.errors import FlowdeckError
from app.db.engine import get_engine, session_scope
from app.db.models import Workflow
from app.db.types import utcnow
from app.engine.bus import Event, EventBus, bus
from app.engine.health import set_scheduler_state
from app.engine.runtime import start_run
from app.engine.triggers.schedule import plan_schedule

log = logging.getLogger("flowdeck.scheduler")
GRACE_S = 3600
JOB_PREFIX = "schedule:"
WF = Workflow.__table__


def _load(workflow_id: int) -> Workflow | None:
    with session_scope() as session:
        return session.get(Workflow, workflow_id)


def _known_ids() -> list[int]:
    """Workflows that have a schedule or a stored next run (to clear a stale one)."""
    with session_scope() as session:
        has_next = Workflow.next_run_at.is_not(None)  # type: ignore[union-attr]
        rows = session.exec(
            select(Workflow.id).where(sa.or_(Workflow.trigger_type == "schedule", has_next))
        ).all()
    return [r for r in rows if r is not None]


def _store_next(workflow_id: int, when: datetime | None) -> None:
    with get_engine().begin() as conn:
        conn.execute(WF.update().where(WF.c.id == workflow_id).values(next_run_at=when))


def _is_scheduled(row: Workflow) -> bool:
    return row.is_active and row.trigger_type == "schedule"


def _key(row: Workflow) -> str:
    """What the plan depends on; an edit that leaves it alone leaves the job alone."""
    return json.dumps([row.trigger_config, row.created_at.isoformat()], sort_keys=True)


class ScheduleClock:
    """Keeps one APScheduler job per active schedule workflow, in step with the database."""

    def __init__(self, events: EventBus = bus) -> None:
        self.events = events
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            # A fire sets the next one (same job id) before its own coroutine returns; when a
            # held write lock made it late, that next one is already due. Two instances let it
            # start (the single worker thread still runs them one after the other); were it
            # skipped, a one-shot date job would end the schedule (see _on_skipped).
            job_defaults={"misfire_grace_time": GRACE_S, "coalesce": True, "max_instances": 2},
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._keys: dict[int, str] = {}
        self._handler = self._on_changed  # one bound method, so that unsubscribe finds it

    @property
    def running(self) -> bool:
        return self._loop is not None

    def start(self) -> None:
        """Start the clock on the running (engine's) loop and sync every schedule from the DB."""
        self._loop = asyncio.get_running_loop()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowdeck-clock")
        self._scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self._scheduler.add_listener(self._on_skipped, EVENT_JOB_MAX_INSTANCES)
        self._scheduler.start()
        for workflow_id in _known_ids():
            self._sync_logged(workflow_id, True)
        self.events.subscribe("workflow.changed", self._handler)
        set_scheduler_state("running")
        log.info("scheduler started with %d schedule(s)", len(self._scheduler.get_jobs()))

    async def stop(self) -> None:
        """Stop firing. Stored `next_run_at` values stay: the next start-up judges misfires."""
        self.events.unsubscribe(self._handler)
        if self._loop is not None:
            self._scheduler.remove_all_jobs()
            self._scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a loop callback
        if self._worker is not None:
            worker, self._worker = self._worker, None
            await asyncio.to_thread(worker.shutdown, wait=True)
        self._loop = None
        self._keys.clear()
        set_scheduler_state("stopped")

    async def settle(self) -> None:
        """Wait until every sync asked for so far has been done (the worker runs in order)."""
        if self._worker is not None:
            await asyncio.get_running_loop().run_in_executor(self._worker, lambda: None)

    def resync(self) -> None:
        """Look at every schedule row again (on the worker): with several processes, a
        workflow edited in another one sends no `workflow.changed` here."""
        worker = self._worker
        if worker is None:
            return

        def all_rows() -> None:
            scheduled = {int(job.id.removeprefix(JOB_PREFIX)) for job in self._scheduler.get_jobs()
                         if job.id.startswith(JOB_PREFIX)}  # fmt: skip
            for workflow_id in sorted(scheduled | set(_known_ids())):
                self._sync_logged(workflow_id, False)

        with contextlib.suppress(RuntimeError):  # shut down meanwhile
            worker.submit(all_rows)

    def next_fire_time(self, workflow_id: int) -> datetime | None:
        """When the clock will next fire for `workflow_id` (None: no job)."""
        job = self._scheduler.get_job(f"{JOB_PREFIX}{workflow_id}")
        return job.next_run_time if job else None

    # -- keeping jobs in step with the rows -------------------------------------------------

    def sync(
        self, workflow_id: int, *, recovering: bool = False, fired: datetime | None = None
    ) -> None:
        """Make the job and `next_run_at` of `workflow_id` match its row (blocking)."""
        job_id = f"{JOB_PREFIX}{workflow_id}"
        row = _load(workflow_id)
        if row is None or not _is_scheduled(row):
            if row is not None and row.next_run_at is not None:
                _store_next(workflow_id, None)  # first: once the job is gone, so is the time
            self._drop(job_id, workflow_id)
            return
        key = _key(row)
        unchanged = self._keys.get(workflow_id) == key and self._scheduler.get_job(job_id)
        if unchanged and not recovering and fired is None:
            return
        try:
            plan = plan_schedule(
                row.trigger_config,
                anchor=row.created_at,
                stored=row.next_run_at,
                now=utcnow(),
                recovering=recovering,
                fired=fired,
            )
        except FlowdeckError as exc:
            log.error(
                "workflow %s has an unusable schedule, not scheduling it: %s",
                workflow_id,
                exc.message,
            )
            self._drop(job_id, workflow_id)
            return
        if plan.catch_up is not None:
            log.info(
                "workflow %s missed fires while down: one run for %s",
                workflow_id,
                plan.catch_up.isoformat(),
            )
            start_run(row, trigger_type="schedule", scheduled_for=plan.catch_up)
        _store_next(workflow_id, plan.next_run_at)
        self._keys[workflow_id] = key
        if plan.next_run_at is None:
            self._drop(job_id, workflow_id)
            return
        self._scheduler.add_job(
            self._fire,
            DateTrigger(run_date=plan.next_run_at, timezone=UTC),
            args=(workflow_id, plan.next_run_at),
            id=job_id,
            name=f"workflow {workflow_id}",
            replace_existing=True,
        )

    def every(self, name: str, seconds: float, work: Callable[[], object]) -> None:
        """Run blocking `work` every `seconds` (first after one period) on a thread of its own,
        never on the loop nor on the schedule worker (a long prune must not delay a fire)."""

        async def job() -> None:
            try:
                await asyncio.to_thread(work)
            except Exception:
                log.exception("periodic job %s failed", name)

        self._scheduler.add_job(
            job,
            IntervalTrigger(seconds=seconds, timezone=UTC),
            id=f"every:{name}",
            name=name,
            replace_existing=True,
        )

    def _drop(self, job_id: str, workflow_id: int) -> None:
        self._keys.pop(workflow_id, None)
        if self._scheduler.get_job(job_id):
            self._scheduler.remove_job(job_id)

    # -- the clock's job and the events it listens to ---------------------------------------

    async def _fire(self, workflow_id: int, fire_time: datetime) -> None:
        """The job: start the run for `fire_time`, then set the next fire (on the worker)."""
        if self._worker is not None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._worker, self._fire_blocking, workflow_id, fire_time)

    def _fire_blocking(self, workflow_id: int, fire_time: datetime) -> None:
        try:
            row = _load(workflow_id)
            if row is not None and _is_scheduled(row):
                run_id, created = start_run(row, trigger_type="schedule", scheduled_for=fire_time)
                if not created:  # the unique (workflow, scheduled_for) key held: say so
                    log.warning(
                        "schedule slot %s of workflow %s already has run %s: not fired twice",
                        fire_time.isoformat(),
                        workflow_id,
                        run_id,
                    )
        finally:
            self._sync_logged(workflow_id, False, fire_time)

    def _on_changed(self, event: Event) -> None:
        workflow_id = event.data.get("workflow_id")
        if isinstance(workflow_id, int):
            self._in_worker(workflow_id, False)

    def _on_missed(self, event: JobExecutionEvent) -> None:
        if event.job_id.startswith(JOB_PREFIX):
            log.warning(
                "schedule job %s fired over %d s late; treating it as downtime",
                event.job_id,
                GRACE_S,
            )
            self._in_worker(int(event.job_id.removeprefix(JOB_PREFIX)), True)

    def _on_skipped(self, event: JobEvent) -> None:
        """A fire APScheduler skipped (instances still running) is a missed fire: its date job
        is gone, so set the schedule again under the workflow's misfire policy."""
        if event.job_id.startswith(JOB_PREFIX):
            log.warning("schedule job %s skipped while a fire was running", event.job_id)
            self._in_worker(int(event.job_id.removeprefix(JOB_PREFIX)), True)

    def _in_worker(self, workflow_id: int, recovering: bool) -> None:
        worker = self._worker
        if worker is not None:
            # RuntimeError: shut down meanwhile; the next start-up syncs every row anyway.
            with contextlib.suppress(RuntimeError):
                worker.submit(self._sync_logged, workflow_id, recovering)

    def _sync_logged(
        self, workflow_id: int, recovering: bool, fired: datetime | None = None
    ) -> None:
        try:
            self.sync(workflow_id, recovering=recovering, fired=fired)
        except Exception:
            log.exception("could not sync the schedule of workflow %s", workflow_id)
