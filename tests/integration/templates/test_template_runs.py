"""Every built-in template runs end to end on the real engine: made from the template with
loopback connections, started as its trigger would (a webhook call, an article status, a run
by hand for a schedule), its approvals decided and its waits resumed through the REST API as a
person or a system would, until the execution succeeds; each scenario then checks what the
counterparts received (tests/integration/templates/scenarios/)."""

from __future__ import annotations

import pytest

from tests.integration.templates import scenarios  # noqa: F401  (registers every scenario)
from tests.integration.templates.helpers import SCENARIOS, TEMPLATE_IDS, Run


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
async def test_the_template_runs_end_to_end(template_id: str, run: Run) -> None:
    scenario = SCENARIOS.get(template_id)
    assert scenario is not None, f"no end-to-end scenario for {template_id}"
    await scenario(run)
