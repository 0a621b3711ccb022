"""The end-to-end run of each built-in template, registered by template id."""

from tests.integration.templates.scenarios import content, development, operations, people

__all__ = ["content", "development", "operations", "people"]
