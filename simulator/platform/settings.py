"""Settings of a party, from the environment (and `.env`); see `.env.example`.

Development mode (the default) generates what is missing and keeps it in the data directory, so
tokens hashed under the secret stay verifiable across restarts; production mode refuses to start
without `TOKEN_HMAC_SECRET` and `ADMIN_TOKEN`, or with a plain-http base URL.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from simulator.platform.planted import check_names

logger = logging.getLogger(__name__)

Mode = Literal["development", "production"]


class SettingsError(RuntimeError):
    """The settings cannot run a party (production without secrets, and the like)."""


class PartySettings(BaseSettings):
    """One OCPI party (the CPO or the eMSP simulator)."""

    # An empty value (`ADMIN_TOKEN=`) counts as unset, never as an empty secret.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, env_ignore_empty=True
    )

    plugfest_mode: Mode = "development"
    ocpi_base_url: str = "http://127.0.0.1:9000"
    ocpi_country_code: str = Field("NL", pattern=r"^[A-Za-z]{2}$")
    ocpi_party_id: str = Field("PLF", pattern=r"^[A-Za-z0-9]{3}$")
    ocpi_business_name: str = Field("Plugfest Reference CPO", max_length=100)
    ocpi_business_website: str | None = None
    token_hmac_secret: SecretStr | None = None
    admin_token: SecretStr | None = None
    database_url: str | None = None
    data_dir: Path = Path("data")
    # Errata 8.1: some partners send the raw token instead of its Base64; off by default.
    ocpi_accept_raw_tokens: bool = False
    request_max_body_size: int = 1_048_576
    # Module identifiers a partner must publish for registration to succeed (3003 otherwise).
    ocpi_required_partner_modules: tuple[str, ...] = ("credentials",)
    http_timeout_seconds: float = 10.0
    # The outbox worker (pushes to partners): polling, retry backoff (initial delay doubling up
    # to the cap, each delay shortened by up to `jitter` of itself), the claim lease (longer
    # than a delivery may take: at least twice http_timeout_seconds) and the claim batch size.
    outbox_worker_enabled: bool = True
    outbox_poll_interval_seconds: float = Field(0.5, gt=0)
    outbox_backoff_initial_seconds: float = Field(1.0, gt=0)
    outbox_backoff_max_seconds: float = Field(300.0, gt=0)
    outbox_backoff_jitter: float = Field(0.2, ge=0, lt=1)
    outbox_lease_seconds: float = Field(60.0, gt=0)
    outbox_batch_size: int = Field(50, ge=1, le=1000)
    # Planted faults for the self-test (simulator/platform/planted.py): `PLUGFEST_FAULTS=a,b`.
    plugfest_faults: Annotated[frozenset[str], NoDecode] = frozenset()

    @field_validator("plugfest_faults", mode="before")
    @classmethod
    def _split_faults(cls, value: object) -> object:
        return value.split(",") if isinstance(value, str) else value

    @model_validator(mode="after")
    def _known_faults(self) -> PartySettings:
        check_names(self.plugfest_faults, self.role_name)
        return self

    @property
    def planted_faults(self) -> frozenset[str]:
        return frozenset(n.strip() for n in self.plugfest_faults if n.strip())

    @property
    def role_name(self) -> str:
        return "cpo"

    @property
    def versions_url(self) -> str:
        return f"{self.ocpi_base_url.rstrip('/')}/ocpi/versions"

    @property
    def version_details_url(self) -> str:
        return f"{self.ocpi_base_url.rstrip('/')}/ocpi/2.2.1"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / f'{self.role_name}.db'}"

    def hmac_secret(self) -> bytes:
        if self.token_hmac_secret is None:
            raise SettingsError("TOKEN_HMAC_SECRET is not set (call with_generated_secrets())")
        return self.token_hmac_secret.get_secret_value().encode()

    def with_generated_secrets(self) -> PartySettings:
        """Check the mode's rules; in development, fill missing secrets from the data directory."""
        if self.plugfest_mode == "production":
            missing = [
                name
                for name, value in (
                    ("TOKEN_HMAC_SECRET", self.token_hmac_secret),
                    ("ADMIN_TOKEN", self.admin_token),
                )
                if value is None
            ]
            if missing:
                raise SettingsError(f"production mode needs {', '.join(missing)}")
            if urlsplit(self.ocpi_base_url).scheme != "https":
                raise SettingsError("production mode needs an https OCPI_BASE_URL (§4.1.1: TLS)")
            if self.planted_faults:  # some switch authentication checks off
                raise SettingsError("production mode refuses planted faults (PLUGFEST_FAULTS): "
                                    f"{', '.join(sorted(self.planted_faults))}")  # fmt: skip
            return self
        if self.token_hmac_secret is not None and self.admin_token is not None:
            return self
        stored = _development_secrets(self.data_dir / f"{self.role_name}-dev-secrets.env")
        return self.model_copy(
            update={
                "token_hmac_secret": self.token_hmac_secret
                or SecretStr(stored["TOKEN_HMAC_SECRET"]),
                "admin_token": self.admin_token or SecretStr(stored["ADMIN_TOKEN"]),
            }
        )


def _development_secrets(path: Path) -> dict[str, str]:
    """Read, or create once (mode 0600), the generated development secrets."""
    if path.exists():
        pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
        return {key.strip(): value.strip() for key, value in pairs}
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {
        "TOKEN_HMAC_SECRET": secrets.token_urlsafe(32),
        "ADMIN_TOKEN": secrets.token_urlsafe(32),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.writelines(f"{key}={value}\n" for key, value in values.items())
    logger.warning(
        "DEVELOPMENT MODE: generated TOKEN_HMAC_SECRET and ADMIN_TOKEN and stored them in %s "
        "(read ADMIN_TOKEN there for the admin API; set both in production)",
        path,
    )
    return values
