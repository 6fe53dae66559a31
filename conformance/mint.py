"""Mint or revoke a TOKEN_A through a Plugfest party's admin API: fast minting and revoking hooks.

    python -m conformance.mint http://127.0.0.1:9000 --ttl 600   # prints a fresh TOKEN_A
    python -m conformance.mint http://127.0.0.1:9000 --revoke < token   # revokes that TOKEN_A

ADMIN_TOKEN comes from the environment, the token to revoke from stdin: never from argv.
Standard library only (its admin API client is conformance/act.py's `Admin`, stdlib too), so it
starts in milliseconds: the judge may call it dozens of times.
Other platforms plug in their own commands through `--mint-token-command` and
`--revoke-token-command`.
"""

from __future__ import annotations

import argparse
import os
import sys

from conformance.act import ActError, Admin


def mint(base_url: str, admin_token: str, ttl: int, label: str) -> str:
    minted = Admin(base_url, admin_token).call(
        "POST", "/admin/bootstrap-tokens", {"ttl_seconds": ttl, "label": label}
    )
    return str(minted["token"])


def revoke(base_url: str, admin_token: str, token: str) -> None:
    Admin(base_url, admin_token).call(
        "POST", "/admin/bootstrap-tokens/revocations", {"token": token}
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("base_url", help="the party's base URL (its admin API is under /admin)")
    parser.add_argument("--ttl", type=int, default=600, help="lifetime in seconds")
    parser.add_argument("--label", default="plugfest judge")
    parser.add_argument("--revoke", action="store_true", help="revoke the token read on stdin")
    parser.add_argument("--admin-token-env", default="ADMIN_TOKEN", help="variable to read")
    args = parser.parse_args(argv)
    admin_token = os.environ.get(args.admin_token_env)
    if not admin_token:
        print(f"{args.admin_token_env} is not set", file=sys.stderr)
        return 2
    try:
        if args.revoke:
            revoke(args.base_url, admin_token, sys.stdin.read().strip())
            return 0
        print(mint(args.base_url, admin_token, args.ttl, args.label))
    except (ActError, OSError, KeyError) as exc:
        print(f"{'revoke' if args.revoke else 'mint'}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
