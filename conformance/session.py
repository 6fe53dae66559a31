"""A judging run: configuration, recorder, ledger, client, counterpart, target discovery."""

from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from conformance.checks.objects import single_object
from conformance.checks.transport import check_exchange
from conformance.client import JudgeClient, Recorder, Reply
from conformance.config import JudgeConfig
from conformance.counterpart import Counterpart
from conformance.exchange import Exchange
from conformance.verdicts import Blocked, Ledger, NoAnswer
from specs.catalogue import default_catalogue

ACT_TIMEOUT_SECONDS = 60
HOOK_TIMEOUT_SECONDS = 120  # the minting and revoking hooks
TOKEN_B = "token B"  # the label of each token B the judge hands over (redacted exchanges)
ACT_UNSUPPORTED = 3  # the act hook's exit code for "the target cannot do this action"


class ActUnsupported(RuntimeError):
    """The act hook says the target cannot do the action (exit 3)."""


class HookFailed(RuntimeError):
    """An operator's hook (mint, revoke, act) failed: the judge's error, never the target's."""


class ActFailed(HookFailed):
    """The act hook failed: the target did not act (a test that needs it errors)."""


# §2.3.1: the interface each role typically implements.
TYPICAL = {
    "cpo": {"locations": "SENDER", "sessions": "SENDER", "cdrs": "SENDER", "tariffs": "SENDER",
            "tokens": "RECEIVER", "commands": "RECEIVER", "chargingprofiles": "RECEIVER",
            "hubclientinfo": "RECEIVER"},
    "emsp": {"locations": "RECEIVER", "sessions": "RECEIVER", "cdrs": "RECEIVER",
             "tariffs": "RECEIVER", "tokens": "SENDER", "commands": "SENDER",
             "chargingprofiles": "SENDER", "hubclientinfo": "RECEIVER"},
}  # fmt: skip


@dataclass
class Registration:
    """Our standing registration with the target (token C and its endpoints)."""

    token: str = field(repr=False)  # secrets stay out of reprs: pytest prints them on failure
    endpoints: list[dict[str, str]]
    handle: str | None = None
    credentials: dict[str, Any] = field(default_factory=dict, repr=False)
    token_b: str = field(default="", repr=False)
    ledger: Ledger | None = field(default=None, repr=False, compare=False)
    target_role: str = "cpo"

    def endpoint(self, module: str, role: str | None = None) -> str | None:
        """The URL of `module` in `role`. Lenient reading: where the target's role typically
        implements `role` (§2.3.1) but its details publish the module only in the other role
        (swapped roles, VER-006), that URL is used anyway, and said so."""
        for entry in self.endpoints:
            if entry.get("identifier") == module and (role is None or entry.get("role") == role):
                return entry.get("url")
        other = next((e for e in self.endpoints if e.get("identifier") == module), None)
        if other is None or TYPICAL[self.target_role].get(module) != role:
            return None
        if self.ledger is not None:
            self.ledger.reading(
                "VER-006",
                f"{module} is published as {other.get('role')}, not {role}: its URL is used as "
                f"the {role} interface",
            )
        return other.get("url")


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
            timeout=config.max_wait,
            routing=routing,
        )
        self._counterpart: Counterpart | None = None
        self.registration: Registration | None = None
        self.details: Reply | None = None
        self._endpoints: list[dict[str, str]] | None = None
        # Set once the target refused the minimal Credentials and took the complete ones
        # (CRED-019): every later credentials call sends the complete ones.
        self.complete_credentials = False
        self._moved_lists: dict[str, str] | None = None  # list URLs that work only toggled
        self.seed: str | None = None
        self.options: dict[str, Any] = {}  # the run's options as recorded (no secret)

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
        """Versions, then the 2.2.1 details: {module/ROLE: url}, read as leniently as lets the
        run go on (each reading said under the rule of its deviation); `Blocked` when there is
        nothing to go on with."""
        versions = self.get(self.config.versions_url, "versions", token)
        if versions.status is None:
            raise NoAnswer(versions.exchange)
        url = self._version_url(versions)
        self.details = self.get(url, "versions", token)
        if self.details.status is None:
            raise NoAnswer(self.details.exchange)
        details = single_object(self.ledger, "VER-002", self.details)
        if details is None:
            raise Blocked("the 2.2.1 version details hold no object to read", self.details.exchange)
        self._endpoints = self._read_endpoints(details, self.details.exchange)
        return {f"{e['identifier']}/{e['role']}": e["url"] for e in self._endpoints}

    def _version_url(self, versions: Reply) -> str:
        """The 2.2.1 entry's URL. Lenient readings: a single Version object for the list (VER-001),
        a relative URL resolved against the versions URL (VER-002)."""
        entries = versions.data
        if isinstance(entries, dict):
            self.ledger.reading(
                "VER-001", "the versions data was one Version object; read as a list of one",
                versions.exchange,
            )  # fmt: skip
            entries = [entries]
        found = [v for v in entries if isinstance(v, dict)] if isinstance(entries, list) else []
        url = next((v.get("url") for v in found if v.get("version") == "2.2.1"), None)
        if not isinstance(url, str) or not url:
            raise Blocked(
                f"the versions list at {self.config.versions_url} offers no 2.2.1",
                versions.exchange,
            )
        return self._absolute(url, versions.exchange, "VER-002")

    def _absolute(self, url: str, exchange: Exchange, rule: str) -> str:
        if urlsplit(url).scheme in ("http", "https"):
            return url
        resolved = urljoin(exchange.url, url)
        self.ledger.reading(rule, f"relative URL {url!r} resolved to {resolved}", exchange)
        return resolved

    def _read_endpoints(self, details: dict[str, Any], exchange: Exchange) -> list[dict[str, str]]:
        """The details' endpoints, each with identifier, role and an absolute URL. Lenient
        reading: no credentials endpoint listed (VER-003): the conventional one, the details
        URL + `/credentials`, is tried in its place."""
        endpoints = []
        for entry in details.get("endpoints") or []:
            if isinstance(entry, dict) and isinstance(entry.get("url"), str):
                endpoints.append({
                    "identifier": str(entry.get("identifier")),
                    "role": str(entry.get("role")),
                    "url": self._absolute(entry["url"], exchange, "VER-002"),
                })  # fmt: skip
        if not any(e["identifier"] == "credentials" for e in endpoints):
            guessed = exchange.url.split("?")[0].rstrip("/") + "/credentials"
            self.ledger.reading(
                "VER-003",
                f"the version details list no credentials endpoint; {guessed} is tried instead",
                exchange,
            )
            endpoints.append({"identifier": "credentials", "role": "RECEIVER", "url": guessed})
        return endpoints

    def details_endpoints(self) -> list[dict[str, str]]:
        """The discovered endpoints (discovering them with the run's token if not done yet)."""
        if self._endpoints is None:
            self.discover(self.config.token)
        return list(self._endpoints or [])

    def credentials_url(self) -> str:
        return next(e["url"] for e in self.details_endpoints() if e["identifier"] == "credentials")

    def mint(self, ttl_seconds: int = 600) -> str | None:
        """A fresh TOKEN_A from the target's hook, or None when no hook was given."""
        command = self.config.mint_token_command
        if not command:
            return None
        done = self._run_hook("mint hook", command.replace("{ttl}", str(ttl_seconds)))
        printed = [part.strip() for part in done.stdout.splitlines() if part.strip()]
        if not printed:
            raise HookFailed(f"mint hook printed no token: {self._said(done)}")
        return self.recorder.secret(printed[-1], f"TOKEN_A#{len(self.recorder.labels)}")

    def revoke(self, token: str) -> bool:
        """Revoke a TOKEN_A through --revoke-token-command (the token on stdin, never in argv);
        False when no hook was given. A failing hook raises: the judge's error, not the
        target's."""
        command = self.config.revoke_token_command
        if not command:
            return False
        self._run_hook("revoke hook", command, token)
        return True

    def act(self, action: str, parameters: dict[str, Any]) -> dict[str, Any] | None:
        """Make the target act through --ocpi-act-command (README, "the act hook"): the command
        with `{action}` replaced, `parameters` as JSON on stdin. None when no hook was given;
        `ActUnsupported` on exit 3; `ActFailed` on any other failure. What the hook printed on
        stdout, if a JSON object, is returned (ids the target chose)."""
        command = self.config.act_command
        if not command:
            return None
        line = command.replace("{action}", shlex.quote(action))
        done = self._run_hook(f"act hook {action}", line, json.dumps(parameters),
                              timeout=ACT_TIMEOUT_SECONDS, failure=ActFailed,
                              tolerated=(0, ACT_UNSUPPORTED))  # fmt: skip
        if done.returncode == ACT_UNSUPPORTED:
            raise ActUnsupported(f"the target cannot {action}: {self._said(done)}")
        try:
            printed = json.loads(done.stdout) if done.stdout.strip() else {}
        except ValueError:
            printed = {}
        return printed if isinstance(printed, dict) else {}

    def _run_hook(
        self,
        what: str,
        line: str,
        stdin: str | None = None,
        *,
        timeout: float = HOOK_TIMEOUT_SECONDS,
        failure: type[HookFailed] = HookFailed,
        tolerated: tuple[int, ...] = (0,),
    ) -> subprocess.CompletedProcess[str]:
        """Run an operator's hook: `line` split as a shell would, `stdin` on its standard input
        (secrets go there, never into argv). `failure` (what it said on stderr, redacted) when
        it cannot start, runs past `timeout` or exits with a status not `tolerated`."""
        try:
            done = subprocess.run(  # noqa: S603 - the operator's own hook
                shlex.split(line), input=stdin, capture_output=True, text=True,
                timeout=timeout, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            said = self.recorder.redact(f"{type(exc).__name__}: {exc}")
            raise failure(f"{what}: {said}") from exc
        if done.returncode not in tolerated:
            raise failure(f"{what} exited {done.returncode}: {self._said(done)}")
        return done

    def _said(self, done: subprocess.CompletedProcess[str]) -> str:
        """The end of what a hook wrote on stderr, secrets redacted."""
        return self.recorder.redact(done.stderr.strip()[-600:]) or "no message"

    def token_b(self) -> tuple[str, str]:
        """(handle, token B): a token our counterpart accepts from the target from now on."""
        handle, token_b = self.counterpart.expect_registration(self.config.versions_url)
        self.recorder.secret(token_b, f"{TOKEN_B}#{handle[:8]}")
        return handle, token_b

    def send_credentials(self, method: str, token: str, token_b: str | None = None) -> Reply:
        """POST or PUT our Credentials (with `token_b`) to the target, or DELETE them."""
        complete = self.complete_credentials
        body = self.counterpart.credentials(token_b, complete=complete) if token_b else None
        return self.client.request(
            method, self.credentials_url(), module="credentials", token=token, json=body
        )

    def accept(self, reply: Reply, handle: str, token_b: str) -> Registration | None:
        """After a successful POST/PUT: token C from the answer, our counterpart told of it.
        The answer's token must be a new one, generated by the target, not our token B handed
        back (CRED-001 for POST, CRED-009 for PUT). Lenient reading: such a token is used as
        given (whether it works is judged by the calls made with it)."""
        data = reply.data if isinstance(reply.data, dict) else None
        if reply.status != 200 or reply.ocpi_status != 1000 or not data:
            return None
        if not isinstance(data.get("token"), str):
            return None
        rule = "CRED-009" if reply.exchange.method == "PUT" else "CRED-001"
        if not self.ledger.check(
            rule,
            data["token"] != token_b,
            expected="a new token generated by the target, not the token B we sent (§7.1.1, "
            "§7.2.2, §7.2.3)",
            actual="our own token B handed back",
            exchange=reply.exchange,
        ):
            self.ledger.reading(
                rule, "our own token B, handed back, used as the token to call with", reply.exchange
            )
        token_c = self.recorder.secret(data["token"], f"token C#{handle[:8]}")
        roles = [r for r in data.get("roles") or [] if isinstance(r, dict)]
        try:
            self.counterpart.activate(
                handle, token_c, roles, (self.config.versions_url, self.details_endpoints())
            )
        except Exception as exc:  # our own party refused what the target answered
            raise Blocked(
                f"the judge's counterpart could not take the registration: {exc}", reply.exchange
            ) from exc
        registration = Registration(
            token_c,
            self.details_endpoints(),
            handle,
            data,
            token_b,
            ledger=self.ledger,
            target_role=self.config.role,
        )
        self._settle_list_urls(registration)
        return registration

    def adopt(self) -> Registration:
        """`--token-kind registered`: the given token C stands for a registration made
        elsewhere, with its endpoints as the target publishes them to that token. Our
        counterpart is not part of it (`Registration.handle` is None): the suites that need it
        are skipped (`suites/conftest.registered`)."""
        if self.registration is None:
            registration = Registration(
                self.config.token,
                self.details_endpoints(),
                ledger=self.ledger,
                target_role=self.config.role,
            )
            self._settle_list_urls(registration)
            self.registration = registration
        return self.registration

    def _settle_list_urls(self, registration: Registration) -> None:
        """VER-007: each Sender list the target's role typically serves answers at its URL as
        given. Lenient reading: one that answers only with a trailing slash added or taken away
        is used that way from here on (every suite reads its URLs from the registration).
        Probed once per run, at the first registration; later ones get the same URLs."""
        if self._moved_lists is None:
            self._moved_lists = self._probe_list_urls(registration)
        for entry in registration.endpoints:
            entry["url"] = self._moved_lists.get(entry["url"], entry["url"])

    def _probe_list_urls(self, registration: Registration) -> dict[str, str]:
        moved: dict[str, str] = {}
        for module, role in TYPICAL[self.config.role].items():
            url = registration.endpoint(module, role) if role == "SENDER" else None
            if not url:
                continue
            reply = self.get(url, module, registration.token, params={"limit": 1})
            if reply.status in (None, 200):
                if reply.status == 200:
                    self.ledger.passed("VER-007")
                continue
            toggled = url[:-1] if url.endswith("/") else url + "/"
            retry = self.get(toggled, module, registration.token, params={"limit": 1})
            if retry.status != 200:
                continue  # not a matter of the slash: the module's suite judges the answer
            self.ledger.check(
                "VER-007",
                False,
                expected=f"the {module} list at its URL as given, {url}",
                actual=f"HTTP {reply.status} there; it answers at {toggled}",
                exchange=reply.exchange,
            )
            self.ledger.reading("VER-007", f"the {module} list read at {toggled}", retry.exchange)
            moved[url] = toggled
        return moved

    def register(self, token_a: str) -> tuple[Reply, Registration | None]:
        """The handshake as the client (§7.1.1) with our counterpart's versions and token B,
        first with the minimal valid Credentials. Lenient reading: refused (not for the token,
        not for a 3xxx reason), it is retried with every optional field present; accepted then,
        the refusal is CRED-019's violation and the run goes on registered."""
        handle, token_b = self.token_b()
        reply = self.send_credentials("POST", token_a, token_b)
        registration = self.accept(reply, handle, token_b)
        code = reply.ocpi_status
        if (
            registration is not None
            or reply.status in (None, 401)
            or (isinstance(code, int) and 3000 <= code < 4000)
        ):
            if registration is not None:
                self.ledger.passed("CRED-019")
            return reply, registration
        complete = self.counterpart.credentials(token_b, complete=True)
        retry = self.client.request(
            "POST", self.credentials_url(), module="credentials", token=token_a, json=complete
        )
        registration = self.accept(retry, handle, token_b)
        if registration is None:
            return reply, None  # refused either way: not about optional fields
        self.ledger.check(
            "CRED-019",
            False,
            expected="the minimal spec-valid Credentials accepted (optional fields absent)",
            actual=f"refused with HTTP {reply.status}, OCPI {code}; accepted with every "
            "optional field present",
            exchange=reply.exchange,
        )
        self.ledger.reading(
            "CRED-019",
            "registered with every optional Credentials field present; later credentials "
            "calls send them too",
            retry.exchange,
        )
        self.complete_credentials = True
        return retry, registration
