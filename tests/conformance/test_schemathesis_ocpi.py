"""OCPI's readings for schemathesis (conformance/schemathesis_ocpi.py)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation

from conformance import schemathesis_ocpi


def _case(body: Any = None, query: Any = None, broken: tuple[str, ...] = ()) -> Any:
    components = {ParameterLocation(where): SimpleNamespace(mode=GenerationMode.NEGATIVE)
                  for where in broken}  # fmt: skip
    mode = GenerationMode.NEGATIVE if broken else GenerationMode.POSITIVE
    meta = SimpleNamespace(generation=SimpleNamespace(mode=mode), components=components)
    return SimpleNamespace(body=body, query=query, meta=meta)


def _response(status: int, body: Any) -> Any:
    return SimpleNamespace(status_code=status, content=json.dumps(body).encode())


def test_a_fuzzed_response_url_goes_nowhere() -> None:
    case = _case(body={"response_url": "http://partner.example/", "x": 1},
                 query={"response_url": "A:0", "duration": 5})  # fmt: skip
    mapped = schemathesis_ocpi.map_case(None, case)
    assert mapped.body == {"response_url": schemathesis_ocpi.NOWHERE, "x": 1}
    assert mapped.query == {"response_url": schemathesis_ocpi.NOWHERE, "duration": 5}


@pytest.mark.parametrize(
    ("broken", "judged"),
    [(("body",), True), (("body", "header"), True), (("query",), False), (("path",), False),
     ((), False)],
)  # fmt: skip
def test_only_a_broken_body_is_judged(broken: tuple[str, ...], judged: bool) -> None:
    assert schemathesis_ocpi.judged_input(_case(broken=broken)) is judged


def test_an_error_without_envelope_is_read_as_a_refusal_and_said_so() -> None:
    case = _case(broken=("body",))
    assert schemathesis_ocpi.bare_refusal(case, _response(200, {"error": "role: bad enum"}))
    assert not schemathesis_ocpi.bare_refusal(case, _response(200, {"status_code": 1000}))
    assert not schemathesis_ocpi.bare_refusal(_case(), _response(200, {"error": "x"}))


def test_the_chargingprofiles_delete_is_no_use_after_free() -> None:
    (operation,) = schemathesis_ocpi.OPERATIONS
    assert operation["checks"] == {"use_after_free": {"enabled": False}}
