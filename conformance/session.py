"""A judging run: configuration, recorder, ledger, client, counterpart, target discovery."""

from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import dataclass, field
from typing import Any

from conformance.checks.transport import check_exchange
from conformance.client import JudgeClient, Recorder, Reply
from conformance.config import JudgeConfig
from conformance.counterpart import Counterpart
from conformance.verdicts import Ledger
from specs.catalogue import default_catalogue

ACT_TIMEOUT_SECONDS = 60
ACT_UNSUPPORTED = 3  # the act hook's exit code for "the target cannot do this action"


class ActUnsupported(RuntimeError):
    """The act hook says the target cannot do the action (exit 3)."""


class ActFailed(RuntimeError):
    """The act hook failed: the target did not act (a test that needs it errors)."""


@dataclass
class Registration:
    """Our standing registration with the target (token C and its endpoints)."""

    token: str = field(repr=False)  # secrets stay out of reprs: pytest prints them on failure
    endpoints: list[dict[str, str]]
    handle: str | None = None
    credentials: dict[str, Any] = field(default_factory=dict, repr=False)
    token_b: str = field(default="", repr=False)

    def endpoint(self, module: str, role: str | None = None) -> str | None:
        for entry in self.endpoints:
            if entry.get("identifier") == module and (role is None or entry.get("role") == role):
                return entry.get("url")
        return None


class Judge:
    """Everything a run shares; one per pytest session."""

    def __init__(self, config: JudgeConfig) -> None:
        self.config = config
        self.catalogue = default_catalogue()
        self.ledger = Ledger(self.catalogue, strict=config.strict)
        self.recorder = Recorder()
        label = "TOKEN_A" if config.token_kind == "bootstrap" else "token C"
        self.recorder.secret(config.token, label)
        routing = {
            "OCPI-from-country-code": config.party[0],
            "OCPI-from-party-id": config.party[1],
        }
        self.client = JudgeClient(
            self.recorder,
            lambda exchange, body, module: check_exchange(self.ledger, exchange, body, module),
            routing=routing,
        )
        self._counterpart: Counterpart | None = None
        self.registration: Registration | None = None
        self.details: Reply | None = None
        self.seed: str | None = None

    def counterpart_url(self) -> str | None:
        return self._counterpart.public_url if self._counterpart else None

    # --- the opposite party --------------------------------------------------------------------

    @property
    def counterpart(self) -> Counterpart:
        if self._counterpart is None:
            self._counterpart = Counterpart(
                self.config.role,
                self.recorder,
                host=self.config.counterpart_host,
                port=self.config.counterpart_port,
                public_url=self.config.counterpart_url,
            )
            self._counterpart.start()
        return self._counterpart

    def close(self) -> None:
        self.client.close()
        if self._counterpart is not None:
            self._counterpart.stop()

    # --- the target ----------------------------------------------------------------------------

    def get(self, url: str, module: str, token: str | None, **kwargs: Any) -> Reply:
        return self.client.request("GET", url, module=module, token=token, **kwargs)

    def discover(self, token: str) -> dict[str, str]:
        """Versions, then 2.2.1 details: {module/ROLE: url} (raises if the target lacks them)."""
        versions = self.get(self.config.versions_url, "versions", token)
        entries = versions.data if isinstance(versions.data, list) else []
        url = next((v.get("url") for v in entries if isinstance(v, dict)
                    and v.get("version") == "2.2.1"), None)  # fmt: skip
        if not isinstance(url, str):
            raise RuntimeError(f"the target offers no OCPI 2.2.1 at {self.config.versions_url}")
        self.details = self.get(url, "versions", token)
        endpoints = (self.details.data or {}).get("endpoints", [])
        return {f"{e.get('identifier')}/{e.get('role')}": e.get("url") for e in endpoints}

    def details_endpoints(self) -> list[dict[str, str]]:
        data = self.details.data if self.details else None
        endpoints = data.get("endpoints") if isinstance(data, dict) else None
        return [e for e in endpoints or [] if isinstance(e, dict)]

    def credentials_url(self) -> str:
        for entry in self.details_endpoints():
            if entry.get("identifier") == "credentials":
                return str(entry.get("url"))
        raise RuntimeError("the target's version details list no credentials endpoint")

    def mint(self, ttl_seconds: int = 600) -> str | None:
        """A fresh TOKEN_A from the target's hook, or None when no hook was given."""
        command = self.config.mint_token_command
        if not command:
            return None
        line = command.replace("{ttl}", str(ttl_seconds))
        result = subprocess.run(  # noqa: S603 - the operator's own hook
            shlex.split(line), capture_output=True, text=True, timeout=120, check=True
        )
        token = [part for part in result.stdout.splitlines() if part.strip()][-1].strip()
        return self.recorder.secret(token, f"TOKEN_A#{len(self.recorder.labels)}")

    def act(self, action: str, parameters: dict[str, Any]) -> dict[str, Any] | None:
        """Make the target act through --ocpi-act-command (README, "the act hook"): the command
        with `{action}` replaced, `parameters` as JSON on stdin. None when no hook was given;
        `ActUnsupported` on exit 3; `ActFailed` on any other failure. What the hook printed on
        stdout, if a JSON object, is returned (ids the target chose)."""
        command = self.config.act_command
        if not command:
            return None
        line = command.replace("{action}", shlex.quote(action))
        try:
            done = subprocess.run(  # noqa: S603 - the operator's own hook
                shlex.split(line), input=json.dumps(parameters), capture_output=True,
                text=True, timeout=ACT_TIMEOUT_SECONDS, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ActFailed(f"act hook {action}: {type(exc).__name__}: {exc}") from exc
        said = self.recorder.redact(done.stderr.strip()[-600:]) or "no message"
        if done.returncode == ACT_UNSUPPORTED:
            raise ActUnsupported(f"the target cannot {action}: {said}")
        if done.returncode != 0:
            raise ActFailed(f"act hook {action} exited {done.returncode}: {said}")
        try:
            printed = json.loads(done.stdout) if done.stdout.strip() else {}
        except ValueError:
            printed = {}
        return printed if isinstance(printed, dict) else {}

    def token_b(self) -> tuple[str, str]:
        """(handle, token B): a token our counterpart accepts from the target from now on."""
        handle, token_b = self.counterpart.expect_registration(self.config.versions_url)
        self.recorder.secret(token_b, f"token B#{handle[:8]}")
        return handle, token_b

    def send_credentials(self, method: str, token: str, token_b: str | None = None) -> Reply:
        """POST or PUT our Credentials (with `token_b`) to the target, or DELETE them."""
        body = self.counterpart.credentials(token_b) if token_b else None
        return self.client.request(
            method, self.credentials_url(), module="credentials", token=token, json=body
        )

    def accept(self, reply: Reply, handle: str, token_b: str) -> Registration | None:
        """After a successful POST/PUT: token C from the answer, our counterpart told of it."""
        data = reply.data if isinstance(reply.data, dict) else None
        if reply.status != 200 or reply.ocpi_status != 1000 or not data:
            return None
        if not isinstance(data.get("token"), str):
            return None
        token_c = self.recorder.secret(data["token"], f"token C#{handle[:8]}")
        self.counterpart.activate(handle, token_c, list(data.get("roles") or []))
        return Registration(token_c, self.details_endpoints(), handle, data, token_b)

    def register(self, token_a: str) -> tuple[Reply, Registration | None]:
        """The handshake as the client (§7.1.1) with our counterpart's versions and token B."""
        handle, token_b = self.token_b()
        reply = self.send_credentials("POST", token_a, token_b)
        return reply, self.accept(reply, handle, token_b)
