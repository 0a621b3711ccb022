"""Alert channels (one module each, registered by name) and their delivery off the bus.

Importing this package registers every channel; `app.alerts.base` has the interface,
`app.alerts.delivery` the dispatcher that turns engine events into deliveries.
"""

from __future__ import annotations

from app.alerts import email, in_app, slack, telegram, webhook  # noqa: F401  (registration)
from app.alerts.base import ChannelType, SendResult, Target, channel_types, get_channel

__all__ = ["ChannelType", "SendResult", "Target", "channel_types", "get_channel"]
