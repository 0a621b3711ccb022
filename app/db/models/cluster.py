"""The processes of one Flowdeck installation: each holds a lease it renews (a heartbeat).

A run (and each of its steps) records the lease of the process that ran it, so recovery
interrupts only what a process whose lease expired left running, never a living peer's work
(see `app.core.leases`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db.types import ts_column

LEASE_ID_LENGTH = 32


class WorkerLease(SQLModel, table=True):
    __tablename__ = "worker_lease"

    #: A random id per process start (hex), never reused.
    id: str = Field(primary_key=True, max_length=LEASE_ID_LENGTH)
    host: str = Field(max_length=255)
    pid: int
    role: str = Field(max_length=16)  # "app" (web + engine + scheduler) or "worker"
    #: Kernel boot id and pid namespace: where `pid` means this process (None: unknown).
    instance: str | None = Field(default=None, max_length=64)
    started_at: datetime = Field(sa_column=ts_column(nullable=False))
    heartbeat_at: datetime = Field(sa_column=ts_column(nullable=False))
    expires_at: datetime = Field(sa_column=ts_column(nullable=False, index=True))


class LeaderLease(SQLModel, table=True):
    """Who leads (`name`: "scheduler"): the holder's lease id, until `expires_at` unless
    renewed. Only the leader fires schedules and runs retention (see `app.core.leases`)."""

    __tablename__ = "leader_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=LEASE_ID_LENGTH)
    acquired_at: datetime = Field(sa_column=ts_column(nullable=False))
    expires_at: datetime = Field(sa_column=ts_column(nullable=False))
