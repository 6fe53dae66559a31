"""A Python driver for scripted flows against a running eMSP simulator, through its admin API.

    driver = EmspDriver("http://127.0.0.1:9001", admin_token)
    partner = await driver.register(cpo_versions_url, token_a)
    await driver.push_token("TOKEN1")
    command = await driver.start_session(partner["id"], "LOC1", "EVSE1", token_uid="TOKEN1")
    await driver.await_command_result(command["id"])
    cdr = await driver.await_cdr(session_id, timeout=30)

`client` may be any httpx.AsyncClient (a Litestar AsyncTestClient runs the eMSP in process).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx


class DriverError(RuntimeError):
    """The admin API refused a call; `status` is its HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class EmspDriver:
    def __init__(
        self,
        base_url: str,
        admin_token: str,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        poll_interval: float = 0.1,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {admin_token}"}
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._owns_client = client is None
        self.poll_interval = poll_interval

    async def __aenter__(self) -> EmspDriver:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def _call(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        response = await self._client.request(
            method, f"{self.base_url}{path}", headers=self._headers, json=json, params=params
        )
        if response.status_code >= 400:
            raise DriverError(
                f"{method} {path}: HTTP {response.status_code} {response.text}",
                response.status_code,
            )
        return response.json()

    # --- registration (§7) ------------------------------------------------------------------------

    async def register(self, versions_url: str, token: str) -> dict[str, Any]:
        """Register with a CPO (its versions URL and the TOKEN_A it issued us)."""
        body = {"versions_url": versions_url, "token": token}
        result: dict[str, Any] = await self._call("POST", "/admin/partners", json=body)
        return result

    async def refresh(self, partner_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("POST", f"/admin/partners/{partner_id}/refresh")
        return result

    async def unregister(self, partner_id: str) -> None:
        await self._call("DELETE", f"/admin/partners/{partner_id}")

    async def partners(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call("GET", "/admin/partners")
        return result

    # --- data -------------------------------------------------------------------------------------

    async def pull(self, partner_id: str, module: str | None = None) -> list[dict[str, Any]]:
        """Pull Locations, Sessions, CDRs, Tariffs (or one of them) from a CPO."""
        params = {"partner": partner_id, **({"module": module} if module else {})}
        result: list[dict[str, Any]] = await self._call("POST", "/admin/emsp/pull", params=params)
        return result

    async def push_token(
        self,
        uid: str,
        token_type: str = "RFID",  # noqa: S107
        **fields: Any,
    ) -> dict[str, Any]:
        """Create or replace one of our Tokens and queue its push to the CPOs (§12.2.1.2)."""
        result: dict[str, Any] = await self._call(
            "PUT", f"/admin/emsp/tokens/{uid}", json=fields, params={"type": token_type}
        )
        return result

    async def objects(self, kind: str, partner_id: str | None = None) -> list[dict[str, Any]]:
        params = {"partner": partner_id} if partner_id else None
        result: list[dict[str, Any]] = await self._call(
            "GET", f"/admin/emsp/objects/{kind}", params=params
        )
        return result

    # --- commands (§13) ---------------------------------------------------------------------------

    async def command(self, partner_id: str, command: str, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self._call(
            "POST", f"/admin/emsp/commands/{command}", json=fields, params={"partner": partner_id}
        )
        return result

    async def start_session(
        self,
        partner_id: str,
        location_id: str,
        evse_uid: str | None = None,
        connector_id: str | None = None,
        *,
        token_uid: str,
        authorization_reference: str | None = None,
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"token": token_uid, "location_id": location_id}
        for name, value in (
            ("evse_uid", evse_uid),
            ("connector_id", connector_id),
            ("authorization_reference", authorization_reference),
        ):
            if value is not None:
                fields[name] = value
        return await self.command(partner_id, "START_SESSION", **fields)

    async def stop_session(self, partner_id: str, session_id: str) -> dict[str, Any]:
        return await self.command(partner_id, "STOP_SESSION", session_id=session_id)

    async def command_record(self, ref: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", f"/admin/emsp/commands/{ref}")
        return result

    # --- waiting ----------------------------------------------------------------------------------

    async def _until(self, probe: Callable[[], Any], seconds: float, what: str) -> Any:
        deadline = time.monotonic() + seconds
        while True:
            found = await probe()
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no {what} within {seconds}s")
            await asyncio.sleep(self.poll_interval)

    async def await_command_result(self, ref: str, timeout: float = 30.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The CommandResult the CPO POSTed to our response_url (§13.2.2)."""

        async def probe() -> Any:
            return (await self.command_record(ref)).get("result")

        result: dict[str, Any] = await self._until(probe, timeout, f"CommandResult for {ref}")
        return result

    async def await_session(
        self,
        predicate: Callable[[dict[str, Any]], bool],
        timeout: float = 30.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        async def probe() -> Any:
            return next((s for s in await self.objects("sessions") if predicate(s)), None)

        result: dict[str, Any] = await self._until(probe, timeout, "matching Session")
        return result

    async def await_cdr(self, session_id: str, timeout: float = 30.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The CDR of a session, once a CPO has POSTed it (§10.2.2.2)."""

        async def probe() -> Any:
            cdrs = await self.objects("cdrs")
            return next((c for c in cdrs if c.get("session_id") == session_id), None)

        result: dict[str, Any] = await self._until(probe, timeout, f"CDR of session {session_id}")
        return result

    # --- recorder and faults ----------------------------------------------------------------------

    async def exchanges(
        self, module: str | None = None, since: int | None = None
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {}
        if module:
            params["module"] = module
        if since is not None:
            params["since"] = since
        result: list[dict[str, Any]] = await self._call(
            "GET", "/admin/emsp/exchanges", params=params
        )
        return result

    async def findings(self, module: str | None = None) -> list[dict[str, Any]]:
        params = {"module": module} if module else None
        result: list[dict[str, Any]] = await self._call(
            "GET", "/admin/emsp/findings", params=params
        )
        return result

    async def set_faults(self, **modes: bool) -> dict[str, bool]:
        """`set_faults(slow=True)`; `5xx` has no keyword form: `set_faults(**{"5xx": True})`."""
        result: dict[str, bool] = await self._call("PUT", "/admin/emsp/faults", json=modes)
        return result
