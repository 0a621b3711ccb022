"""In-app notifications as a service: per recipient, unread counts, and each user's own."""

from __future__ import annotations

import pytest

from app.core.errors import NotFound, PermissionDenied
from app.engine.bus import bus
from app.services import alerts, notifications
from app.services.actor import SYSTEM, Actor
from app.services.users import set_active


async def test_read_and_unread_are_kept_per_user(member: Actor, admin: Actor) -> None:
    alert = alerts.create_alert(member, {"alertType": "in_app", "events": ["workflow_fail"]})
    published: list = []
    bus.subscribe("notification.", published.append)
    try:
        for _ in range(3):
            assert (await alerts.send_test(member, alert["id"]))["status"] == "delivered"
        assert [e.name for e in published] == ["notification.created"] * 6

        assert notifications.unread_count(member) == notifications.unread_count(admin) == 3
        mine = notifications.list_notifications(member)
        theirs = notifications.list_notifications(admin)
        assert mine["total"] == 3 and mine["unread"] == 3
        first, *_ = mine["items"]
        assert first["title"] == f"Test message for alert “{alert['name']}”"
        assert first["link"] == "/admin/alerts" and first["severity"] == "info"

        with pytest.raises(NotFound):
            notifications.mark_read(member, theirs["items"][0]["id"])
        with pytest.raises(NotFound):
            notifications.mark_read(member, 9999)
        read = notifications.mark_read(member, first["id"])
        again = notifications.mark_read(member, first["id"])
        assert read["read"] and again["read_at"] == read["read_at"]
        assert published[-1].name == "notification.read"
        assert published[-1].data == {"user_id": member.user_id, "unread": 2}
        assert notifications.unread_count(member) == 2 and notifications.unread_count(admin) == 3

        unread = notifications.list_notifications(member, unread_only=True)
        assert unread["total"] == 2 and first["id"] not in {n["id"] for n in unread["items"]}
        assert notifications.mark_all_read(member) == {"marked": 2, "unread": 0}
        assert notifications.unread_count(member) == 0 and notifications.unread_count(admin) == 3
        page = notifications.list_notifications(admin, limit=2, offset=2)
        assert page["total"] == 3 and len(page["items"]) == 1
    finally:
        bus.unsubscribe(published.append)


def test_the_system_actor_has_no_notifications(db) -> None:
    with pytest.raises(PermissionDenied):
        notifications.list_notifications(SYSTEM)


async def test_no_recipient_left_is_a_failed_delivery(member: Actor) -> None:
    alert = alerts.create_alert(
        member,
        {"alertType": "in_app", "events": ["workflow_fail"],
         "config": {"recipients": [member.user_id]}},
    )  # fmt: skip
    set_active(SYSTEM, member.user_id or 0, False)
    result = await alerts.send_test(member, alert["id"])
    assert result["status"] == "failed" and "no active recipient" in result["error"]
