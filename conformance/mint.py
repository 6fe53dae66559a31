"""Mint a TOKEN_A from a Plugfest party's admin API and print it: a fast minting hook.

    python -m conformance.mint http://127.0.0.1:9000 --ttl 600   # ADMIN_TOKEN from the environment

Standard library only, so it starts in milliseconds: the judge may call it dozens of times.
Other platforms plug in their own command through `--ocpi-mint-token-command`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.request


def mint(base_url: str, admin_token: str, ttl: int, label: str) -> str:
    request = urllib.request.Request(  # noqa: S310 - an operator-given http(s) URL
        base_url.rstrip("/") + "/admin/bootstrap-tokens",
        data=json.dumps({"ttl_seconds": ttl, "label": label}).encode(),
        headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        token: str = json.load(response)["token"]
    return token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("base_url", help="the party's base URL (its admin API is under /admin)")
    parser.add_argument("--ttl", type=int, default=600, help="lifetime in seconds")
    parser.add_argument("--label", default="plugfest judge")
    parser.add_argument("--admin-token-env", default="ADMIN_TOKEN", help="variable to read")
    args = parser.parse_args(argv)
    admin_token = os.environ.get(args.admin_token_env)
    if not admin_token:
        print(f"{args.admin_token_env} is not set", file=sys.stderr)
        return 2
    print(mint(args.base_url, admin_token, args.ttl, args.label))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
