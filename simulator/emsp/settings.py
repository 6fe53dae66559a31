"""The eMSP simulator's settings: the platform's, read with the prefix `EMSP_`, so the eMSP's
`EMSP_OCPI_BASE_URL`, `EMSP_DATABASE_URL`, `EMSP_ADMIN_TOKEN`... live beside the CPO's
unprefixed variables in one shell (and one `.env`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from simulator.platform.settings import PartySettings


class EmspSettings(PartySettings):
    """Defaults: http://127.0.0.1:9001, NL/PFE, data/emsp.db, data/emsp-dev-secrets.env."""

    model_config = SettingsConfigDict(env_prefix="EMSP_")

    ocpi_base_url: str = "http://127.0.0.1:9001"
    ocpi_party_id: str = Field("PFE", pattern=r"^[A-Za-z0-9]{3}$")
    ocpi_business_name: str = Field("Plugfest eMSP simulator", max_length=100)
    #: Fault modes active from the start (see simulator/emsp/faults.py), e.g. "slow,5xx".
    faults: str = ""
    fault_slow_seconds: float = Field(2.0, ge=0)
    #: Longer than a client's timeout (the platform's own default is 10 s).
    fault_timeout_seconds: float = Field(30.0, ge=0)

    @property
    def role_name(self) -> str:
        return "emsp"
