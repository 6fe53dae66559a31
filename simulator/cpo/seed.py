"""A realistic, deterministic demo network for the reference CPO: `plugfest db seed`.

Locations in a few cities of the Netherlands, Germany and Belgium, each with 1 to 4 EVSEs (AC
posts, DC fast chargers, or both) carrying several connector standards and capabilities, and
four Tariffs the connectors reference (energy with a parking fee, time of day, a DC start fee
and energy price by charging power, and a PROFILE_CHEAP night tariff for charging preferences,
§9.3.2, §11.4.7).

The same `random_seed` gives the same network; timestamps lie in the 30 days before `now`,
parents never older than their children (§8.2.1.1). Rows are written in bulk batches inside one
transaction; pushes are queued per object only when a partner receives the module.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from simulator.cpo.catalog import (
    LOCATION,
    LOCATIONS_MODULE,
    TARIFF,
    TARIFFS_MODULE,
    push_key,
    push_path,
    require_valid,
)
from simulator.platform.clock import ocpi_datetime, parse_ocpi_datetime
from simulator.platform.database import Database
from simulator.platform.documents import OWN
from simulator.platform.outbox import Outbox
from simulator.platform.tables import Document, Partner

DEFAULT_LOCATIONS = 30
DEFAULT_SEED = 20260101
BATCH_SIZE = 5000
#: Locations validated against the YAML while seeding; beyond these, the generator is trusted
#: (tests validate the default network in full).
VALIDATE_FIRST = 200

Json = dict[str, Any]


@dataclass(frozen=True)
class City:
    name: str
    country: str  # ISO 3166-1 alpha-3 (§8.3.1)
    time_zone: str
    latitude: float
    longitude: float
    streets: tuple[str, ...]


CITIES: tuple[City, ...] = (
    City("Amsterdam", "NLD", "Europe/Amsterdam", 52.3676, 4.9041,
         ("Keizersgracht", "Prinsengracht", "Overtoom", "Wibautstraat", "Stadionweg")),
    City("Rotterdam", "NLD", "Europe/Amsterdam", 51.9244, 4.4777,
         ("Coolsingel", "Weena", "Blaak", "Kralingseweg", "Schiedamseweg")),
    City("Utrecht", "NLD", "Europe/Amsterdam", 52.0907, 5.1214,
         ("Biltstraat", "Amsterdamsestraatweg", "Croeselaan", "Catharijnesingel")),
    City("Eindhoven", "NLD", "Europe/Amsterdam", 51.4416, 5.4697,
         ("Vestdijk", "Kennedylaan", "Boschdijk", "Geldropseweg")),
    City("Berlin", "DEU", "Europe/Berlin", 52.5200, 13.4050,
         ("Karl-Marx-Allee", "Kurfürstendamm", "Schönhauser Allee", "Sonnenallee")),
    City("Köln", "DEU", "Europe/Berlin", 50.9375, 6.9603,
         ("Aachener Straße", "Hohenzollernring", "Deutzer Freiheit", "Venloer Straße")),
    City("München", "DEU", "Europe/Berlin", 48.1351, 11.5820,
         ("Leopoldstraße", "Landsberger Straße", "Rosenheimer Straße", "Dachauer Straße")),
    City("Bruxelles", "BEL", "Europe/Brussels", 50.8503, 4.3517,
         ("Avenue Louise", "Rue de la Loi", "Boulevard Anspach", "Chaussée de Wavre")),
    City("Antwerpen", "BEL", "Europe/Brussels", 51.2194, 4.4025,
         ("Meir", "Frankrijklei", "Italiëlei", "Turnhoutsebaan")),
    City("Gent", "BEL", "Europe/Brussels", 51.0543, 3.7174,
         ("Korenmarkt", "Kortrijksesteenweg", "Dampoortstraat", "Coupure Links")),
)  # fmt: skip

# Every this many Locations, one is a fleet's own, published only to its drivers' tokens.
FLEET_EVERY = 40
TARIFF_AC_ENERGY = "AC-ENERGY"
TARIFF_AC_TIME = "AC-TIME"
TARIFF_DC_FAST = "DC-FAST"
TARIFF_AC_CHEAP = "AC-CHEAP"

PARKING_TYPES = ("ON_STREET", "PARKING_LOT", "PARKING_GARAGE", "UNDERGROUND_GARAGE")
FACILITIES = ("SUPERMARKET", "RESTAURANT", "CAFE", "MALL", "HOTEL", "TRAIN_STATION", "WIFI")
EVSE_STATUSES = (
    ("AVAILABLE", 70), ("CHARGING", 18), ("BLOCKED", 3), ("OUTOFORDER", 3),
    ("INOPERATIVE", 2), ("UNKNOWN", 2), ("RESERVED", 2),
)  # fmt: skip


@dataclass(frozen=True)
class SeedResult:
    locations: int
    evses: int
    connectors: int
    tariffs: int
    pushes: int
    seconds: float


# --- generation -----------------------------------------------------------------------------------


def generate_tariffs(country_code: str, party_id: str, now: datetime) -> list[Json]:
    """The four Tariffs every seeded connector refers to (§11.3.1)."""

    def component(kind: str, price: float, step_size: int = 1) -> Json:
        return {"type": kind, "price": price, "vat": 21.0, "step_size": step_size}

    def tariff(tariff_id: str, type_: str, elements: list[Json], text: str, age: int) -> Json:
        return {
            "country_code": country_code,
            "party_id": party_id,
            "id": tariff_id,
            "currency": "EUR",
            "type": type_,
            "tariff_alt_text": [{"language": "en", "text": text}],
            "elements": elements,
            "last_updated": ocpi_datetime(now - timedelta(days=age)),
        }

    return [
        tariff(
            TARIFF_AC_ENERGY,
            "REGULAR",
            [
                {"price_components": [component("ENERGY", 0.39)]},
                {
                    "price_components": [component("PARKING_TIME", 6.0)],
                    "restrictions": {"min_duration": 4 * 3600},
                },
            ],
            "Per kWh; a parking fee applies from the fifth hour on.",
            40,
        ),
        tariff(
            TARIFF_AC_TIME,
            "REGULAR",
            [
                {
                    "price_components": [component("TIME", 2.4)],
                    "restrictions": {"start_time": "07:00", "end_time": "23:00"},
                },
                {"price_components": [component("TIME", 0.6)]},
            ],
            "Per hour connected, cheaper at night.",
            39,
        ),
        tariff(
            TARIFF_DC_FAST,
            "REGULAR",
            [
                # Reserving a fast charger costs a fee and the time held (§11.4.6: only FLAT and
                # TIME components price a reservation).
                {
                    "price_components": [component("FLAT", 1.0), component("TIME", 3.0)],
                    "restrictions": {"reservation": "RESERVATION"},
                },
                # Priced by charging power (§11.4.6: max_power exclusive, min_power inclusive):
                # below 50 kW, from 150 kW, and in between; energy billed per 0.1 kWh.
                {
                    "price_components": [component("FLAT", 0.25), component("ENERGY", 0.49, 100)],
                    "restrictions": {"max_power": 50.0},
                },
                {
                    "price_components": [component("FLAT", 0.75), component("ENERGY", 0.69, 100)],
                    "restrictions": {"min_power": 150.0},
                },
                {"price_components": [component("FLAT", 0.5), component("ENERGY", 0.59, 100)]},
            ],
            "Start fee plus energy billed per 0.1 kWh, both by charging power (below 50 kW, "
            "50 to 150 kW, from 150 kW); a reservation costs a fee plus its time.",
            38,
        ),
        tariff(
            TARIFF_AC_CHEAP,
            "PROFILE_CHEAP",
            [
                {
                    "price_components": [component("ENERGY", 0.29)],
                    "restrictions": {"start_time": "23:00", "end_time": "07:00"},
                },
                {"price_components": [component("ENERGY", 0.39)]},
            ],
            "Charging preference CHEAP: energy is cheaper at night.",
            37,
        ),
    ]


_STATUS_VALUES = [status for status, _ in EVSE_STATUSES]
_STATUS_CUMULATIVE = list(itertools.accumulate(weight for _, weight in EVSE_STATUSES))
_KINDS = ["ac", "dc", "mixed"]
_KIND_CUMULATIVE = [60, 85, 100]


def _pick(rng: random.Random, values: list[str], cumulative: list[int]) -> str:
    """A weighted choice; `random.choices` without its per-call overhead."""
    return values[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _moment(rng: random.Random, now: datetime) -> datetime:
    return (now - timedelta(seconds=rng.randrange(30 * 24 * 3600))).replace(microsecond=0)


def _postal_code(rng: random.Random, city: City) -> str:
    if city.country == "NLD":
        return f"{rng.randint(1000, 9999)} {rng.choice('ABCDEGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"  # noqa: E501
    if city.country == "DEU":
        return f"{rng.randint(10000, 99999)}"
    return f"{rng.randint(1000, 9999)}"


def _connector(
    connector_id: int, standard: str, fmt: str, power_type: str, volts: int, amps: int,
    watts: int, tariff_ids: list[str], moment: datetime,
) -> Json:  # fmt: skip
    return {
        "id": str(connector_id),
        "standard": standard,
        "format": fmt,
        "power_type": power_type,
        "max_voltage": volts,
        "max_amperage": amps,
        "max_electric_power": watts,
        "tariff_ids": tariff_ids,
        "last_updated": ocpi_datetime(moment),
    }


def _evse(
    rng: random.Random, now: datetime, location_id: str, evse_id: str, index: int, dc: bool,
    garage: bool,
) -> tuple[Json, datetime]:  # fmt: skip
    """One EVSE and its `last_updated` (never older than its connectors')."""
    capabilities = ["RFID_READER", "REMOTE_START_STOP_CAPABLE"]
    connectors: list[Json] = []
    moments: list[datetime] = []  # the connectors' last_updated

    def at() -> datetime:
        moment = _moment(rng, now)
        moments.append(moment)
        return moment

    if dc:
        kw = rng.choice((50, 150, 150, 300))
        amps = {50: 125, 150: 200, 300: 500}[kw]
        connectors.append(_connector(1, "IEC_62196_T2_COMBO", "CABLE", "DC", 920, amps,
                                     kw * 1000, [TARIFF_DC_FAST], at()))  # fmt: skip
        if kw == 50 and rng.random() < 0.7:
            connectors.append(_connector(2, "CHADEMO", "CABLE", "DC", 500, 125, 50000,
                                         [TARIFF_DC_FAST], at()))  # fmt: skip
            if rng.random() < 0.5:
                triple = _connector(3, "IEC_62196_T2", "CABLE", "AC_3_PHASE", 230, 63, 43000,
                                    [TARIFF_DC_FAST], at())  # fmt: skip
                connectors.append(triple)
                capabilities.append("START_SESSION_CONNECTOR_REQUIRED")
        capabilities.append("CREDIT_CARD_PAYABLE")
        if rng.random() < 0.6:
            capabilities.append("CONTACTLESS_CARD_SUPPORT")
        if rng.random() < 0.3:
            capabilities.append("RESERVABLE")
    else:
        amps = rng.choice((16, 32, 32))
        preferences = rng.random() < 0.25
        tariffs = (
            [TARIFF_AC_ENERGY, TARIFF_AC_CHEAP]
            if preferences
            else [rng.choice((TARIFF_AC_ENERGY, TARIFF_AC_ENERGY, TARIFF_AC_TIME))]
        )
        connectors.append(_connector(1, "IEC_62196_T2", "SOCKET", "AC_3_PHASE", 230, amps,
                                     230 * amps * 3, tariffs, at()))  # fmt: skip
        if rng.random() < 0.15:
            connectors.append(_connector(2, "DOMESTIC_F", "SOCKET", "AC_1_PHASE", 230, 16, 3680,
                                         [TARIFF_AC_TIME], at()))  # fmt: skip
        capabilities.append("UNLOCK_CAPABLE")
        if rng.random() < 0.5:
            capabilities.append("RESERVABLE")
        if preferences or rng.random() < 0.2:
            capabilities.append("CHARGING_PROFILE_CAPABLE")
        if preferences:
            capabilities.append("CHARGING_PREFERENCES_CAPABLE")
        if rng.random() < 0.2:
            capabilities.append("TOKEN_GROUP_CAPABLE")
    moment = max(_moment(rng, now), *moments)
    evse: Json = {
        "uid": f"{location_id}-{index}",
        "evse_id": f"{evse_id}{index}",
        "status": _pick(rng, _STATUS_VALUES, _STATUS_CUMULATIVE),
        "capabilities": capabilities,
        "connectors": connectors,
        "physical_reference": f"{'DC' if dc else 'AC'}-{index}",
        "parking_restrictions": ["EV_ONLY"],
        "last_updated": ocpi_datetime(moment),
    }
    if garage:
        evse["floor_level"] = rng.choice(("-1", "-2", "0", "1"))
    return evse, moment


def _parse_moment(obj: Json) -> datetime:
    return parse_ocpi_datetime(obj["last_updated"])


def generate_locations(
    count: int,
    country_code: str,
    party_id: str,
    now: datetime,
    *,
    operator: str = "Plugfest Reference CPO",
    random_seed: int = DEFAULT_SEED,
) -> Iterator[Json]:
    """`count` Locations, ids LOC000001 upwards, the same ones for the same `random_seed`."""
    rng = random.Random(random_seed)  # noqa: S311 - demo data, reproducible on purpose
    cc, pid = country_code.upper(), party_id.upper()
    for n in range(1, count + 1):
        city = CITIES[rng.randrange(len(CITIES))]
        location_id = f"LOC{n:06d}"
        street = rng.choice(city.streets)
        parking = rng.choice(PARKING_TYPES)
        garage = parking.endswith("GARAGE")
        kind = _pick(rng, _KINDS, _KIND_CUMULATIVE)
        evse_count = rng.randint(1, 4)
        evses: list[Json] = []
        latest = _moment(rng, now)
        for index in range(1, evse_count + 1):
            dc = kind == "dc" or (kind == "mixed" and index == 1)
            evse, moment = _evse(rng, now, location_id, f"{cc}*{pid}*E{n:07d}", index, dc, garage)
            evses.append(evse)
            latest = max(latest, moment)
        location: Json = {
            "country_code": cc,
            "party_id": pid,
            "id": location_id,
            "publish": True,
            "name": f"{city.name} {street}",
            "address": f"{street} {rng.randint(1, 250)}",
            "city": city.name,
            "postal_code": _postal_code(rng, city),
            "country": city.country,
            "coordinates": {
                "latitude": f"{city.latitude + rng.uniform(-0.06, 0.06):.6f}",
                "longitude": f"{city.longitude + rng.uniform(-0.09, 0.09):.6f}",
            },
            "parking_type": parking,
            "evses": evses,
            "operator": {"name": operator},
            "facilities": sorted(rng.sample(FACILITIES, rng.randint(0, 2))),
            "time_zone": city.time_zone,
            "opening_times": (
                {
                    "twentyfourseven": False,
                    "regular_hours": [
                        {"weekday": day, "period_begin": "06:00", "period_end": "23:30"}
                        for day in range(1, 8)
                    ],
                }
                if garage
                else {"twentyfourseven": True}
            ),
            "charging_when_closed": not garage,
            "last_updated": ocpi_datetime(latest),
        }
        if rng.random() < 0.4:
            location["energy_mix"] = {"is_green_energy": True, "supplier_name": "Windkracht BV"}
        if n % FLEET_EVERY == 0:  # a company's own chargers: shown to its drivers only (§8.3.1)
            location["publish"] = False
            location["publish_allowed_to"] = [
                {"uid": f"FLEET{n:06d}", "type": "RFID"},
                {"visual_number": f"FLEET-{n:06d}", "issuer": "Plugfest Fleet"},
                {"group_id": f"FLEET-GROUP-{n % 7}"},
            ]
        yield location


# --- storage --------------------------------------------------------------------------------------


async def _receiving(session: AsyncSession) -> set[str]:
    """The modules some registered partner receives (so pushes are queued for them)."""
    partners = (await session.scalars(select(Partner).where(Partner.status == "registered"))).all()
    return {
        str(e.get("identifier"))
        for partner in partners
        for e in partner.endpoints
        if e.get("role") == "RECEIVER"
    }


async def _existing(session: AsyncSession, cc: str, pid: str) -> dict[tuple[str, str], int]:
    rows = await session.execute(
        select(Document.kind, Document.object_key, Document.seq).where(
            Document.kind.in_([LOCATION, TARIFF]),
            Document.origin == OWN,
            Document.country_code == cc,
            Document.party_id == pid,
        )
    )
    return {(kind, key): seq for kind, key, seq in rows.all()}


async def _write(
    session: AsyncSession,
    kind: str,
    objects: list[Json],
    existing: dict[tuple[str, str], int],
) -> None:
    """Insert new rows and replace existing ones, each in one executemany."""
    fresh: list[Json] = []
    replaced: list[Json] = []
    for obj in objects:
        values = {
            "body": json.dumps(obj, separators=(",", ":"), ensure_ascii=False),
            "last_updated": _parse_moment(obj),
        }
        seq = existing.get((kind, obj["id"].upper()))
        if seq is None:
            fresh.append({
                "kind": kind, "origin": OWN, "country_code": obj["country_code"].upper(),
                "party_id": obj["party_id"].upper(), "object_key": obj["id"].upper(),
                "variant": "", **values,
            })  # fmt: skip
        else:
            replaced.append({"seq": seq, **values})
    if fresh:
        await session.execute(insert(Document), fresh)
    if replaced:
        await session.execute(update(Document), replaced)


async def _push(session: AsyncSession, outbox: Outbox, module: str, objects: list[Json]) -> int:
    queued = 0
    for obj in objects:
        cc, pid = obj["country_code"], obj["party_id"]
        queued += await outbox.publish(
            session,
            module=module,
            method="PUT",
            path=push_path(cc, pid, obj["id"]),
            body=obj,
            object_key=push_key(module, cc, pid, obj["id"]),
        )
    return queued


async def seed_catalog(
    database: Database,
    outbox: Outbox,
    *,
    country_code: str,
    party_id: str,
    now: datetime,
    locations: int = DEFAULT_LOCATIONS,
    operator: str = "Plugfest Reference CPO",
    random_seed: int = DEFAULT_SEED,
    batch_size: int = BATCH_SIZE,
) -> SeedResult:
    """Create (or replace, by id) the demo Tariffs and `locations` Locations in one transaction;
    queue PUT pushes for partners receiving locations or tariffs (§8.2.2.2, §11.2.2.2)."""
    started = time.perf_counter()
    cc, pid = country_code.upper(), party_id.upper()
    tariffs = generate_tariffs(cc, pid, now)
    for tariff in tariffs:
        require_valid(tariff, "Tariff")
    evse_count = connector_count = pushes = 0
    async with database.transaction() as session:
        receiving = await _receiving(session)
        existing = await _existing(session, cc, pid)
        await _write(session, TARIFF, tariffs, existing)
        if TARIFFS_MODULE in receiving:
            pushes += await _push(session, outbox, TARIFFS_MODULE, tariffs)
        batch: list[Json] = []
        generated = generate_locations(
            locations, cc, pid, now, operator=operator, random_seed=random_seed
        )
        for index, location in enumerate(generated):
            if index < VALIDATE_FIRST:
                require_valid(location, "Location")
            evse_count += len(location["evses"])
            connector_count += sum(len(e["connectors"]) for e in location["evses"])
            batch.append(location)
            if len(batch) >= batch_size:
                await _write(session, LOCATION, batch, existing)
                if LOCATIONS_MODULE in receiving:
                    pushes += await _push(session, outbox, LOCATIONS_MODULE, batch)
                batch = []
        if batch:
            await _write(session, LOCATION, batch, existing)
            if LOCATIONS_MODULE in receiving:
                pushes += await _push(session, outbox, LOCATIONS_MODULE, batch)
    return SeedResult(
        locations=locations,
        evses=evse_count,
        connectors=connector_count,
        tariffs=len(tariffs),
        pushes=pushes,
        seconds=time.perf_counter() - started,
    )
