"""Before any verdict: can the target be reached at all? A target that cannot (connection
refused, DNS, TLS, a timeout, a versions URL that does not answer as OCPI) is a usage error:
`plugfest check` prints one line naming what failed and exits 2, with no verdicts (README)."""

from __future__ import annotations

from pathlib import Path

import httpx

from conformance.client import token_header
from conformance.config import UsageError
from conformance.diff import DiffInputError, load_results
from conformance.waivers import load_waivers
from specs.catalogue import default_catalogue


def unusable_files(waivers: Path | None, baseline: Path | None, role: str) -> str | None:
    """Why the waivers or the baseline cannot be used, read before the run: a bad one is a usage
    error now (naming its line), not a crash after the judging."""
    try:
        if waivers is not None:
            load_waivers(Path(waivers), default_catalogue())
        if baseline is not None:
            load_results(Path(baseline), role=role)
    except (UsageError, DiffInputError) as problem:
        return str(problem)
    return None


def unreachable(versions_url: str, token: str, *, timeout: float) -> str | None:
    """One line saying why `versions_url` cannot be judged, or None when it answers as OCPI.
    Only a GET of the versions list is sent: it changes nothing and spends no TOKEN_A."""
    try:
        response = httpx.get(
            versions_url, headers={"Authorization": token_header(token)}, timeout=timeout
        )
    except httpx.InvalidURL as exc:
        return f"{versions_url} is not a usable URL: {exc}"
    except httpx.UnsupportedProtocol:
        return f"{versions_url} is not an http:// or https:// URL"
    except httpx.TimeoutException:
        return f"cannot reach {versions_url}: no answer within {timeout:.0f} s (--max-wait)"
    except httpx.HTTPError as exc:
        return f"cannot reach {versions_url}: {_reason(exc)}"
    if response.status_code in (401, 403):
        return (
            f"{versions_url} refused the token (HTTP {response.status_code}): check --token "
            "and --token-kind (a TOKEN_A may have expired or been spent)"
        )
    try:
        body = response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no Content-Type")
        return (
            f"{versions_url} answered HTTP {response.status_code} with {kind}, not OCPI JSON: "
            "is this the versions URL?"
        )
    if not isinstance(body, dict) or not ({"data", "status_code"} & body.keys()):
        return (
            f"{versions_url} answered HTTP {response.status_code} with JSON that is no OCPI "
            "response (no data, no status_code): is this the versions URL?"
        )
    return None


def _reason(exc: httpx.HTTPError) -> str:
    """The innermost cause, which names the real problem (refused, name resolution, TLS)."""
    cause: BaseException = exc
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    text = str(cause) or type(cause).__name__
    return text.splitlines()[0][:200]
