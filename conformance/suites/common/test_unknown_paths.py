"""A URL that names nothing (§5, TRANS-010): a path below a published functional endpoint that
no module has, asked for with our token C. An unknown object of a module is that module's own
rule (LOC-010, SES-012, ...), judged in its suite."""

from __future__ import annotations

import pytest

from conformance.checks.refusals import check_not_found
from conformance.client import CONFIGURATION_MODULES
from conformance.session import Judge
from conformance.suites.conftest import registered

pytestmark = pytest.mark.phase("modules")

#: Six segments more than any endpoint: no OCPI 2.2.1 route is that deep (§8-§14).
NOWHERE = "PLUGFEST/NO/SUCH/RESOURCE/AT/ALL"


@pytest.mark.rule("TRANS-010")
def test_a_url_that_names_nothing_is_404(judge: Judge) -> None:
    registration = registered(judge, reading=True)
    functional = [e for e in registration.endpoints
                  if e.get("identifier") not in CONFIGURATION_MODULES and e.get("url")]  # fmt: skip
    if not functional:
        pytest.skip("the target publishes no functional endpoint to ask below")
    endpoint = functional[0]
    url = f"{str(endpoint['url']).rstrip('/')}/{NOWHERE}"
    reply = judge.client.request(
        "GET", url, module=str(endpoint["identifier"]), token=registration.token
    )
    check_not_found(judge.ledger, reply)
