"""The CPO's catalogue: its Locations (EVSEs and Connectors inside) and Tariffs.

Every change is stored in `platform.documents` (origin OWN) and queued for the partners that
receive the module through `platform.outbox.publish`, in one transaction. Locations, EVSEs and
Connectors are never deleted: an EVSE is retired by status REMOVED (§8.1); only Tariffs support
DELETE (§11.2.2). The catalogue owns `last_updated` (§4.1.5): whatever changed gets the clock's
time, and a changed Connector or EVSE bumps its parents, so that date filters on the Sender
interface find them (§8.2.1.1). Every stored object validates against the YAML contract.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator.platform.clock import ocpi_datetime
from simulator.platform.documents import OWN, Key
from simulator.platform.errors import InvalidParameters, NotFound
from simulator.platform.services import Platform
from specs import contract

LOCATION = "location"
TARIFF = "tariff"
LOCATIONS_MODULE = "locations"
TARIFFS_MODULE = "tariffs"
REMOVED = "REMOVED"

Json = dict[str, Any]


def require_valid(obj: Any, schema: str) -> None:
    """InvalidParameters (2001) unless `obj` conforms to the YAML schema `schema`."""
    problems = contract.errors(obj, schema)
    if problems:
        raise InvalidParameters(f"invalid {schema}: " + "; ".join(problems[:5]))


def push_path(country_code: str, party_id: str, object_id: str, *sub: str) -> str:
    """Below the partner's module endpoint: `/{cc}/{pid}/{object_id}[/...]` (§4.1.5)."""
    return "/" + "/".join([country_code, party_id, object_id, *sub])


def push_key(module: str, country_code: str, party_id: str, object_id: str) -> str:
    """The outbox ordering key: one per Location for its EVSEs and Connectors too, so that
    pushes about one Location are delivered in order."""
    return f"{module}/{country_code.upper()}/{party_id.upper()}/{object_id.upper()}"


def _same(a: Json | None, b: Json | None, *ignored: str) -> bool:
    """Equal apart from `last_updated` and the `ignored` fields."""
    if a is None or b is None:
        return False
    skip = {"last_updated", *ignored}
    return {k: v for k, v in a.items() if k not in skip} == {
        k: v for k, v in b.items() if k not in skip
    }


def _by(items: list[Json] | None, field: str) -> dict[str, Json]:
    return {str(item[field]).upper(): item for item in items or []}


def _unique(items: list[Json], field: str, what: str) -> None:
    ids = [str(item[field]).upper() for item in items]
    if len(set(ids)) != len(ids):
        raise InvalidParameters(f"duplicate {what} {field} values: {ids}")


def stamp_location(new: Json, old: Json | None, now: str) -> Json:
    """Set `last_updated` throughout `new` (in place): `now` where something changed since
    `old`, the old value elsewhere; a changed Connector stamps its EVSE, a changed EVSE the
    Location (§8.2.1.1). EVSEs and Connectors cannot be dropped (§8.1)."""
    old_evses = _by((old or {}).get("evses"), "uid")
    evses: list[Json] = new.get("evses") or []
    _unique(evses, "uid", "EVSE")
    any_evse_changed = False
    for evse in evses:
        before = old_evses.get(str(evse["uid"]).upper())
        before_connectors = _by((before or {}).get("connectors"), "id")
        _unique(evse["connectors"], "id", f"EVSE {evse['uid']} connector")
        changed = not _same(evse, before, "connectors")
        for connector in evse["connectors"]:
            previous = before_connectors.get(str(connector["id"]).upper())
            if previous is not None and _same(connector, previous):
                connector["last_updated"] = previous["last_updated"]
            else:
                connector["last_updated"] = now
                changed = True
        kept = {str(c["id"]).upper() for c in evse["connectors"]}
        if set(before_connectors) - kept:
            raise InvalidParameters(
                f"connectors of EVSE {evse['uid']} cannot be removed (§8.1): "
                f"{sorted(set(before_connectors) - kept)}"
            )
        if changed or before is None:
            evse["last_updated"] = now
            any_evse_changed = True
        else:
            evse["last_updated"] = before["last_updated"]
    dropped = set(old_evses) - {str(e["uid"]).upper() for e in evses}
    if dropped:
        raise InvalidParameters(
            f"EVSEs are never deleted; set status REMOVED instead (§8.1): {sorted(dropped)}"
        )
    if old is None or any_evse_changed or not _same(new, old, "evses"):
        new["last_updated"] = now
    else:
        new["last_updated"] = old["last_updated"]
    return new


@dataclass(frozen=True)
class Change:
    """What a catalogue call did: the stored object (or sub-object), whether it was created,
    and whether anything changed at all (an unchanged PUT is neither stored nor pushed)."""

    obj: Json
    created: bool
    changed: bool


class Catalog:
    """Publish, update and retire our Locations and Tariffs; each change stored and pushed."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        identity = platform.registration.identity
        self.country_code = identity.country_code.upper()
        self.party_id = identity.party_id.upper()

    # --- helpers --------------------------------------------------------------------------------

    def key(self, kind: str, object_id: str) -> Key:
        return Key(kind, OWN, self.country_code, self.party_id, object_id)

    def _path(self, object_id: str, *sub: str) -> str:
        return push_path(self.country_code, self.party_id, object_id, *sub)

    def _object_key(self, module: str, object_id: str) -> str:
        return push_key(module, self.country_code, self.party_id, object_id)

    def _now(self) -> str:
        return ocpi_datetime(self._platform.clock.now())

    def _require_own(self, obj: Json, what: str) -> None:
        owner = (str(obj.get("country_code", "")).upper(), str(obj.get("party_id", "")).upper())
        if owner != (self.country_code, self.party_id):
            raise InvalidParameters(
                f"{what} must belong to {self.country_code}/{self.party_id}, not {owner[0]}/"
                f"{owner[1]}"
            )

    # --- reads --------------------------------------------------------------------------------

    async def location(self, location_id: str) -> Json | None:
        return await self._platform.documents.get(self.key(LOCATION, location_id))

    async def tariff(self, tariff_id: str) -> Json | None:
        return await self._platform.documents.get(self.key(TARIFF, tariff_id))

    # --- Locations (§8) -----------------------------------------------------------------------

    async def put_location(self, location: Json) -> Change:
        """Create or replace a whole Location; pushed as PUT `/{cc}/{pid}/{location_id}`."""
        require_valid(location, "Location")
        self._require_own(location, "the Location")
        platform = self._platform
        key = self.key(LOCATION, location["id"])
        async with platform.database.transaction() as session:
            old = await platform.documents.get(key, session)
            stored = stamp_location(copy.deepcopy(location), old, self._now())
            if old is not None:
                stored["id"] = old["id"]  # ids are immutable (§8.3.1); keep the original case
            require_valid(stored, "Location")
            if stored == old:
                return Change(stored, created=False, changed=False)
            created = await platform.documents.put(key, stored, session)
            await platform.outbox.publish(
                session,
                module=LOCATIONS_MODULE,
                method="PUT",
                path=self._path(stored["id"]),
                body=stored,
                object_key=self._object_key(LOCATIONS_MODULE, stored["id"]),
            )
        return Change(stored, created=created, changed=True)

    async def _update_location(
        self,
        location_id: str,
        change: Callable[[Json], None],
        push: Callable[[Json], tuple[str, list[str], Json]],
    ) -> Change:
        """Load, `change` a copy, stamp, validate, store; push what `push` says
        (method, path below the Location, body). Unknown Location: NotFound."""
        platform = self._platform
        key = self.key(LOCATION, location_id)
        async with platform.database.transaction() as session:
            old = await platform.documents.get(key, session)
            if old is None:
                raise NotFound(f"no Location {location_id}")
            new = copy.deepcopy(old)
            change(new)
            stored = stamp_location(new, old, self._now())
            require_valid(stored, "Location")
            method, sub, body = push(stored)
            if stored == old:
                return Change(body, created=False, changed=False)
            await platform.documents.put(key, stored, session)
            await platform.outbox.publish(
                session,
                module=LOCATIONS_MODULE,
                method=method,
                path=self._path(stored["id"], *sub),
                body=body,
                object_key=self._object_key(LOCATIONS_MODULE, stored["id"]),
            )
        return Change(body, created=False, changed=True)

    @staticmethod
    def _evse(location: Json, evse_uid: str) -> Json:
        for evse in location.get("evses") or []:
            if str(evse["uid"]).upper() == evse_uid.upper():
                found: Json = evse
                return found
        raise NotFound(f"no EVSE {evse_uid} at Location {location['id']}")

    async def put_evse(self, location_id: str, evse: Json) -> Change:
        """Add or replace one EVSE; pushed as PUT `/{cc}/{pid}/{location_id}/{evse_uid}`."""
        require_valid(evse, "EVSE")
        uid = str(evse["uid"]).upper()
        created = False

        def change(location: Json) -> None:
            nonlocal created
            evses: list[Json] = location.setdefault("evses", []) or []
            location["evses"] = evses
            for index, existing in enumerate(evses):
                if str(existing["uid"]).upper() == uid:
                    evses[index] = copy.deepcopy(evse)
                    return
            created = True
            evses.append(copy.deepcopy(evse))

        def push(location: Json) -> tuple[str, list[str], Json]:
            stored = self._evse(location, uid)
            return "PUT", [stored["uid"]], stored

        result = await self._update_location(location_id, change, push)
        return Change(result.obj, created=created, changed=result.changed)

    async def put_connector(self, location_id: str, evse_uid: str, connector: Json) -> Change:
        """Add or replace one Connector; pushed as PUT `.../{evse_uid}/{connector_id}`."""
        require_valid(connector, "Connector")
        cid = str(connector["id"]).upper()
        created = False

        def change(location: Json) -> None:
            nonlocal created
            connectors: list[Json] = self._evse(location, evse_uid)["connectors"]
            for index, existing in enumerate(connectors):
                if str(existing["id"]).upper() == cid:
                    connectors[index] = copy.deepcopy(connector)
                    return
            created = True
            connectors.append(copy.deepcopy(connector))

        def push(location: Json) -> tuple[str, list[str], Json]:
            evse = self._evse(location, evse_uid)
            stored = next(c for c in evse["connectors"] if str(c["id"]).upper() == cid)
            return "PUT", [evse["uid"], stored["id"]], stored

        result = await self._update_location(location_id, change, push)
        return Change(result.obj, created=created, changed=result.changed)

    async def set_evse_status(self, location_id: str, evse_uid: str, status: str) -> Change:
        """Change an EVSE's status; pushed as PATCH `.../{evse_uid}` {status, last_updated}
        (the Receiver cascades `last_updated` to the Location, §8.2.2.3)."""

        def change(location: Json) -> None:
            self._evse(location, evse_uid)["status"] = status

        def push(location: Json) -> tuple[str, list[str], Json]:
            evse = self._evse(location, evse_uid)
            patch = {"status": evse["status"], "last_updated": evse["last_updated"]}
            require_valid(patch, "EVSEPatch")
            return "PATCH", [evse["uid"]], patch

        return await self._update_location(location_id, change, push)

    async def remove_evse(self, location_id: str, evse_uid: str) -> Change:
        """Retire an EVSE: status REMOVED, the only "delete" OCPI has (§8.1, §8.2.2)."""
        return await self.set_evse_status(location_id, evse_uid, REMOVED)

    # --- Tariffs (§11) ------------------------------------------------------------------------

    async def put_tariff(self, tariff: Json) -> Change:
        """Create or replace a Tariff; pushed as PUT `/{cc}/{pid}/{tariff_id}` (§11.2.2.2)."""
        require_valid(tariff, "Tariff")
        self._require_own(tariff, "the Tariff")
        platform = self._platform
        key = self.key(TARIFF, tariff["id"])
        async with platform.database.transaction() as session:
            old = await platform.documents.get(key, session)
            stored = copy.deepcopy(tariff)
            if old is not None:
                stored["id"] = old["id"]
            if old is not None and _same(stored, old):
                return Change(old, created=False, changed=False)
            stored["last_updated"] = self._now()
            require_valid(stored, "Tariff")
            created = await platform.documents.put(key, stored, session)
            await platform.outbox.publish(
                session,
                module=TARIFFS_MODULE,
                method="PUT",
                path=self._path(stored["id"]),
                body=stored,
                object_key=self._object_key(TARIFFS_MODULE, stored["id"]),
            )
        return Change(stored, created=created, changed=True)

    async def delete_tariff(self, tariff_id: str) -> bool:
        """Delete a Tariff; pushed as DELETE `/{cc}/{pid}/{tariff_id}` (§11.2.2.3). False if
        unknown. Connectors still referencing it are the operator's business (RECOMMENDED)."""
        platform = self._platform
        key = self.key(TARIFF, tariff_id)
        async with platform.database.transaction() as session:
            old = await platform.documents.get(key, session)
            if old is None or not await platform.documents.delete(key, session):
                return False
            await platform.outbox.publish(
                session,
                module=TARIFFS_MODULE,
                method="DELETE",
                path=self._path(old["id"]),
                body=None,
                object_key=self._object_key(TARIFFS_MODULE, old["id"]),
            )
        return True
