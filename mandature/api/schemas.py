"""What the API answers: explicit schemas (never a model dumped whole: no birth date, no hash)."""

from datetime import date, datetime

from ninja import Schema


class RegionOut(Schema):
    code: str
    name: str
    zone: str


class DepartementOut(Schema):
    code: str
    name: str
    region: str
    zone: str


class EpciOut(Schema):
    siren: str
    name: str
    kind: str
    population: int | None
    communes: int


class CommuneOut(Schema):
    code: str
    name: str
    departement: str
    region: str
    epci: str | None
    population: int | None
    postal_codes: list[str]
    latitude: float | None
    longitude: float | None


class CorrectionOut(Schema):
    by: str
    at: datetime
    directory_value: str


class MairieOut(Schema):
    """A mairie's contact: the directory's values with colleagues' corrections applied;
    `corrected` names the corrected fields, who corrected them and what the directory says."""

    title: str
    kind: str
    address_lines: list[str]
    email: str
    phone: str
    website: str
    opening_hours: str
    accessibility: str
    source: str
    source_date: date
    in_directory: bool
    corrected: dict[str, CorrectionOut]


class CommuneDetailOut(CommuneOut):
    mairie: MairieOut | None


class MandateOut(Schema):
    kind: str
    kind_label: str
    function: str
    function_code: str
    function_rank: int | None
    function_start: date | None
    mandate_start: date
    commune: str | None
    epci: str | None
    departement: str | None
    region: str | None
    territory: str


class OfficialOut(Schema):
    """A person as the RNE lists them (age band only: never a birth date)."""

    id: int
    first_name: str
    last_name: str
    sex: str
    age_band: str


class OfficialSeatOut(Schema):
    official: OfficialOut
    seat: MandateOut


class OfficialDetailOut(OfficialOut):
    mandates: list[MandateOut]


class SnapshotOut(Schema):
    id: int
    kind: str
    kind_label: str
    data_date: date
    file_name: str
    rows: int
    entries: int
    covered_communes: int
    imported_at: datetime


class ChangeOut(Schema):
    type: str
    type_label: str
    commune: str | None
    epci: str | None
    departement: str | None
    region: str | None
    territory: str
    official: OfficialOut | None
    function: str
    previous_official: OfficialOut | None
    first_time: bool


class ChangesOut(Schema):
    kind: str
    before: SnapshotOut
    after: SnapshotOut
    counts: dict[str, int]
    items: list[ChangeOut]
    count: int


class HousingYearOut(Schema):
    year: int
    population: int | None
    housing_units: int | None
    social_units: int | None
    social_rate: float | None
    benefit_recipients: int | None
    qpv_population: int | None


class SruOut(Schema):
    official: bool
    subject: bool | None
    summary: str
    target_rate: int | None
    rate: float | None
    deficit: int | None
    year: int | None


class HousingOut(Schema):
    commune: str
    name: str
    years: list[HousingYearOut]
    sru: SruOut
    missing: list[str]
    method: str


class ContactOut(Schema):
    official: OfficialOut
    salutation: str
    email: str
    phone: str
    office: str
    assistant_name: str
    assistant_email: str
    assistant_phone: str
    postal_address: str
    preferred_channel: str
    objects_to_contact: bool
    tags: list[str]
    updated_at: datetime


class InteractionOut(Schema):
    id: int
    kind: str
    kind_label: str
    date: date
    officials: list[OfficialOut]
    commune: str | None
    epci: str | None
    organisation: str | None
    summary: str
    follow_up: str
    source: str
    created_at: datetime


class SessionOut(Schema):
    id: int
    label: str
    starts_at: datetime
    ends_at: datetime | None
    capacity: int | None


class EventOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    organisation: str | None
    commune: str | None
    place: str
    online_url: str
    sessions: list[SessionOut]


class RegistrationOut(Schema):
    id: int
    session: int
    status: str
    seats: int
    official: OfficialOut | None
    name: str
    commune: str | None
    answer: str
    slot_start: datetime | None
    checked_in_at: datetime | None
    created_at: datetime
