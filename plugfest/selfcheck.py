"""`plugfest selfcheck`: our reference CPO and eMSP simulator, each judged by the other role's
suite, on loopback. The README's main job (`nox -s conformance`) runs exactly this.

Each party runs as its own `plugfest ... serve` process on a free port, with a throw-away data
directory and secrets generated for the run; TOKEN_As come from its admin API.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from conformance.mint import mint
from simulator.platform.loopback import free_port, stop_process

console = Console()
# More Locations than the CPO's X-Limit (100), so that lists really span pages and a limit
# above the maximum can be seen to be capped (§4.1.4.1).
SEED_LOCATIONS = 150
# The CPO's simulated charge points, quick (all are settings, .env.example): they answer in 0.1 s,
# the EV starts charging 1 s after a session is made (PENDING, then ACTIVE with start_date_time
# reset, §9.3.1: a reset the judge can tell from none, SES-007; sessions move every 0.5 s), and
# results are announced within 10 s (§13.3.2); the judge still waits for and times every
# callback, so nothing it checks is made easier, only shorter.
CPO_BACKEND = {
    "BACKEND_CHARGE_POINT_DELAY_SECONDS": "0.1",
    "BACKEND_PLUG_IN_SECONDS": "1",
    "BACKEND_TICK_SECONDS": "0.5",
    "BACKEND_COMMAND_TIMEOUT_SECONDS": "10",
}


@dataclass(frozen=True)
class Party:
    role: str  # "cpo" or "emsp": the target role it plays
    base_url: str
    admin_token: str
    admin_env: str

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/ocpi/versions"


def _environment(role: str, data: Path, port: int, admin: str) -> dict[str, str]:
    prefix = "EMSP_" if role == "emsp" else ""
    values = {
        "PLUGFEST_MODE": "development",
        "OCPI_BASE_URL": f"http://127.0.0.1:{port}",
        "DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite+aiosqlite:///{data / f'{role}.db'}",
        "ADMIN_TOKEN": admin,
        "TOKEN_HMAC_SECRET": secrets.token_urlsafe(32),
    }
    if role == "cpo":
        values.update(CPO_BACKEND)
    return {**os.environ, **{prefix + key: value for key, value in values.items()}}


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} was not healthy within {timeout} s")


def _give_tokens(party: Party, count: int = 12) -> None:
    """A real eMSP has drivers: Tokens of every type, one blocked, created one after another so
    their last_updated differ (the judge's date windows need that)."""
    kinds = ("RFID", "APP_USER", "AD_HOC_USER", "OTHER")
    for n in range(count):
        body: dict[str, object] = {"valid": n != 3, "whitelist": "ALLOWED" if n % 2 else "NEVER"}
        request = urllib.request.Request(  # noqa: S310 - our own loopback party
            f"{party.base_url}/admin/emsp/tokens/PLUGFEST-{n:04d}?type={kinds[n % len(kinds)]}",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {party.admin_token}",
                     "Content-Type": "application/json"},
            method="PUT",
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            time.sleep(0.005)


@contextmanager
def serve(role: str, workdir: Path, seed: bool, faults: tuple[str, ...] = ()) -> Iterator[Party]:
    """Our party of `role` as its own process on a free port, data under `workdir`; `faults`
    are planted (simulator/platform/planted.py; the self-test's combinations)."""
    port, admin = free_port(), secrets.token_urlsafe(24)
    data = workdir / role
    data.mkdir(parents=True)
    env = _environment(role, data, port, admin)
    if faults:
        env[("EMSP_" if role == "emsp" else "") + "PLUGFEST_FAULTS"] = ",".join(faults)
    if seed:
        seed_command = ["plugfest", "db", "seed", "--locations", str(SEED_LOCATIONS)]
        subprocess.run(  # noqa: S603 - our own CLI
            [sys.executable, "-m", *seed_command], env=env, check=True, capture_output=True
        )
    log = (workdir / f"{role}.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "plugfest", role, "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        party = Party(
            role,
            f"http://127.0.0.1:{port}",
            admin,
            "EMSP_ADMIN_TOKEN" if role == "emsp" else "ADMIN_TOKEN",
        )
        _wait_healthy(party.base_url, process)
        if role == "emsp":
            _give_tokens(party)
        yield party
    finally:
        stop_process(process)
        log.close()


def hook_options(party: Party) -> list[str]:
    """The hooks for our parties, through their admin APIs (the admin token from the
    environment): minting and revoking TOKEN_As (conformance/mint.py), and the act hook
    (conformance/act.py): our eMSP sends commands and pushes Tokens, our CPO has a driver swipe
    a Token and issues a credit CDR."""
    admin = f"--admin-token-env {party.admin_env}"
    tokens = f"{sys.executable} -m conformance.mint {party.base_url}"
    act = f"{sys.executable} -m conformance.act {party.base_url} {{action}} --role {party.role}"
    return ["--mint-token-command", f"{tokens} --ttl {{ttl}} {admin}",
            "--revoke-token-command", f"{tokens} --revoke {admin}",
            "--act-command", f"{act} {admin}"]  # fmt: skip


def judge(party: Party, report_dir: Path, hypothesis_profile: str) -> int:
    token = mint(party.base_url, party.admin_token, 1800, "selfcheck")
    console.rule(f"{party.role.upper()} at {party.base_url}")
    done = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "plugfest", "check", "--role", party.role,
         "--versions-url", party.versions_url, "--token", token,
         "--report-dir", str(report_dir), *hook_options(party),
         "--hypothesis-profile", hypothesis_profile],
        env={**os.environ, party.admin_env: party.admin_token},
    )  # fmt: skip
    return done.returncode


def run(report_dir: Path, hypothesis_profile: str, roles: tuple[str, ...]) -> int:
    started = time.monotonic()
    codes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="plugfest-selfcheck-") as tmp, ExitStack() as stack:
        parties = [
            stack.enter_context(serve(role, Path(tmp), seed=role == "cpo")) for role in roles
        ]
        for party in parties:
            codes[party.role] = judge(party, report_dir, hypothesis_profile)
    elapsed = time.monotonic() - started
    for role, code in codes.items():
        verdict = "[green]PASS[/green]" if code == 0 else f"[red]FAIL ({code})[/red]"
        console.print(f"{role.upper()}: {verdict}")
    console.print(f"reports: {report_dir / 'index.html'}  ({elapsed:.0f} s)")
    return 0 if all(code == 0 for code in codes.values()) else 1
