"""Importing this package registers every page."""

from app.ui.pages import auth, sections, status, users

__all__ = ["auth", "sections", "status", "users"]
