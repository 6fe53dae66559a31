"""The generated pydantic models agree with the YAML they were generated from.

Property: any instance Hypothesis draws from a component schema is accepted by the model of the
same name, and what the model dumps back still validates against the YAML.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pydantic import TypeAdapter

import specs.models
from specs import contract

OBJECTS = [
    name
    for name, schema in contract.components()["schemas"].items()
    if schema.get("type") == "object" and not name.endswith(("Response", "Envelope"))
]
ENVELOPES = ["ErrorResponse", "LocationResponse", "CredentialsResponse"]


def test_every_object_and_enum_has_a_model() -> None:
    """Primitive aliases (CountryCode, DateTime, ...) are inlined into fields."""
    schemas = contract.components()["schemas"]
    named = [n for n, s in schemas.items() if s.get("type") == "object" or "enum" in s]
    assert len(named) == 56 + 34 + 5 + 23  # objects, enums, PATCH bodies, envelopes
    assert [name for name in named if not hasattr(specs.models, name)] == []


def _strategy(name: str) -> st.SearchStrategy[Any]:
    schema = contract.schema_for(name)
    del schema["$schema"]  # hypothesis-jsonschema reads the draft-7 subset these schemas use
    return from_schema(schema)


@pytest.mark.parametrize("name", OBJECTS + ENVELOPES)
def test_generated_instances_round_trip_through_the_model(name: str) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(getattr(specs.models, name))

    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(_strategy(name))
    def round_trip(instance: Any) -> None:
        model = adapter.validate_python(instance)
        dumped = adapter.dump_python(model, mode="json", exclude_unset=True, by_alias=True)
        assert contract.errors(dumped, name) == []

    round_trip()


def test_models_reject_what_the_yaml_rejects() -> None:
    """A spot check the other way round: the models carry the YAML's constraints."""
    location = TypeAdapter(specs.models.GeoLocation)
    with pytest.raises(ValueError, match="pattern"):
        location.validate_python({"latitude": "51.04", "longitude": "3.72"})
    with pytest.raises(ValueError, match="Extra inputs"):
        TypeAdapter(specs.models.DisplayText).validate_python(
            {"language": "en", "text": "x", "colour": "red"}
        )
