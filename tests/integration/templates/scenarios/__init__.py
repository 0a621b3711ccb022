"""The end-to-end run of each built-in template, registered by template id."""

from tests.integration.templates.scenarios import business, content, development, operations, people

__all__ = ["business", "content", "development", "operations", "people"]
