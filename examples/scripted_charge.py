"""A scripted charge against a running CPO, driven through the eMSP simulator (README example).

    python examples/scripted_charge.py --partner PARTNER_ID [--location LOC] [--evse EVSE]

Pushes a token to the CPO, starts a session on the first remotely startable EVSE the eMSP
pulled (or the one given), lets it charge, stops it, and waits for the priced CDR. The eMSP's
admin token comes from EMSP_ADMIN_TOKEN or, in development mode, its data directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import Any

from simulator.emsp.driver import EmspDriver


def admin_token() -> str:
    if token := os.environ.get("EMSP_ADMIN_TOKEN"):
        return token
    secrets = Path(os.environ.get("EMSP_DATA_DIR", "data")) / "emsp-dev-secrets.env"
    for line in secrets.read_text().splitlines():
        if line.startswith("ADMIN_TOKEN="):
            return line.split("=", 1)[1]
    raise SystemExit(f"set EMSP_ADMIN_TOKEN (no {secrets})")


def startable(locations: list[dict[str, Any]]) -> tuple[str, str]:
    for location in locations:
        for evse in location.get("evses") or []:
            capable = "REMOTE_START_STOP_CAPABLE" in (evse.get("capabilities") or [])
            if capable and evse.get("status") == "AVAILABLE":
                return location["id"], evse["uid"]
    raise SystemExit("no AVAILABLE, remotely startable EVSE among the pulled locations")


async def main(args: argparse.Namespace) -> None:
    async with EmspDriver(args.emsp, admin_token()) as driver:
        await driver.pull(args.partner, "locations")
        location_id, evse_uid = (
            (args.location, args.evse)
            if args.location
            else startable(await driver.objects("locations"))
        )
        card = "SCRIPTED-1"  # a driver's RFID card uid, pushed to the CPO first (§12.2.1.2)
        await driver.push_token(card, whitelist="ALWAYS")
        start = await driver.start_session(args.partner, location_id, evse_uid, token_uid=card)
        print("START_SESSION:", start["response"]["result"])
        print("CommandResult:", (await driver.await_command_result(start["id"]))["result"])
        session = await driver.await_session(lambda s: s.get("status") == "ACTIVE", timeout=60)
        print("session", session["id"], "ACTIVE; charging for", args.seconds, "s")
        await asyncio.sleep(args.seconds)
        stop = await driver.stop_session(args.partner, session["id"])
        print("STOP_SESSION:", stop["response"]["result"])
        cdr = await driver.await_cdr(session["id"], timeout=60)
        cost, currency = cdr["total_cost"], cdr["currency"]
        print(f"CDR {cdr['id']}: {cdr['total_energy']:.3f} kWh, {cost['excl_vat']} {currency}"
              f" excl. VAT ({cost.get('incl_vat', '-')} incl.)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--emsp", default=os.environ.get("EMSP_OCPI_BASE_URL", "http://127.0.0.1:9001")
    )
    parser.add_argument("--partner", required=True, help="the CPO's partner id (emsp register)")
    parser.add_argument("--location")
    parser.add_argument("--evse")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to charge")
    asyncio.run(main(parser.parse_args()))
