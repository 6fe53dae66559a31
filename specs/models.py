# Generated from specs/ocpi-2.2.1/components.yaml by `nox -s models` (datamodel-code-generator). Do not edit.

from __future__ import annotations

from typing import Annotated, Any
from pydantic import BaseModel, ConfigDict, Field, RootModel
from enum import StrEnum


class DateTime(RootModel[str]):
    root: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class URL(RootModel[str]):
    root: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    §16.9: string(255), a URL following the w3.org URI spec: a scheme, a colon, no white space or control characters.
    """


class AllowedType(StrEnum):
    """
    §12.4.1
    """

    ALLOWED = "ALLOWED"
    BLOCKED = "BLOCKED"
    EXPIRED = "EXPIRED"
    NO_CREDIT = "NO_CREDIT"
    NOT_ALLOWED = "NOT_ALLOWED"


class AuthMethod(StrEnum):
    """
    §10.4.1
    """

    AUTH_REQUEST = "AUTH_REQUEST"
    COMMAND = "COMMAND"
    WHITELIST = "WHITELIST"


class Capability(StrEnum):
    """
    §8.4.3
    """

    CHARGING_PROFILE_CAPABLE = "CHARGING_PROFILE_CAPABLE"
    CHARGING_PREFERENCES_CAPABLE = "CHARGING_PREFERENCES_CAPABLE"
    CHIP_CARD_SUPPORT = "CHIP_CARD_SUPPORT"
    CONTACTLESS_CARD_SUPPORT = "CONTACTLESS_CARD_SUPPORT"
    CREDIT_CARD_PAYABLE = "CREDIT_CARD_PAYABLE"
    DEBIT_CARD_PAYABLE = "DEBIT_CARD_PAYABLE"
    PED_TERMINAL = "PED_TERMINAL"
    REMOTE_START_STOP_CAPABLE = "REMOTE_START_STOP_CAPABLE"
    RESERVABLE = "RESERVABLE"
    RFID_READER = "RFID_READER"
    START_SESSION_CONNECTOR_REQUIRED = "START_SESSION_CONNECTOR_REQUIRED"
    TOKEN_GROUP_CAPABLE = "TOKEN_GROUP_CAPABLE"
    UNLOCK_CAPABLE = "UNLOCK_CAPABLE"


class CdrDimensionType(StrEnum):
    """
    §10.4.3
    """

    CURRENT = "CURRENT"
    ENERGY = "ENERGY"
    ENERGY_EXPORT = "ENERGY_EXPORT"
    ENERGY_IMPORT = "ENERGY_IMPORT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    MAX_POWER = "MAX_POWER"
    MIN_POWER = "MIN_POWER"
    PARKING_TIME = "PARKING_TIME"
    POWER = "POWER"
    RESERVATION_TIME = "RESERVATION_TIME"
    STATE_OF_CHARGE = "STATE_OF_CHARGE"
    TIME = "TIME"


class ChargingPreferencesResponse(StrEnum):
    """
    §9.4.1
    """

    ACCEPTED = "ACCEPTED"
    DEPARTURE_REQUIRED = "DEPARTURE_REQUIRED"
    ENERGY_NEED_REQUIRED = "ENERGY_NEED_REQUIRED"
    NOT_POSSIBLE = "NOT_POSSIBLE"
    PROFILE_TYPE_NOT_SUPPORTED = "PROFILE_TYPE_NOT_SUPPORTED"


class ChargingProfileResponseType(StrEnum):
    """
    §14.6.5
    """

    ACCEPTED = "ACCEPTED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TOO_OFTEN = "TOO_OFTEN"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class ChargingProfileResultType(StrEnum):
    """
    §14.6.6
    """

    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    UNKNOWN = "UNKNOWN"


class ChargingRateUnit(StrEnum):
    """
    §14.6.2
    """

    W = "W"
    A = "A"


class CommandResponseType(StrEnum):
    """
    §13.4.1
    """

    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class CommandResultType(StrEnum):
    """
    §13.4.2
    """

    ACCEPTED = "ACCEPTED"
    CANCELED_RESERVATION = "CANCELED_RESERVATION"
    EVSE_OCCUPIED = "EVSE_OCCUPIED"
    EVSE_INOPERATIVE = "EVSE_INOPERATIVE"
    FAILED = "FAILED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_RESERVATION = "UNKNOWN_RESERVATION"


class CommandType(StrEnum):
    """
    §13.4.3
    """

    CANCEL_RESERVATION = "CANCEL_RESERVATION"
    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


class ConnectionStatus(StrEnum):
    """
    §15.5.1
    """

    CONNECTED = "CONNECTED"
    OFFLINE = "OFFLINE"
    PLANNED = "PLANNED"
    SUSPENDED = "SUSPENDED"


class ConnectorFormat(StrEnum):
    """
    §8.4.4
    """

    SOCKET = "SOCKET"
    CABLE = "CABLE"


class ConnectorType(StrEnum):
    """
    §8.4.5
    """

    CHADEMO = "CHADEMO"
    CHAOJI = "CHAOJI"
    DOMESTIC_A = "DOMESTIC_A"
    DOMESTIC_B = "DOMESTIC_B"
    DOMESTIC_C = "DOMESTIC_C"
    DOMESTIC_D = "DOMESTIC_D"
    DOMESTIC_E = "DOMESTIC_E"
    DOMESTIC_F = "DOMESTIC_F"
    DOMESTIC_G = "DOMESTIC_G"
    DOMESTIC_H = "DOMESTIC_H"
    DOMESTIC_I = "DOMESTIC_I"
    DOMESTIC_J = "DOMESTIC_J"
    DOMESTIC_K = "DOMESTIC_K"
    DOMESTIC_L = "DOMESTIC_L"
    DOMESTIC_M = "DOMESTIC_M"
    DOMESTIC_N = "DOMESTIC_N"
    DOMESTIC_O = "DOMESTIC_O"
    GBT_AC = "GBT_AC"
    GBT_DC = "GBT_DC"
    IEC_60309_2_single_16 = "IEC_60309_2_single_16"
    IEC_60309_2_three_16 = "IEC_60309_2_three_16"
    IEC_60309_2_three_32 = "IEC_60309_2_three_32"
    IEC_60309_2_three_64 = "IEC_60309_2_three_64"
    IEC_62196_T1 = "IEC_62196_T1"
    IEC_62196_T1_COMBO = "IEC_62196_T1_COMBO"
    IEC_62196_T2 = "IEC_62196_T2"
    IEC_62196_T2_COMBO = "IEC_62196_T2_COMBO"
    IEC_62196_T3A = "IEC_62196_T3A"
    IEC_62196_T3C = "IEC_62196_T3C"
    NEMA_5_20 = "NEMA_5_20"
    NEMA_6_30 = "NEMA_6_30"
    NEMA_6_50 = "NEMA_6_50"
    NEMA_10_30 = "NEMA_10_30"
    NEMA_10_50 = "NEMA_10_50"
    NEMA_14_30 = "NEMA_14_30"
    NEMA_14_50 = "NEMA_14_50"
    PANTOGRAPH_BOTTOM_UP = "PANTOGRAPH_BOTTOM_UP"
    PANTOGRAPH_TOP_DOWN = "PANTOGRAPH_TOP_DOWN"
    TESLA_R = "TESLA_R"
    TESLA_S = "TESLA_S"


class DayOfWeek(StrEnum):
    """
    §11.4.1
    """

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class EnergySourceCategory(StrEnum):
    """
    §8.4.8
    """

    NUCLEAR = "NUCLEAR"
    GENERAL_FOSSIL = "GENERAL_FOSSIL"
    COAL = "COAL"
    GAS = "GAS"
    GENERAL_GREEN = "GENERAL_GREEN"
    SOLAR = "SOLAR"
    WIND = "WIND"
    WATER = "WATER"


class EnvironmentalImpactCategory(StrEnum):
    """
    §8.4.10
    """

    NUCLEAR_WASTE = "NUCLEAR_WASTE"
    CARBON_DIOXIDE = "CARBON_DIOXIDE"


class Facility(StrEnum):
    """
    §8.4.12
    """

    HOTEL = "HOTEL"
    RESTAURANT = "RESTAURANT"
    CAFE = "CAFE"
    MALL = "MALL"
    SUPERMARKET = "SUPERMARKET"
    SPORT = "SPORT"
    RECREATION_AREA = "RECREATION_AREA"
    NATURE = "NATURE"
    MUSEUM = "MUSEUM"
    BIKE_SHARING = "BIKE_SHARING"
    BUS_STOP = "BUS_STOP"
    TAXI_STAND = "TAXI_STAND"
    TRAM_STOP = "TRAM_STOP"
    METRO_STATION = "METRO_STATION"
    TRAIN_STATION = "TRAIN_STATION"
    AIRPORT = "AIRPORT"
    PARKING_LOT = "PARKING_LOT"
    CARPOOL_PARKING = "CARPOOL_PARKING"
    FUEL_STATION = "FUEL_STATION"
    WIFI = "WIFI"


class ImageCategory(StrEnum):
    """
    §8.4.16
    """

    CHARGER = "CHARGER"
    ENTRANCE = "ENTRANCE"
    LOCATION = "LOCATION"
    NETWORK = "NETWORK"
    OPERATOR = "OPERATOR"
    OTHER = "OTHER"
    OWNER = "OWNER"


class InterfaceRole(StrEnum):
    """
    §6.2.3
    """

    SENDER = "SENDER"
    RECEIVER = "RECEIVER"


class ModuleID(StrEnum):
    """
    §6.2.4
    """

    cdrs = "cdrs"
    chargingprofiles = "chargingprofiles"
    commands = "commands"
    credentials = "credentials"
    hubclientinfo = "hubclientinfo"
    locations = "locations"
    sessions = "sessions"
    tariffs = "tariffs"
    tokens = "tokens"


class ParkingRestriction(StrEnum):
    """
    §8.4.17
    """

    EV_ONLY = "EV_ONLY"
    PLUGGED = "PLUGGED"
    DISABLED = "DISABLED"
    CUSTOMERS = "CUSTOMERS"
    MOTORCYCLES = "MOTORCYCLES"


class ParkingType(StrEnum):
    """
    §8.4.18
    """

    ALONG_MOTORWAY = "ALONG_MOTORWAY"
    PARKING_GARAGE = "PARKING_GARAGE"
    PARKING_LOT = "PARKING_LOT"
    ON_DRIVEWAY = "ON_DRIVEWAY"
    ON_STREET = "ON_STREET"
    UNDERGROUND_GARAGE = "UNDERGROUND_GARAGE"


class PowerType(StrEnum):
    """
    §8.4.19
    """

    AC_1_PHASE = "AC_1_PHASE"
    AC_2_PHASE = "AC_2_PHASE"
    AC_2_PHASE_SPLIT = "AC_2_PHASE_SPLIT"
    AC_3_PHASE = "AC_3_PHASE"
    DC = "DC"


class ProfileType(StrEnum):
    """
    §9.4.2
    """

    CHEAP = "CHEAP"
    FAST = "FAST"
    GREEN = "GREEN"
    REGULAR = "REGULAR"


class ReservationRestrictionType(StrEnum):
    """
    §11.4.3
    """

    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class Role(StrEnum):
    """
    §16.6
    """

    CPO = "CPO"
    EMSP = "EMSP"
    HUB = "HUB"
    NAP = "NAP"
    NSP = "NSP"
    OTHER = "OTHER"
    SCSP = "SCSP"


class SessionStatus(StrEnum):
    """
    §9.4.3
    """

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"
    RESERVATION = "RESERVATION"


class Status(StrEnum):
    """
    §8.4.22
    """

    AVAILABLE = "AVAILABLE"
    BLOCKED = "BLOCKED"
    CHARGING = "CHARGING"
    INOPERATIVE = "INOPERATIVE"
    OUTOFORDER = "OUTOFORDER"
    PLANNED = "PLANNED"
    REMOVED = "REMOVED"
    RESERVED = "RESERVED"
    UNKNOWN = "UNKNOWN"


class TariffDimensionType(StrEnum):
    """
    §11.4.5
    """

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class TariffType(StrEnum):
    """
    §11.4.7
    """

    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


class TokenType(StrEnum):
    """
    §12.4.4
    """

    AD_HOC_USER = "AD_HOC_USER"
    APP_USER = "APP_USER"
    OTHER = "OTHER"
    RFID = "RFID"


class VersionNumber(StrEnum):
    """
    §6.2.5
    """

    field_2_0 = "2.0"
    field_2_1 = "2.1"
    field_2_1_1 = "2.1.1"
    field_2_2 = "2.2"
    field_2_2_1 = "2.2.1"


class WhitelistType(StrEnum):
    """
    §12.4.5
    """

    ALWAYS = "ALWAYS"
    ALLOWED = "ALLOWED"
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"
    NEVER = "NEVER"


class CancelReservation(BaseModel):
    """
    §13.3.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    response_url: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    Where to POST the CommandResult.
    """
    reservation_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Reservation id given in ReserveNow.
    """


class CdrDimension(BaseModel):
    """
    §10.4.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: CdrDimensionType
    """
    Dimension type.
    """
    volume: float
    """
    Consumed volume in the unit of the dimension type.
    """


class CdrToken(BaseModel):
    """
    §10.4.5
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    country_code: Annotated[str, Field(max_length=2, pattern="^[A-Za-z]{2}$")]
    """
    Country of the eMSP owning the token (added in 2.2.1).
    """
    party_id: Annotated[str, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")]
    """
    Party id of the eMSP owning the token (added in 2.2.1).
    """
    uid: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Token uid (RFID hidden id, or eMSP-generated id for APP_USER).
    """
    type: TokenType
    """
    Token type.
    """
    contract_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Contract id (eMA ID recommended).
    """


class ChargingPeriod(BaseModel):
    """
    §10.4.6
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    start_date_time: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Period start; ends at next period start / session end.
    """
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]
    """
    Values for this period.
    """
    tariff_id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Relevant tariff; absent = no tariff relevant.
    """


class ChargingPreferences(BaseModel):
    """
    §9.3.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    profile_type: ProfileType
    """
    Selected smart charging profile; must be supported at the Connector and a Tariff must exist for it.
    """
    departure_time: DateTime | None = None
    """
    Expected departure (estimate).
    """
    energy_need: float | None = None
    """
    Requested energy in kWh.
    """
    discharge_allowed: bool | None = None
    """
    V2G discharge allowed while meeting needs. Default false.
    """


class ChargingProfilePeriod(BaseModel):
    """
    §14.6.4
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    start_period: int
    """
    Seconds from profile start; also ends previous period.
    """
    limit: float
    """
    Max rate in charging_rate_unit (max 1 decimal).
    """


class ChargingProfileResponse(BaseModel):
    """
    §14.5.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    result: ChargingProfileResponseType
    """
    CPO's immediate verdict.
    """
    timeout: int
    """
    Seconds within which the async result is expected.
    """


class ChargingProfileResult(BaseModel):
    """
    §14.5.3
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    result: ChargingProfileResultType
    """
    Whether the EVSE accepted the new/updated profile.
    """


class ClearProfileResult(BaseModel):
    """
    §14.5.4
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    result: ChargingProfileResultType
    """
    Whether the EVSE cleared the profile.
    """


class ClientInfo(BaseModel):
    """
    §15.4.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    party_id: Annotated[str, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")]
    """
    Party id (as used in credentials).
    """
    country_code: Annotated[str, Field(max_length=2, pattern="^[A-Za-z]{2}$")]
    """
    Country code (as used in credentials).
    """
    role: Role
    """
    Role of the connected party.
    """
    status: ConnectionStatus
    """
    Connection status.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last update.
    """


class TariffId(RootModel[str]):
    root: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]


class Connector(BaseModel):
    """
    §8.3.3
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Unique within its EVSE only.
    """
    standard: ConnectorType
    """
    Plug/socket standard.
    """
    format: ConnectorFormat
    """
    SOCKET or CABLE.
    """
    power_type: PowerType
    """
    AC/DC phase type.
    """
    max_voltage: int
    """
    Max voltage in V (line-to-neutral for AC_3_PHASE).
    """
    max_amperage: int
    """
    Max current in A.
    """
    max_electric_power: int | None = None
    """
    Max power in W, when lower than voltage x amperage implies.
    """
    tariff_ids: list[TariffId] | None = None
    """
    Currently valid tariff ids. Several allowed but at most one active per Tariff.type at a time (non-overlapping start/end). With preference-based smart charging: one tariff per ProfileType. "Free of charge" should point to a defined free tariff.
    """
    terms_and_conditions: URL | None = None
    """
    URL of operator T&Cs.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last change of this Connector.
    """


class ConnectorPatch(BaseModel):
    """
    §8.3.3, §4.1.4: PATCH body for Connector: any subset of its fields, `last_updated` always required.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Unique within its EVSE only.
    """
    standard: ConnectorType | None = None
    """
    Plug/socket standard.
    """
    format: ConnectorFormat | None = None
    """
    SOCKET or CABLE.
    """
    power_type: PowerType | None = None
    """
    AC/DC phase type.
    """
    max_voltage: int | None = None
    """
    Max voltage in V (line-to-neutral for AC_3_PHASE).
    """
    max_amperage: int | None = None
    """
    Max current in A.
    """
    max_electric_power: int | None = None
    """
    Max power in W, when lower than voltage x amperage implies.
    """
    tariff_ids: list[TariffId] | None = None
    """
    Currently valid tariff ids. Several allowed but at most one active per Tariff.type at a time (non-overlapping start/end). With preference-based smart charging: one tariff per ProfileType. "Free of charge" should point to a defined free tariff.
    """
    terms_and_conditions: URL | None = None
    """
    URL of operator T&Cs.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last change of this Connector.
    """


class DisplayText(BaseModel):
    """
    §16.3
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    language: Annotated[str, Field(max_length=2, pattern="^[a-z]{2}$")]
    """
    ISO 639-1 language code.
    """
    text: Annotated[str, Field(max_length=512, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    Text shown to end user; plain text, no markup/HTML.
    """


class Endpoint(BaseModel):
    """
    §6.2.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    identifier: ModuleID
    """
    Module identifier (ModuleID, or agreed custom id).
    """
    role: InterfaceRole
    """
    SENDER or RECEIVER interface implemented at this URL. Irrelevant for `credentials` (advice: publish SENDER for own, ignore for others).
    """
    url: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    Absolute URL of the endpoint.
    """


class EnergyContract(BaseModel):
    """
    §12.4.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    supplier_name: Annotated[str, Field(max_length=64, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    Energy supplier name.
    """
    contract_id: Annotated[str | None, Field(max_length=64, pattern="^[^\\x00-\\x1F\\x7F]*$")] = (
        None
    )
    """
    Contract id at supplier.
    """


class EnergySource(BaseModel):
    """
    §8.4.7
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    source: EnergySourceCategory
    """
    Energy source category.
    """
    percentage: float
    """
    Share 0-100.
    """


class EnvironmentalImpact(BaseModel):
    """
    §8.4.9
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    category: EnvironmentalImpactCategory
    """
    Impact category.
    """
    amount: float
    """
    Amount in g/kWh.
    """


class ExceptionalPeriod(BaseModel):
    """
    §8.4.11
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    period_begin: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Start (UTC).
    """
    period_end: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    End (UTC).
    """


class GeoLocation(BaseModel):
    """
    §8.4.13
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    latitude: Annotated[str, Field(max_length=10, pattern="^-?[0-9]{1,2}\\.[0-9]{5,7}$")]
    """
    Decimal degrees, "." separator, regex `-?[0-9]{1,2}\\.[0-9]{5,7}` (>=5 decimals).
    """
    longitude: Annotated[str, Field(max_length=11, pattern="^-?[0-9]{1,3}\\.[0-9]{5,7}$")]
    """
    Decimal degrees, regex `-?[0-9]{1,3}\\.[0-9]{5,7}`.
    """


class Image(BaseModel):
    """
    §8.4.15
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    url: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    Image URL.
    """
    thumbnail: URL | None = None
    """
    Thumbnail URL.
    """
    category: ImageCategory
    """
    What the image shows.
    """
    type: Annotated[str, Field(max_length=4, pattern="^[\\x20-\\x7E]*$")]
    """
    Image type, e.g. gif, jpeg, png, svg (table says CiString(4)).
    """
    width: Annotated[int | None, Field(ge=0, le=99999)] = None
    """
    Width in px (max 5 digits).
    """
    height: Annotated[int | None, Field(ge=0, le=99999)] = None
    """
    Height in px (max 5 digits).
    """


class EvseUid(RootModel[str]):
    root: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]


class LocationReferences(BaseModel):
    """
    §12.4.3
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    location_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Location.id.
    """
    evse_uids: list[EvseUid] | None = None
    """
    EVSE.uids within the location.
    """


class Price(BaseModel):
    """
    §16.5
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    excl_vat: float
    """
    Amount excluding VAT.
    """
    incl_vat: float | None = None
    """
    Amount including VAT (optional).
    """


class PriceComponent(BaseModel):
    """
    §11.4.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    type: TariffDimensionType
    """
    Priced dimension.
    """
    price: float
    """
    Price per unit excl. VAT (per kWh, per hour, or flat).
    """
    vat: float | None = None
    """
    VAT percentage; absent = no VAT applicable (differs from 0.0).
    """
    step_size: int
    """
    Billing block size in dimension multiplier (Wh for ENERGY, s for TIME/PARKING_TIME; ignored for FLAT). Advice: use 1.
    """


class PublishTokenType(BaseModel):
    """
    §8.4.20
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    uid: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Token uid; if set, `type` must be set too.
    """
    type: TokenType | None = None
    """
    Token type.
    """
    visual_number: Annotated[str | None, Field(max_length=64, pattern="^[^\\x00-\\x1F\\x7F]*$")] = (
        None
    )
    """
    Printed number; if set, `issuer` must be set too.
    """
    issuer: Annotated[str | None, Field(max_length=64, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Issuing company.
    """
    group_id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Token group id.
    """


class RegularHours(BaseModel):
    """
    §8.4.21
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    weekday: Annotated[int, Field(ge=1, le=7)]
    """
    1=Monday .. 7=Sunday.
    """
    period_begin: Annotated[str, Field(max_length=5, pattern="^([0-1][0-9]|2[0-3]):[0-5][0-9]$")]
    """
    Local time "HH:MM", regex `([0-1][0-9]|2[0-3]):[0-5][0-9]`.
    """
    period_end: Annotated[str, Field(max_length=5, pattern="^([0-1][0-9]|2[0-3]):[0-5][0-9]$")]
    """
    Local time "HH:MM", must be later than period_begin.
    """


class ResponseFormat(BaseModel):
    """
    §4.1.7
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Any | None = None
    """
    Payload: array (card * or +), object/value (card 1 or ?). May be omitted on errors.
    """
    status_code: int
    """
    OCPI 4-digit status code.
    """
    status_message: str | None = None
    """
    Optional debug message.
    """
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Time the message was generated.
    """


class Session(BaseModel):
    """
    §9.3.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    country_code: Annotated[str, Field(max_length=2, pattern="^[A-Za-z]{2}$")]
    """
    Country code of the owning CPO.
    """
    party_id: Annotated[str, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")]
    """
    Party id of the owning CPO.
    """
    id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Unique session id in CPO platform.
    """
    start_date_time: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    When session became ACTIVE; while PENDING = creation time; updated on PENDING->ACTIVE.
    """
    end_date_time: DateTime | None = None
    """
    When session completed (may be after charging stopped).
    """
    kwh: float
    """
    Energy charged so far (kWh).
    """
    cdr_token: CdrToken
    """
    Token used to start the session.
    """
    auth_method: AuthMethod
    """
    Authentication method (may change during the session).
    """
    authorization_reference: Annotated[
        str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")
    ] = None
    """
    Must echo the eMSP-provided reference (from real-time auth, StartSession or ReserveNow); last one wins.
    """
    location_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Location.id.
    """
    evse_uid: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    EVSE.uid; may be `#NA` for a reservation without assigned EVSE.
    """
    connector_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Connector.id; may be `#NA` for a reservation without assigned connector.
    """
    meter_id: Annotated[str | None, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    kWh meter id.
    """
    currency: Annotated[str, Field(max_length=3, pattern="^[A-Z]{3}$")]
    """
    ISO 4217 currency.
    """
    charging_periods: list[ChargingPeriod] | None = None
    """
    Charging periods so far (for cost calc/feedback).
    """
    total_cost: Price | None = None
    """
    Cost so far (what eMSP pays CPO). 0 = free; absent does NOT mean free.
    """
    status: SessionStatus
    """
    Session status.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last update time.
    """


class SessionPatch(BaseModel):
    """
    §9.3.1, §4.1.4: PATCH body for Session: any subset of its fields, `last_updated` always required.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    country_code: Annotated[str | None, Field(max_length=2, pattern="^[A-Za-z]{2}$")] = None
    """
    Country code of the owning CPO.
    """
    party_id: Annotated[str | None, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")] = None
    """
    Party id of the owning CPO.
    """
    id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Unique session id in CPO platform.
    """
    start_date_time: Annotated[
        str | None,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ] = None
    """
    When session became ACTIVE; while PENDING = creation time; updated on PENDING->ACTIVE.
    """
    end_date_time: DateTime | None = None
    """
    When session completed (may be after charging stopped).
    """
    kwh: float | None = None
    """
    Energy charged so far (kWh).
    """
    cdr_token: CdrToken | None = None
    """
    Token used to start the session.
    """
    auth_method: AuthMethod | None = None
    """
    Authentication method (may change during the session).
    """
    authorization_reference: Annotated[
        str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")
    ] = None
    """
    Must echo the eMSP-provided reference (from real-time auth, StartSession or ReserveNow); last one wins.
    """
    location_id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Location.id.
    """
    evse_uid: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    EVSE.uid; may be `#NA` for a reservation without assigned EVSE.
    """
    connector_id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Connector.id; may be `#NA` for a reservation without assigned connector.
    """
    meter_id: Annotated[str | None, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    kWh meter id.
    """
    currency: Annotated[str | None, Field(max_length=3, pattern="^[A-Z]{3}$")] = None
    """
    ISO 4217 currency.
    """
    charging_periods: list[ChargingPeriod] | None = None
    """
    Charging periods so far (for cost calc/feedback).
    """
    total_cost: Price | None = None
    """
    Cost so far (what eMSP pays CPO). 0 = free; absent does NOT mean free.
    """
    status: SessionStatus | None = None
    """
    Session status.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last update time.
    """


class SignedValue(BaseModel):
    """
    §10.4.8
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    nature: Annotated[str, Field(max_length=32, pattern="^[\\x20-\\x7E]*$")]
    """
    Event: "Start", "End", "Intermediate" (open list).
    """
    plain_data: Annotated[str, Field(max_length=5000, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    Unencoded data. Erratum: 5000 (was 512 in earlier 2.2.1 editions).
    """
    signed_data: Annotated[str, Field(max_length=5000, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    Base64 signed blob.
    """


class StatusSchedule(BaseModel):
    """
    §8.4.23
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    period_begin: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Start of scheduled period.
    """
    period_end: DateTime | None = None
    """
    End, if known.
    """
    status: Status
    """
    Status during the period.
    """


class StopSession(BaseModel):
    """
    §13.3.6
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    response_url: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    Where to POST the CommandResult.
    """
    session_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Session.id to stop.
    """


class TariffRestrictions(BaseModel):
    """
    §11.4.6
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    start_time: Annotated[
        str | None, Field(max_length=5, pattern="^([0-1][0-9]|2[0-3]):[0-5][0-9]$")
    ] = None
    """
    Local time of day "HH:MM" from which valid.
    """
    end_time: Annotated[
        str | None, Field(max_length=5, pattern="^([0-1][0-9]|2[0-3]):[0-5][0-9]$")
    ] = None
    """
    Local "HH:MM" until; if end<start wraps past midnight; "00:00" = end of day.
    """
    start_date: Annotated[
        str | None,
        Field(max_length=10, pattern="^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"),
    ] = None
    """
    Local date "YYYY-MM-DD" from (inclusive).
    """
    end_date: Annotated[
        str | None,
        Field(max_length=10, pattern="^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"),
    ] = None
    """
    Local date until (exclusive).
    """
    min_kwh: float | None = None
    """
    Active from this consumed energy (inclusive).
    """
    max_kwh: float | None = None
    """
    Active until this consumed energy (exclusive).
    """
    min_current: float | None = None
    """
    Active while current (sum over phases, A) >= value.
    """
    max_current: float | None = None
    """
    Active while current < value.
    """
    min_power: float | None = None
    """
    Active while power (kW) >= value.
    """
    max_power: float | None = None
    """
    Active while power < value.
    """
    min_duration: int | None = None
    """
    Active once session duration (s) reaches value (inclusive).
    """
    max_duration: int | None = None
    """
    Active while session duration (s) below value (exclusive).
    """
    day_of_week: list[DayOfWeek] | None = None
    """
    Days of week when active.
    """
    reservation: ReservationRestrictionType | None = None
    """
    If set, element describes reservation costs (only FLAT and TIME components).
    """


class Token(BaseModel):
    """
    §12.3.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    country_code: Annotated[str, Field(max_length=2, pattern="^[A-Za-z]{2}$")]
    """
    Country of the owning eMSP.
    """
    party_id: Annotated[str, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")]
    """
    Party id of the owning eMSP.
    """
    uid: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Token id as read/used by CPO (RFID hidden id; eMSP-generated for APP_USER/AD_HOC_USER). Unique together with `type`.
    """
    type: TokenType
    """
    Token type.
    """
    contract_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Driver contract id (eMA ID recommended).
    """
    visual_number: Annotated[str | None, Field(max_length=64, pattern="^[^\\x00-\\x1F\\x7F]*$")] = (
        None
    )
    """
    Printed number.
    """
    issuer: Annotated[str, Field(max_length=64, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    Issuing company name.
    """
    group_id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Groups tokens (start with one, stop with another). Keep <=20 chars for OCPP 1.5/1.6.
    """
    valid: bool
    """
    Token valid flag.
    """
    whitelist: WhitelistType
    """
    Whitelisting mode.
    """
    language: Annotated[str | None, Field(max_length=2, pattern="^[a-z]{2}$")] = None
    """
    Preferred ISO 639-1 language.
    """
    default_profile_type: ProfileType | None = None
    """
    Default charging preference.
    """
    energy_contract: EnergyContract | None = None
    """
    Driver's own energy supplier/contract.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last update.
    """


class TokenPatch(BaseModel):
    """
    §12.3.2, §4.1.4: PATCH body for Token: any subset of its fields, `last_updated` always required.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    country_code: Annotated[str | None, Field(max_length=2, pattern="^[A-Za-z]{2}$")] = None
    """
    Country of the owning eMSP.
    """
    party_id: Annotated[str | None, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")] = None
    """
    Party id of the owning eMSP.
    """
    uid: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Token id as read/used by CPO (RFID hidden id; eMSP-generated for APP_USER/AD_HOC_USER). Unique together with `type`.
    """
    type: TokenType | None = None
    """
    Token type.
    """
    contract_id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Driver contract id (eMA ID recommended).
    """
    visual_number: Annotated[str | None, Field(max_length=64, pattern="^[^\\x00-\\x1F\\x7F]*$")] = (
        None
    )
    """
    Printed number.
    """
    issuer: Annotated[str | None, Field(max_length=64, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Issuing company name.
    """
    group_id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Groups tokens (start with one, stop with another). Keep <=20 chars for OCPP 1.5/1.6.
    """
    valid: bool | None = None
    """
    Token valid flag.
    """
    whitelist: WhitelistType | None = None
    """
    Whitelisting mode.
    """
    language: Annotated[str | None, Field(max_length=2, pattern="^[a-z]{2}$")] = None
    """
    Preferred ISO 639-1 language.
    """
    default_profile_type: ProfileType | None = None
    """
    Default charging preference.
    """
    energy_contract: EnergyContract | None = None
    """
    Driver's own energy supplier/contract.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last update.
    """


class UnlockConnector(BaseModel):
    """
    §13.3.7
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    response_url: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    Where to POST the CommandResult.
    """
    location_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Location.id.
    """
    evse_uid: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    EVSE.uid.
    """
    connector_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Connector.id.
    """


class Version(BaseModel):
    """
    §6.1.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    version: VersionNumber
    """
    Version number, e.g. "2.2.1".
    """
    url: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    URL of that version's details endpoint.
    """


class VersionDetails(BaseModel):
    """
    §6.2.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    version: VersionNumber
    """
    Version number.
    """
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]
    """
    Supported endpoints for this version.
    """


class ErrorResponse(BaseModel):
    """
    §4.1.7, §5: envelope of a failed request. `data` may be omitted, null or debug information.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Any | None = None
    status_code: Annotated[int, Field(ge=2000, le=4999)]
    """
    §5: 2xxx client errors, 3xxx server errors, 4xxx hub errors.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class EmptyResponse(BaseModel):
    """
    §4.1.7 (d2 note): success where the spec defines no `data`; senders leave it unset, receivers accept anything.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Any | None = None
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class NoDataResponse(BaseModel):
    """
    §14.4.2: success whose `data` SHALL be omitted (ChargingProfiles Sender interface).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class VersionListResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is VersionList.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Annotated[list[Version], Field(min_length=1)]
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class VersionDetailsResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is VersionDetails.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: VersionDetails
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class ConnectorResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is Connector.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Connector
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class SessionListResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is SessionList.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: list[Session]
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class SessionResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is Session.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Session
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class ChargingPreferencesResponseEnvelope(BaseModel):
    """
    §4.1.7: response envelope whose `data` is ChargingPreferencesResponse.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: ChargingPreferencesResponse
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class TokenListResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is TokenList.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: list[Token]
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class TokenResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is Token.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Token
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class ChargingProfileResponseEnvelope(BaseModel):
    """
    §4.1.7: response envelope whose `data` is ChargingProfileResponse.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: ChargingProfileResponse
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class ClientInfoResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is ClientInfo.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: ClientInfo
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class AdditionalGeoLocation(BaseModel):
    """
    §8.4.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    latitude: Annotated[str, Field(max_length=10, pattern="^-?[0-9]{1,2}\\.[0-9]{5,7}$")]
    """
    Decimal degrees, regex `-?[0-9]{1,2}\\.[0-9]{5,7}`.
    """
    longitude: Annotated[str, Field(max_length=11, pattern="^-?[0-9]{1,3}\\.[0-9]{5,7}$")]
    """
    Decimal degrees, regex `-?[0-9]{1,3}\\.[0-9]{5,7}`.
    """
    name: DisplayText | None = None
    """
    Name of the point (e.g. entrance street).
    """


class AuthorizationInfo(BaseModel):
    """
    §12.3.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    allowed: AllowedType
    """
    Whether charging is allowed (at the location).
    """
    token: Token
    """
    Complete Token object.
    """
    location: LocationReferences | None = None
    """
    Echo of location with only the EVSEs the driver may use (if location was given and allowed).
    """
    authorization_reference: Annotated[
        str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")
    ] = None
    """
    eMSP reference; CPO must copy it into Session/CDR.
    """
    info: DisplayText | None = None
    """
    Text for the driver.
    """


class BusinessDetails(BaseModel):
    """
    §8.4.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    name: Annotated[str, Field(max_length=100, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    Name of the operator/party.
    """
    website: URL | None = None
    """
    Website URL.
    """
    logo: Image | None = None
    """
    Logo image.
    """


class CdrLocation(BaseModel):
    """
    §10.4.4
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Location.id.
    """
    name: Annotated[str | None, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Display name.
    """
    address: Annotated[str, Field(max_length=45, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    Street + number. NOTE: branch still says string(45) here although Location.address was raised to 255.
    """
    city: Annotated[str, Field(max_length=45, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    City.
    """
    postal_code: Annotated[str | None, Field(max_length=10, pattern="^[^\\x00-\\x1F\\x7F]*$")] = (
        None
    )
    """
    Optional (since 2.2.1).
    """
    state: Annotated[str | None, Field(max_length=20, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Optional (added in 2.2.1). NOTE: still string(20) here (Location.state raised to 45).
    """
    country: Annotated[str, Field(max_length=3, pattern="^[A-Z]{3}$")]
    """
    ISO 3166-1 alpha-3.
    """
    coordinates: GeoLocation
    """
    Coordinates.
    """
    evse_uid: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    EVSE.uid; `#NA` allowed for reservation-only CDR.
    """
    evse_id: Annotated[str, Field(max_length=48, pattern="^[\\x20-\\x7E]*$")]
    """
    eMI3 EVSE ID (required here); `#NA` allowed for reservation-only CDR.
    """
    connector_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Connector.id; `#NA` allowed for reservation-only CDR.
    """
    connector_standard: ConnectorType
    """
    Any value/ignored for reservation-only CDR.
    """
    connector_format: ConnectorFormat
    """
    Any value/ignored for reservation-only CDR.
    """
    connector_power_type: PowerType
    """
    Any value/ignored for reservation-only CDR.
    """


class ChargingProfile(BaseModel):
    """
    §14.6.3
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    start_date_time: DateTime | None = None
    """
    Start of an absolute profile; absent = relative to start of charging.
    """
    duration: int | None = None
    """
    Seconds; absent = last period continues indefinitely / until end of transaction.
    """
    charging_rate_unit: ChargingRateUnit
    """
    W or A.
    """
    min_charging_rate: float | None = None
    """
    Minimum rate supported by the EV (max 1 decimal).
    """
    charging_profile_period: list[ChargingProfilePeriod] | None = None
    """
    Periods with limits.
    """


class CommandResponse(BaseModel):
    """
    §13.3.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    result: CommandResponseType
    """
    CPO's immediate verdict.
    """
    timeout: int
    """
    Seconds within which the CommandResult is expected.
    """
    message: list[DisplayText] | None = None
    """
    Human readable explanation.
    """


class CommandResult(BaseModel):
    """
    §13.3.3
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    result: CommandResultType
    """
    Result reported by the Charge Point (via CPO).
    """
    message: list[DisplayText] | None = None
    """
    Human readable explanation.
    """


class CredentialsRole(BaseModel):
    """
    §7.4.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    role: Role
    """
    Role enum.
    """
    business_details: BusinessDetails
    """
    Name/website/logo of this party.
    """
    party_id: Annotated[str, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")]
    """
    Party id (ISO 15118 style, 3 chars).
    """
    country_code: Annotated[str, Field(max_length=2, pattern="^[A-Za-z]{2}$")]
    """
    ISO 3166-1 alpha-2 country of the party.
    """


class EnergyMix(BaseModel):
    """
    §8.4.6
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    is_green_energy: bool
    """
    True if 100% renewable.
    """
    energy_sources: list[EnergySource] | None = None
    """
    Source/percentage pairs (should total 100).
    """
    environ_impact: list[EnvironmentalImpact] | None = None
    """
    Nuclear waste / CO2 amounts in g/kWh.
    """
    supplier_name: Annotated[str | None, Field(max_length=64, pattern="^[^\\x00-\\x1F\\x7F]*$")] = (
        None
    )
    """
    Energy supplier name.
    """
    energy_product_name: Annotated[
        str | None, Field(max_length=64, pattern="^[^\\x00-\\x1F\\x7F]*$")
    ] = None
    """
    Supplier product/tariff name.
    """


class EVSE(BaseModel):
    """
    §8.3.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    uid: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Technical id, unique within CPO platform, immutable; used in URLs. Advice: do not use hardware ids (EVSEs are never deleted, may be redeployed).
    """
    evse_id: Annotated[str | None, Field(max_length=48, pattern="^[\\x20-\\x7E]*$")] = None
    """
    eMI3 EVSE ID (human readable). May be removed when status=REMOVED so it can be reused.
    """
    status: Status
    """
    Current status.
    """
    status_schedule: list[StatusSchedule] | None = None
    """
    Planned future status changes (informational only).
    """
    capabilities: list[Capability] | None = None
    """
    Capabilities list.
    """
    connectors: Annotated[list[Connector], Field(min_length=1)]
    """
    At least one connector; only one usable at a time.
    """
    floor_level: Annotated[str | None, Field(max_length=4, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Floor (local numbering).
    """
    coordinates: GeoLocation | None = None
    """
    EVSE coordinates.
    """
    physical_reference: Annotated[
        str | None, Field(max_length=16, pattern="^[^\\x00-\\x1F\\x7F]*$")
    ] = None
    """
    Number/string printed on the EVSE.
    """
    directions: list[DisplayText] | None = None
    """
    Directions from the Location point to the EVSE.
    """
    parking_restrictions: list[ParkingRestriction] | None = None
    """
    Parking restrictions of the spot.
    """
    images: list[Image] | None = None
    """
    Images.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last change of the EVSE or any of its Connectors.
    """


class EVSEPatch(BaseModel):
    """
    §8.3.2, §4.1.4: PATCH body for EVSE: any subset of its fields, `last_updated` always required.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    uid: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Technical id, unique within CPO platform, immutable; used in URLs. Advice: do not use hardware ids (EVSEs are never deleted, may be redeployed).
    """
    evse_id: Annotated[str | None, Field(max_length=48, pattern="^[\\x20-\\x7E]*$")] = None
    """
    eMI3 EVSE ID (human readable). May be removed when status=REMOVED so it can be reused.
    """
    status: Status | None = None
    """
    Current status.
    """
    status_schedule: list[StatusSchedule] | None = None
    """
    Planned future status changes (informational only).
    """
    capabilities: list[Capability] | None = None
    """
    Capabilities list.
    """
    connectors: Annotated[list[Connector] | None, Field(min_length=1)] = None
    """
    At least one connector; only one usable at a time.
    """
    floor_level: Annotated[str | None, Field(max_length=4, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Floor (local numbering).
    """
    coordinates: GeoLocation | None = None
    """
    EVSE coordinates.
    """
    physical_reference: Annotated[
        str | None, Field(max_length=16, pattern="^[^\\x00-\\x1F\\x7F]*$")
    ] = None
    """
    Number/string printed on the EVSE.
    """
    directions: list[DisplayText] | None = None
    """
    Directions from the Location point to the EVSE.
    """
    parking_restrictions: list[ParkingRestriction] | None = None
    """
    Parking restrictions of the spot.
    """
    images: list[Image] | None = None
    """
    Images.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last change of the EVSE or any of its Connectors.
    """


class Hours(BaseModel):
    """
    §8.4.14
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    twentyfourseven: bool
    """
    Open 24/7 (except exceptional closings).
    """
    regular_hours: list[RegularHours] | None = None
    """
    Weekday periods; only when twentyfourseven=false, then at least one entry required.
    """
    exceptional_openings: list[ExceptionalPeriod] | None = None
    """
    Extra open periods (add to regular hours; may overlap).
    """
    exceptional_closings: list[ExceptionalPeriod] | None = None
    """
    Closed periods; override regular hours and openings; should not overlap openings.
    """


class Location(BaseModel):
    """
    §8.3.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    country_code: Annotated[str, Field(max_length=2, pattern="^[A-Za-z]{2}$")]
    """
    Country code of the owning CPO.
    """
    party_id: Annotated[str, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")]
    """
    Party id of the owning CPO.
    """
    id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Unique within CPO platform; immutable.
    """
    publish: bool
    """
    May be shown publicly. If false, only show to owners of tokens matching `publish_allowed_to`. Mixed publish/non-publish EVSEs => split into two Locations.
    """
    publish_allowed_to: list[PublishTokenType] | None = None
    """
    Only allowed when publish=false. A token owner may see the location if their token matches all set fields of one entry.
    """
    name: Annotated[str | None, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Display name.
    """
    address: Annotated[str, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    Street + house number. (Was string(45) in earlier 2.2.1 editions; erratum raised to 255.)
    """
    city: Annotated[str, Field(max_length=45, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    City/town.
    """
    postal_code: Annotated[str | None, Field(max_length=10, pattern="^[^\\x00-\\x1F\\x7F]*$")] = (
        None
    )
    """
    Omit only if location has no postal code.
    """
    state: Annotated[str | None, Field(max_length=45, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    State/province, only when relevant. (Was string(20) earlier; erratum raised to 45.)
    """
    country: Annotated[str, Field(max_length=3, pattern="^[A-Z]{3}$")]
    """
    ISO 3166-1 alpha-3 country code (note: alpha-3 here, alpha-2 in country_code).
    """
    coordinates: GeoLocation
    """
    WGS84 coordinates.
    """
    related_locations: list[AdditionalGeoLocation] | None = None
    """
    Related points (entrances, etc.).
    """
    parking_type: ParkingType | None = None
    """
    General type of parking.
    """
    evses: list[EVSE] | None = None
    """
    EVSEs of this location.
    """
    directions: list[DisplayText] | None = None
    """
    Human readable directions, multi-language.
    """
    operator: BusinessDetails | None = None
    """
    Operator details; if absent, use business details of the CPO role (credentials) with this country_code/party_id.
    """
    suboperator: BusinessDetails | None = None
    """
    Suboperator details.
    """
    owner: BusinessDetails | None = None
    """
    Owner details.
    """
    facilities: list[Facility] | None = None
    """
    Facilities the location directly belongs to.
    """
    time_zone: Annotated[str, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")]
    """
    IANA tz name, e.g. "Europe/Oslo". Used to interpret local times in Hours and TariffRestrictions.
    """
    opening_times: Hours | None = None
    """
    When EVSEs can be accessed for charging (the spec does not say what absence means).
    """
    charging_when_closed: bool | None = None
    """
    Charging continues outside opening hours. Default true.
    """
    images: list[Image] | None = None
    """
    Images (photos/logos).
    """
    energy_mix: EnergyMix | None = None
    """
    Energy mix supplied here.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last change of the Location or ANY of its EVSEs/Connectors.
    """


class LocationPatch(BaseModel):
    """
    §8.3.1, §4.1.4: PATCH body for Location: any subset of its fields, `last_updated` always required.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    country_code: Annotated[str | None, Field(max_length=2, pattern="^[A-Za-z]{2}$")] = None
    """
    Country code of the owning CPO.
    """
    party_id: Annotated[str | None, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")] = None
    """
    Party id of the owning CPO.
    """
    id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Unique within CPO platform; immutable.
    """
    publish: bool | None = None
    """
    May be shown publicly. If false, only show to owners of tokens matching `publish_allowed_to`. Mixed publish/non-publish EVSEs => split into two Locations.
    """
    publish_allowed_to: list[PublishTokenType] | None = None
    """
    Only allowed when publish=false. A token owner may see the location if their token matches all set fields of one entry.
    """
    name: Annotated[str | None, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Display name.
    """
    address: Annotated[str | None, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Street + house number. (Was string(45) in earlier 2.2.1 editions; erratum raised to 255.)
    """
    city: Annotated[str | None, Field(max_length=45, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    City/town.
    """
    postal_code: Annotated[str | None, Field(max_length=10, pattern="^[^\\x00-\\x1F\\x7F]*$")] = (
        None
    )
    """
    Omit only if location has no postal code.
    """
    state: Annotated[str | None, Field(max_length=45, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    State/province, only when relevant. (Was string(20) earlier; erratum raised to 45.)
    """
    country: Annotated[str | None, Field(max_length=3, pattern="^[A-Z]{3}$")] = None
    """
    ISO 3166-1 alpha-3 country code (note: alpha-3 here, alpha-2 in country_code).
    """
    coordinates: GeoLocation | None = None
    """
    WGS84 coordinates.
    """
    related_locations: list[AdditionalGeoLocation] | None = None
    """
    Related points (entrances, etc.).
    """
    parking_type: ParkingType | None = None
    """
    General type of parking.
    """
    evses: list[EVSE] | None = None
    """
    EVSEs of this location.
    """
    directions: list[DisplayText] | None = None
    """
    Human readable directions, multi-language.
    """
    operator: BusinessDetails | None = None
    """
    Operator details; if absent, use business details of the CPO role (credentials) with this country_code/party_id.
    """
    suboperator: BusinessDetails | None = None
    """
    Suboperator details.
    """
    owner: BusinessDetails | None = None
    """
    Owner details.
    """
    facilities: list[Facility] | None = None
    """
    Facilities the location directly belongs to.
    """
    time_zone: Annotated[str | None, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    IANA tz name, e.g. "Europe/Oslo". Used to interpret local times in Hours and TariffRestrictions.
    """
    opening_times: Hours | None = None
    """
    When EVSEs can be accessed for charging (the spec does not say what absence means).
    """
    charging_when_closed: bool | None = None
    """
    Charging continues outside opening hours. Default true.
    """
    images: list[Image] | None = None
    """
    Images (photos/logos).
    """
    energy_mix: EnergyMix | None = None
    """
    Energy mix supplied here.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last change of the Location or ANY of its EVSEs/Connectors.
    """


class ReserveNow(BaseModel):
    """
    §13.3.4
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    response_url: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    Where to POST the CommandResult.
    """
    token: Token
    """
    Token (already authorized by the eMSP) to reserve for.
    """
    expiry_date: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Reservation end (UTC).
    """
    reservation_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Id; same id + same Location replaces existing reservation.
    """
    location_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Location.id.
    """
    evse_uid: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Specific EVSE (optional).
    """
    authorization_reference: Annotated[
        str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")
    ] = None
    """
    eMSP reference to appear in Session/CDR.
    """


class SetChargingProfile(BaseModel):
    """
    §14.5.5
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    charging_profile: ChargingProfile
    """
    The profile (limits over time).
    """
    response_url: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    Where to POST the ChargingProfileResult.
    """


class SignedData(BaseModel):
    """
    §10.4.7
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    encoding_method: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Encoding name, e.g. OCMF, "Alfen Eichrecht", "EDL40 E-Mobility Extension", "EDL40 Mennekes".
    """
    encoding_method_version: int | None = None
    """
    Encoding version.
    """
    public_key: Annotated[str | None, Field(max_length=512, pattern="^[^\\x00-\\x1F\\x7F]*$")] = (
        None
    )
    """
    Base64 public key.
    """
    signed_values: Annotated[list[SignedValue], Field(min_length=1)]
    """
    Signed values.
    """
    url: Annotated[str | None, Field(max_length=512, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    URL where the driver can verify the signed data (type column says CiString link but string(512)).
    """


class StartSession(BaseModel):
    """
    §13.3.5
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    response_url: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    Where to POST the CommandResult.
    """
    token: Token
    """
    Token (already authorized by the eMSP) to start with.
    """
    location_id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Location.id.
    """
    evse_uid: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    EVSE.uid (optional; required when connector_id set).
    """
    connector_id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Connector.id; required if EVSE has START_SESSION_CONNECTOR_REQUIRED (added 2.2.1).
    """
    authorization_reference: Annotated[
        str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")
    ] = None
    """
    eMSP reference to appear in Session/CDR.
    """


class TariffElement(BaseModel):
    """
    §11.4.4
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    """
    Price components.
    """
    restrictions: TariffRestrictions | None = None
    """
    When this element applies; absent = always.
    """


class LocationListResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is LocationList.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: list[Location]
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class LocationResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is Location.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Location
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class EVSEResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is EVSE.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: EVSE
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class AuthorizationInfoResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is AuthorizationInfo.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: AuthorizationInfo
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class CommandResponseEnvelope(BaseModel):
    """
    §4.1.7: response envelope whose `data` is CommandResponse.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: CommandResponse
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class ActiveChargingProfile(BaseModel):
    """
    §14.6.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    start_date_time: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    When the Charge Point calculated it; all offsets relative to this.
    """
    charging_profile: ChargingProfile
    """
    The profile.
    """


class ActiveChargingProfileResult(BaseModel):
    """
    §14.5.2
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    result: ChargingProfileResultType
    """
    Whether the EVSE could process the request.
    """
    profile: ActiveChargingProfile | None = None
    """
    The ActiveChargingProfile when result=ACCEPTED.
    """


class Credentials(BaseModel):
    """
    §7.3.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    token: Annotated[str, Field(max_length=64, pattern="^[\\x21-\\x7E]+$")]
    """
    Credentials token the *other* party must use to call *you*. Printable non-whitespace ASCII only (U+0021..U+007E). Plain value, NOT base64 in the body.
    """
    url: Annotated[
        str, Field(max_length=255, pattern="^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F]+$")
    ]
    """
    URL of *your* versions endpoint.
    """
    roles: Annotated[list[CredentialsRole], Field(min_length=1)]
    """
    Roles (role + party id + country code + business details) hosted by your platform. Each (role, party_id, country_code) combination must be unique.
    """


class Tariff(BaseModel):
    """
    §11.3.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    country_code: Annotated[str, Field(max_length=2, pattern="^[A-Za-z]{2}$")]
    """
    Country code of the owning CPO.
    """
    party_id: Annotated[str, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")]
    """
    Party id of the owning CPO.
    """
    id: Annotated[str, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")]
    """
    Unique within CPO platform.
    """
    currency: Annotated[str, Field(max_length=3, pattern="^[A-Z]{3}$")]
    """
    ISO 4217.
    """
    type: TariffType | None = None
    """
    Tariff type (for charging preferences / ad hoc). Absent = valid for all sessions.
    """
    tariff_alt_text: list[DisplayText] | None = None
    """
    Alternative human readable text; if elements also given, only additional info (no duplicate prices).
    """
    tariff_alt_url: URL | None = None
    """
    Web page explaining the tariff.
    """
    min_price: Price | None = None
    """
    Minimum session cost (excl and incl VAT both apply).
    """
    max_price: Price | None = None
    """
    Maximum session cost (excl and incl VAT both apply).
    """
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    """
    Tariff elements (first matching element per dimension wins).
    """
    start_date_time: DateTime | None = None
    """
    Becomes active (UTC).
    """
    end_date_time: DateTime | None = None
    """
    No longer valid after (UTC).
    """
    energy_mix: EnergyMix | None = None
    """
    Energy mix of this tariff.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last update.
    """


class CredentialsResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is Credentials.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Credentials
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class TariffListResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is TariffList.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: list[Tariff]
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class TariffResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is Tariff.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: Tariff
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class CDR(BaseModel):
    """
    §10.3.1
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    country_code: Annotated[str, Field(max_length=2, pattern="^[A-Za-z]{2}$")]
    """
    Country code of the owning CPO.
    """
    party_id: Annotated[str, Field(max_length=3, pattern="^[A-Za-z0-9]{3}$")]
    """
    Party id of the owning CPO.
    """
    id: Annotated[str, Field(max_length=39, pattern="^[\\x20-\\x7E]*$")]
    """
    Unique per country_code/party_id. Max 39 to allow suffix for credit CDRs; normal CDRs max 36.
    """
    start_date_time: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Session start (or reservation start).
    """
    end_date_time: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Session end.
    """
    session_id: Annotated[str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")] = None
    """
    Session.id; omit only if no Sessions module or reservation-only CDR.
    """
    cdr_token: CdrToken
    """
    Token used (as at session start).
    """
    auth_method: AuthMethod
    """
    Last auth method used during the session.
    """
    authorization_reference: Annotated[
        str | None, Field(max_length=36, pattern="^[\\x20-\\x7E]*$")
    ] = None
    """
    Same rule as Session.authorization_reference.
    """
    cdr_location: CdrLocation
    """
    Location snapshot incl. only the used EVSE/connector.
    """
    meter_id: Annotated[str | None, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Meter id.
    """
    currency: Annotated[str, Field(max_length=3, pattern="^[A-Z]{3}$")]
    """
    ISO 4217 currency.
    """
    tariffs: list[Tariff] | None = None
    """
    Relevant tariffs (as at start); include free-of-charge tariff when relevant.
    """
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    """
    At least one; new period at every cost-relevant change.
    """
    signed_data: SignedData | None = None
    """
    Signed meter data (Eichrecht).
    """
    total_cost: Price
    """
    Total cost (credit CDR: negative).
    """
    total_fixed_cost: Price | None = None
    """
    Fixed costs (e.g. start fee), excluding fixed parking/reservation parts.
    """
    total_energy: float
    """
    Total energy in kWh.
    """
    total_energy_cost: Price | None = None
    """
    Energy cost.
    """
    total_time: float
    """
    Total duration in hours (charging + not charging).
    """
    total_time_cost: Price | None = None
    """
    Cost of charging time.
    """
    total_parking_time: float | None = None
    """
    Hours not charging. Charging time = total_time - total_parking_time.
    """
    total_parking_cost: Price | None = None
    """
    Parking cost incl. fixed parts.
    """
    total_reservation_cost: Price | None = None
    """
    Reservation cost incl. fixed parts.
    """
    remark: Annotated[str | None, Field(max_length=255, pattern="^[^\\x00-\\x1F\\x7F]*$")] = None
    """
    Human readable remark (e.g. stop reason).
    """
    invoice_reference_id: Annotated[
        str | None, Field(max_length=39, pattern="^[\\x20-\\x7E]*$")
    ] = None
    """
    Invoice reference.
    """
    credit: bool | None = None
    """
    True = credit CDR; then credit_reference_id required.
    """
    credit_reference_id: Annotated[str | None, Field(max_length=39, pattern="^[\\x20-\\x7E]*$")] = (
        None
    )
    """
    id of the credited CDR (required for credit CDRs).
    """
    home_charging_compensation: bool | None = None
    """
    True = home charging whose energy cost is reimbursed to the driver.
    """
    last_updated: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    Last update (for CDRs effectively creation time).
    """


class CDRListResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is CDRList.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: list[CDR]
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """


class CDRResponse(BaseModel):
    """
    §4.1.7: response envelope whose `data` is CDR.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    data: CDR
    status_code: Annotated[int, Field(ge=1000, le=1999)]
    """
    §5: 1000 generic success; 1900-1999 custom success codes.
    """
    status_message: str | None = None
    timestamp: Annotated[
        str,
        Field(
            max_length=25,
            pattern="^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?Z?$",
        ),
    ]
    """
    §16.2: RFC 3339, always UTC; a missing zone designator means UTC. Offsets such as +00:00 are not allowed.
    """
