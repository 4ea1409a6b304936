"""Synthetic matchmaking events shaped like real ones, for tests, examples and benchmarks.

:func:`generate` builds a :class:`~matchsched.model.Event` from a handful of size parameters and
a seed. The same arguments always give the same event (a :class:`numpy.random.Generator` drives
every choice), and every event it returns is valid, since it is built through the models.

What makes the events realistic:

- **Organizations** of 1 to 10 people, all from one country: mostly small companies or clusters
  sending one or two people, and *visiting delegations* of 4 to 10 people from outside the EU.
  Visitors mostly ask to meet local participants (from the host country).
- **Popularity skew**: every participant has a lognormal attractiveness (a few are asked by
  many) and a lognormal activity (a few send many requests). Nobody asks a colleague.
- **Priorities**: mutual interest (both asked, or the platform matched them) is one request with
  priority 3; one-sided requests have priority 1 or 2 (the requester's rating).
- **Attendance**: some people come for one day or one session only, a few block some slots
  (a talk to give), fewer cap their number of meetings or would rather skip the first slot of
  the day. Exhibitors and visiting delegations attend throughout. Nobody asks someone they
  never share a session with.
- **Exhibitors** host all their meetings at their own booth: location ``booth-N`` with one table.

Tables are sized from the demand: a location gets
``ceil(table_ratio * meeting_slots / total_slots)`` tables (at least one), where
``meeting_slots`` is the summed ``length`` of the requests that will be held there and
``total_slots`` counts every slot of every session. Requests with an exhibitor go to the booth,
3-party meetings of a trade fair to the meeting rooms, and every other request to the ``hall``.
So with ``table_ratio=0.8`` the hall could hold 80 % of the requested meetings if they were
spread evenly over the event. Interpreter capacities are sized the same way.
"""

from __future__ import annotations

import math
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from matchsched.model import Event

__all__ = ["KINDS", "generate"]

KINDS = ("brokerage", "cluster", "tradefair")
"""The kinds of event :func:`generate` knows."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

LOCAL, EUROPEAN, VISITOR = 0, 1, 2


@dataclass(frozen=True)
class _Profile:
    """How one kind of event differs from the others."""

    title: str
    """Event name pattern, with ``{city}`` and ``{year}``."""
    delegation_word: str
    """What a visiting delegation is called: ``"Japan {word} delegation"``."""
    visitor_share: float
    """Share of participants in visiting delegations."""
    local_share: float
    """Share of the other organizations from the host country."""
    size_exponent: float
    """Organization sizes 1..10 are drawn with probability ~ size ** -exponent."""
    cluster_names: bool
    """Organizations are clusters (``Saxony Photonics Cluster``), not companies."""
    exhibitor_share: float
    """Share of participants hosting meetings at their own booth."""
    exhibitor_appeal: float
    """Attractiveness multiplier of an exhibitor."""
    visitor_to_local: float
    """Share of a visitor's requests sent to local participants."""
    mutual_share: float
    """Share of requests marked mutual (priority 3) on top of those asked both ways."""
    high_priority_share: float
    """Share of one-sided requests rated 2 rather than 1."""
    organization_request_share: float
    """Share of requests made to an organization rather than a person."""
    group_share: float = 0.0
    """Share of requests turned into 3-party meetings (a colleague joins)."""
    long_share: float = 0.0
    """Share of requests lasting two slots."""
    interpreter_share: float = 0.0
    """Share of the requests with a visitor needing an interpreter that book one."""
    hall_seats: int | None = 4


_PROFILES = {
    "brokerage": _Profile(
        title="EEN Brokerage Event {city} {year}",
        delegation_word="business",
        visitor_share=0.10,
        local_share=0.40,
        size_exponent=2.2,
        cluster_names=False,
        exhibitor_share=0.02,
        exhibitor_appeal=1.5,
        visitor_to_local=0.75,
        mutual_share=0.12,
        high_priority_share=0.35,
        organization_request_share=0.02,
    ),
    "cluster": _Profile(
        title="EU Cluster Matchmaking {city} {year}",
        delegation_word="cluster",
        visitor_share=0.15,
        local_share=0.20,
        size_exponent=2.6,
        cluster_names=True,
        exhibitor_share=0.03,
        exhibitor_appeal=1.5,
        visitor_to_local=0.6,
        mutual_share=0.15,
        high_priority_share=0.35,
        organization_request_share=0.10,
    ),
    "tradefair": _Profile(
        title="{city} Trade Fair Partnering {year}",
        delegation_word="buyers",
        visitor_share=0.25,
        local_share=0.45,
        size_exponent=1.8,
        cluster_names=False,
        exhibitor_share=0.15,
        exhibitor_appeal=2.0,
        visitor_to_local=0.75,
        mutual_share=0.10,
        high_priority_share=0.30,
        organization_request_share=0.03,
        group_share=0.06,
        long_share=0.05,
        interpreter_share=0.6,
        hall_seats=2,
    ),
}

# Shares of the participants that are neither exhibitors nor visitors.
_ONE_DAY_SHARE = 0.15
_ONE_SESSION_SHARE = 0.08
_UNAVAILABLE_SHARE = 0.08
_UNPREFERRED_SHARE = 0.05
_MAX_MEETINGS_SHARE = 0.04


@dataclass(frozen=True)
class _Country:
    code: str
    name: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    """Family names; ``"male|female"`` where the form depends on gender."""
    suffix: str
    """Legal form of a company."""
    regions: tuple[str, ...]
    language: str | None = None
    """Language a visiting delegation needs an interpreter for, if any."""


_EUROPE = (
    _Country(
        "DE", "Germany", ("Anna", "Julia", "Katrin", "Sabine"),
        ("Lukas", "Felix", "Jonas", "Matthias"),
        ("Müller", "Schmidt", "Fischer", "Weber", "Becker", "Hoffmann", "Schulz", "Keller"),
        "GmbH", ("Saxony", "Bavaria", "Baden-Württemberg", "Lower Saxony", "Hamburg", "Thuringia"),
    ),
    _Country(
        "FR", "France", ("Camille", "Claire", "Élodie", "Sophie"),
        ("Julien", "Nicolas", "Thomas", "Mathieu"),
        ("Martin", "Bernard", "Dubois", "Laurent", "Moreau", "Lefèvre", "Girard", "Roux"),
        "SAS", ("Auvergne-Rhône-Alpes", "Occitanie", "Bretagne", "Grand Est", "Normandie"),
    ),
    _Country(
        "IT", "Italy", ("Giulia", "Francesca", "Chiara", "Elena"),
        ("Marco", "Luca", "Alessandro", "Matteo"),
        ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Conti"),
        "S.r.l.", ("Lombardy", "Veneto", "Emilia-Romagna", "Piedmont", "Tuscany", "Apulia"),
    ),
    _Country(
        "ES", "Spain", ("Lucía", "Carmen", "Marta", "Laura"),
        ("Javier", "Pablo", "Alejandro", "Diego"),
        ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Ortega"),
        "S.L.", ("Andalusia", "Catalonia", "Basque", "Valencia", "Galicia", "Aragon"),
    ),
    _Country(
        "NL", "Netherlands", ("Sanne", "Lotte", "Eva", "Femke"), ("Daan", "Bram", "Joris", "Thijs"),
        ("de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer"),
        "B.V.", ("Brabant", "Gelderland", "Limburg", "Groningen", "Utrecht", "Twente"),
    ),
    _Country(
        "BE", "Belgium", ("Lies", "Marie", "Charlotte", "Elke"),
        ("Pieter", "Wouter", "Maxime", "Arnaud"),
        ("Peeters", "Janssens", "Maes", "Claes", "Lambert", "Wouters", "Dupont", "Willems"),
        "NV", ("Flanders", "Wallonia", "Brussels", "Antwerp", "Liège", "Ghent"),
    ),
    _Country(
        "AT", "Austria", ("Lena", "Theresa", "Magdalena", "Verena"),
        ("Florian", "Stefan", "Andreas", "Christoph"),
        ("Gruber", "Huber", "Bauer", "Wagner", "Pichler", "Steiner", "Moser", "Mayer"),
        "GmbH", ("Upper Austria", "Styria", "Tyrol", "Vienna", "Carinthia", "Salzburg"),
    ),
    _Country(
        "PL", "Poland", ("Agnieszka", "Katarzyna", "Magdalena", "Joanna"),
        ("Piotr", "Tomasz", "Paweł", "Michał"),
        ("Nowak", "Wójcik", "Kowalczyk", "Mazur", "Kowalski|Kowalska", "Wiśniewski|Wiśniewska",
         "Zając", "Lewandowski|Lewandowska"),
        "Sp. z o.o.", ("Silesia", "Lesser Poland", "Pomerania", "Masovia", "Subcarpathia"),
    ),
    _Country(
        "CZ", "Czechia", ("Jana", "Lucie", "Tereza", "Eva"), ("Petr", "Martin", "Jakub", "Tomáš"),
        ("Novák|Nováková", "Svoboda|Svobodová", "Dvořák|Dvořáková", "Černý|Černá",
         "Procházka|Procházková", "Kučera|Kučerová", "Veselý|Veselá", "Horák|Horáková"),
        "s.r.o.", ("South Moravia", "Moravia-Silesia", "Central Bohemia", "Prague", "Plzeň"),
    ),
    _Country(
        "SE", "Sweden", ("Emma", "Sara", "Karin", "Linnea"), ("Erik", "Johan", "Anders", "Oskar"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Lindqvist",
         "Berg"),
        "AB", ("Skåne", "Västra Götaland", "Stockholm", "Östergötland", "Norrbotten"),
    ),
    _Country(
        "FI", "Finland", ("Aino", "Laura", "Emilia", "Heidi"), ("Mikko", "Juha", "Antti", "Ville"),
        ("Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Heikkinen",
         "Koskinen"),
        "Oy", ("Uusimaa", "Pirkanmaa", "Ostrobothnia", "Lapland", "Southwest Finland"),
    ),
    _Country(
        "DK", "Denmark", ("Ida", "Sofie", "Mette", "Line"), ("Mads", "Rasmus", "Søren", "Frederik"),
        ("Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
         "Sørensen"),
        "ApS", ("Central Jutland", "North Jutland", "Zealand", "Southern Denmark", "Funen"),
    ),
    _Country(
        "PT", "Portugal",
        ("Inês", "Beatriz", "Mariana", "Sofia"), ("João", "Tiago", "Rui", "Miguel"),
        ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Almeida"),
        "Lda.", ("Norte", "Centro", "Lisbon", "Alentejo", "Algarve"),
    ),
    _Country(
        "IE", "Ireland",
        ("Aoife", "Siobhán", "Niamh", "Ciara"), ("Conor", "Cian", "Darragh", "Seán"),
        ("Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne", "Ryan", "O'Brien", "Doyle"),
        "Ltd", ("Munster", "Leinster", "Connacht", "Cork", "Galway"),
    ),
    _Country(
        "GR", "Greece", ("Eleni", "Maria", "Katerina", "Sofia"),
        ("Giorgos", "Dimitris", "Nikos", "Kostas"),
        ("Papadopoulos|Papadopoulou", "Georgiou", "Nikolaou", "Ioannou",
         "Konstantinidis|Konstantinidou", "Vlachos|Vlachou", "Pappas|Pappa", "Oikonomou"),
        "S.A.", ("Attica", "Central Macedonia", "Crete", "Thessaly", "Epirus"),
    ),
    _Country(
        "HU", "Hungary", ("Eszter", "Réka", "Zsófia", "Katalin"),
        ("Bence", "Gábor", "Dávid", "Péter"),
        ("Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár"),
        "Kft.", ("Central Hungary", "Western Transdanubia", "Northern Great Plain", "Pest"),
    ),
    _Country(
        "RO", "Romania", ("Ioana", "Elena", "Alexandra", "Cristina"),
        ("Andrei", "Mihai", "Radu", "Bogdan"),
        ("Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica", "Gheorghe", "Munteanu"),
        "S.R.L.", ("Transylvania", "Banat", "Moldavia", "Bucharest-Ilfov", "Oltenia"),
    ),
    _Country(
        "SI", "Slovenia", ("Maja", "Nina", "Tina", "Špela"), ("Luka", "Jure", "Matej", "Gregor"),
        ("Novak", "Horvat", "Kovačič", "Krajnc", "Zupančič", "Potočnik", "Kovač", "Mlakar"),
        "d.o.o.", ("Central Slovenia", "Styria", "Gorenjska", "Primorska", "Dolenjska"),
    ),
)  # fmt: skip

_VISITING = (
    _Country(
        "JP", "Japan",
        ("Yuki", "Aiko", "Haruka", "Emi"), ("Hiroshi", "Takeshi", "Kenji", "Daisuke"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
        "K.K.", ("Kanto", "Kansai", "Chubu", "Kyushu", "Tohoku"), "ja",
    ),
    _Country(
        "CA", "Canada", ("Emily", "Sarah", "Chloé", "Olivia"), ("Liam", "Noah", "Étienne", "Ryan"),
        ("Smith", "Tremblay", "Brown", "Roy", "Wilson", "Gagnon", "MacDonald", "Lee"),
        "Inc.", ("Ontario", "Quebec", "British Columbia", "Alberta", "Nova Scotia"),
    ),
    _Country(
        "KR", "South Korea", ("Ji-woo", "Min-seo", "Seo-yeon", "Ha-eun"),
        ("Min-jun", "Seo-jun", "Do-yun", "Ji-ho"),
        ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"),
        "Co., Ltd.", ("Gyeonggi", "Busan", "Daegu", "Incheon", "Daejeon"), "ko",
    ),
    _Country(
        "BR", "Brazil", ("Ana", "Juliana", "Fernanda", "Camila"),
        ("Pedro", "Rafael", "Gustavo", "Lucas"),
        ("Souza", "Oliveira", "Lima", "Carvalho", "Ribeiro", "Almeida", "Barbosa", "Rocha"),
        "Ltda.", ("São Paulo", "Minas Gerais", "Paraná", "Santa Catarina", "Bahia"), "pt",
    ),
    _Country(
        "IN", "India",
        ("Priya", "Ananya", "Kavya", "Deepa"), ("Arjun", "Rahul", "Vikram", "Sanjay"),
        ("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Mehta"),
        "Pvt. Ltd.", ("Maharashtra", "Karnataka", "Tamil Nadu", "Gujarat", "Telangana"),
    ),
    _Country(
        "CN", "China", ("Mei", "Xia", "Lin", "Jing"), ("Wei", "Jun", "Hao", "Lei"),
        ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao"),
        "Co., Ltd.", ("Guangdong", "Jiangsu", "Zhejiang", "Shandong", "Sichuan"), "zh",
    ),
    _Country(
        "UA", "Ukraine", ("Olena", "Iryna", "Kateryna", "Oksana"),
        ("Andriy", "Oleksandr", "Dmytro", "Serhiy"),
        ("Shevchenko", "Bondarenko", "Kovalenko", "Tkachenko", "Kravchenko", "Melnyk", "Boyko",
         "Marchenko"),
        "LLC", ("Kyiv", "Lviv", "Kharkiv", "Dnipro", "Odesa"),
    ),
    _Country(
        "MA", "Morocco", ("Fatima", "Salma", "Imane", "Nadia"),
        ("Youssef", "Mehdi", "Karim", "Omar"),
        ("El Amrani", "Benali", "Tazi", "Alaoui", "Bennani", "Idrissi", "Chraibi", "Berrada"),
        "SARL", ("Casablanca-Settat", "Rabat-Salé-Kénitra", "Tanger-Tétouan", "Souss-Massa"),
    ),
)  # fmt: skip

_COUNTRIES = _EUROPE + _VISITING

_HOSTS = (
    ("Hannover", "DE", "Europe/Berlin"),
    ("Milan", "IT", "Europe/Rome"),
    ("Lyon", "FR", "Europe/Paris"),
    ("Barcelona", "ES", "Europe/Madrid"),
    ("Vienna", "AT", "Europe/Vienna"),
    ("Katowice", "PL", "Europe/Warsaw"),
    ("Eindhoven", "NL", "Europe/Amsterdam"),
    ("Ghent", "BE", "Europe/Brussels"),
    ("Tampere", "FI", "Europe/Helsinki"),
    ("Porto", "PT", "Europe/Lisbon"),
    ("Brno", "CZ", "Europe/Prague"),
    ("Gothenburg", "SE", "Europe/Stockholm"),
)

_SECTORS = (
    "Robotics", "Photonics", "Medtech", "Biotech", "Software", "Energy", "Cleantech",
    "Materials", "Foods", "Logistics", "Aerospace", "Automotive", "Textiles", "Water",
    "Agritech", "Packaging", "Sensors", "Plastics", "Mobility", "Analytics",
)  # fmt: skip


@dataclass(frozen=True)
class _Crowd:
    """The participants as arrays, indexed by participant (organizations are contiguous)."""

    organization: IntArray
    """Organization index of each participant."""
    organization_start: IntArray
    """First participant of each organization."""
    organization_size: IntArray
    organization_country: IntArray
    """Index into ``_COUNTRIES``."""
    organization_visiting: BoolArray
    role: IntArray
    """LOCAL, EUROPEAN or VISITOR."""
    attendance: IntArray
    """Bit mask of the sessions each participant attends."""
    exhibitor: BoolArray
    attractiveness: FloatArray
    activity: FloatArray

    @property
    def size(self) -> int:
        return len(self.organization)


def generate(
    kind: str = "brokerage",
    *,
    participants: int = 200,
    seed: int = 0,
    requests_per_participant: float = 10,
    days: int = 2,
    sessions_per_day: int = 2,
    slots_per_session: int = 9,
    slot_minutes: int = 20,
    table_ratio: float = 0.8,
    first_day: date = date(2025, 6, 10),
    timezone: str | None = None,
) -> Event:
    """A synthetic but realistic matchmaking event.

    Parameters
    ----------
    kind
        ``"brokerage"``: an Enterprise Europe Network brokerage event, companies meeting in
        pairs. ``"cluster"``: EU cluster matchmaking, cluster managers from many countries, some
        requests made to an organization rather than a person. ``"tradefair"``: trade-fair
        partnering with many exhibitors at booths, visiting buyer delegations with interpreters
        (resources), some 3-party and 2-slot meetings, a hall of 2-seat tables and meeting rooms
        with 8 seats.
    participants
        Exact number of participants (at least 2).
    seed
        Seed of the random generator; the same arguments give the same event.
    requests_per_participant
        Requests made per participant on average: the event has exactly
        ``round(participants * requests_per_participant)`` requests, each for a distinct pair
        (or group) of parties.
    days
        Consecutive days, starting on ``first_day``.
    sessions_per_day
        Sessions each day. The first starts at 09:00, the second at 14:00 (or an hour after the
        first ends, if later), further ones half an hour after the previous one ends.
        Session ids are ``d1-am``/``d1-pm`` with two sessions a day, else ``d1-s1``, ``d1-s2``...
    slots_per_session
        Slots of each session.
    slot_minutes
        Length of a slot in minutes.
    table_ratio
        Tables per location as a share of the demand per slot:
        ``ceil(table_ratio * meeting_slots / total_slots)``, at least 1 (see the module notes).
        Below 1 the tables are the bottleneck; well above 1 they are plentiful.
    first_day
        Date of the first day.
    timezone
        IANA time zone of the event; by default the host city's (the city is drawn from the
        seed among European trade-fair cities).

    Returns
    -------
    Event
        A valid event named after its kind, city and year.

    Raises
    ------
    ValueError
        On an unknown kind, a parameter out of range, or more requests than distinct pairs of
        participants from different organizations can provide.
    """
    profile = _profile(kind)
    _check_sizes(
        participants=participants,
        requests_per_participant=requests_per_participant,
        days=days,
        sessions_per_day=sessions_per_day,
        slots_per_session=slots_per_session,
        slot_minutes=slot_minutes,
        table_ratio=table_ratio,
    )
    if seed < 0:
        raise ValueError(f"seed: must be >= 0, got {seed}")
    rng = np.random.default_rng(seed)
    city, host_code, host_zone = _HOSTS[int(rng.integers(len(_HOSTS)))]
    zone = host_zone if timezone is None else timezone
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"timezone: unknown IANA time zone {zone!r}") from None
    host = next(i for i, country in enumerate(_COUNTRIES) if country.code == host_code)

    sessions = _sessions(days, sessions_per_day, slots_per_session, slot_minutes, first_day)
    crowd = _crowd(rng, profile, host, participants, days, sessions_per_day)
    request_count = round(participants * requests_per_participant)
    first, second, mutual = _pairs(rng, crowd, profile, request_count)
    requests = _requests(rng, crowd, profile, first, second, mutual, slots_per_session)

    total_slots = days * sessions_per_day * slots_per_session
    session_ids = [session["id"] for session in sessions]
    booths = np.flatnonzero(crowd.exhibitor)
    locations, resources = _capacities(crowd, profile, requests, total_slots, table_ratio)
    people = _participants(rng, crowd, booths, session_ids, sessions_per_day, slots_per_session)
    organizations = _organizations(rng, crowd, profile)

    title = profile.title.format(city=city, year=first_day.year)
    return Event.model_validate(
        {
            "name": title,
            "timezone": zone,
            "sessions": sessions,
            "locations": locations,
            "organizations": organizations,
            "resources": resources,
            "participants": people,
            "requests": requests.documents(),
        }
    )


def _profile(kind: str) -> _Profile:
    try:
        return _PROFILES[kind]
    except KeyError:
        raise ValueError(f"kind: unknown kind {kind!r} (choose from {', '.join(KINDS)})") from None


def _check_sizes(**sizes: float) -> None:
    minimum = {"participants": 2, "requests_per_participant": 0, "table_ratio": 0}
    for name, value in sizes.items():
        low = minimum.get(name, 1)
        if not math.isfinite(value) or value < low or (name == "table_ratio" and value == 0):
            bound = "> 0" if name == "table_ratio" else f">= {low}"
            raise ValueError(f"{name}: must be {bound}, got {value}")
    if sizes["days"] * sizes["sessions_per_day"] > 62:
        raise ValueError(
            f"days * sessions_per_day: at most 62 sessions, got "
            f"{sizes['days']} * {sizes['sessions_per_day']}"
        )


def _sessions(
    days: int, per_day: int, slots: int, minutes: int, first_day: date
) -> list[dict[str, Any]]:
    """Session documents: 09:00, 14:00, then half an hour after the previous one ends."""
    sessions: list[dict[str, Any]] = []
    length = timedelta(minutes=slots * minutes)
    for day in range(days):
        today = first_day + timedelta(days=day)
        start = datetime.combine(today, time(9, 0))
        for index in range(per_day):
            if index == 1:
                start = max(datetime.combine(today, time(14, 0)), start + timedelta(hours=1))
            elif index > 1:
                start += timedelta(minutes=30)
            if (start + length).date() != today and start + length != datetime.combine(
                today + timedelta(days=1), time(0, 0)
            ):
                raise ValueError(
                    f"sessions_per_day: {per_day} sessions of {slots} slots of {minutes} minutes "
                    "do not fit in a day starting at 09:00"
                )
            suffix = ("am", "pm")[index] if per_day == 2 else f"s{index + 1}"
            sessions.append(
                {
                    "id": f"d{day + 1}-{suffix}",
                    "start": start.isoformat(timespec="minutes"),
                    "slot_minutes": minutes,
                    "slots": slots,
                }
            )
            start += length
    return sessions


def _partition(rng: np.random.Generator, total: int, weights: FloatArray) -> IntArray:
    """Sizes 1..len(weights) drawn with these weights, summing to exactly ``total``."""
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    sizes = rng.choice(np.arange(1, len(weights) + 1), size=total, p=weights / weights.sum())
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, total)) + 1
    sizes = sizes[:count].astype(np.int64)
    sizes[-1] -= int(ends[count - 1]) - total
    return sizes


def _crowd(
    rng: np.random.Generator,
    profile: _Profile,
    host: int,
    count: int,
    days: int,
    per_day: int,
) -> _Crowd:
    visitors = round(profile.visitor_share * count)
    if visitors < 2:
        visitors = 0
    # Visiting delegations of 4-10 people (smaller only when there are few visitors).
    delegation_weights = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1], dtype=float)
    delegations = _partition(rng, visitors, delegation_weights)
    if len(delegations) > 1 and delegations[-1] < 4 and delegations[-2] + delegations[-1] <= 10:
        delegations = np.append(delegations[:-2], delegations[-2] + delegations[-1])
    companies = _partition(
        rng, count - visitors, np.arange(1, 11, dtype=float) ** -profile.size_exponent
    )
    if len(delegations) + len(companies) == 1 and count >= 2:
        companies = np.array([1, count - 1])  # nobody to meet in a single organization
    sizes = np.concatenate([delegations, companies]).astype(np.int64)
    visiting = np.arange(len(sizes)) < len(delegations)

    europe = np.array([i for i in range(len(_EUROPE)) if i != host], dtype=np.int64)
    country = np.where(
        rng.random(len(sizes)) < profile.local_share,
        host,
        europe[rng.integers(len(europe), size=len(sizes))],
    )
    # Each delegation from a different country while there are countries left.
    abroad = len(_EUROPE) + rng.permutation(len(_VISITING))
    country[visiting] = abroad[np.arange(len(delegations)) % len(abroad)]

    organization = np.repeat(np.arange(len(sizes)), sizes)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    role = np.where(
        visiting[organization],
        VISITOR,
        np.where(country[organization] == host, LOCAL, EUROPEAN),
    ).astype(np.int64)

    # One booth per exhibiting company, hosted by its first member.
    exhibitor = np.zeros(count, dtype=bool)
    local_organizations = np.flatnonzero(~visiting)
    booths = min(len(local_organizations), max(1, round(profile.exhibitor_share * count)))
    exhibitor[start[rng.choice(local_organizations, size=booths, replace=False)]] = True

    sessions = days * per_day
    everything = (1 << sessions) - 1
    attendance = np.full(count, everything, dtype=np.int64)
    day_mask = ((1 << per_day) - 1) << (per_day * np.arange(days, dtype=np.int64))
    draw = rng.random(count)
    partial = ~exhibitor & (role != VISITOR)
    if days > 1:
        one_day = partial & (draw < _ONE_DAY_SHARE)
        attendance[one_day] = day_mask[rng.integers(days, size=int(one_day.sum()))]
    if sessions > 1:
        one_session = (
            partial & (draw >= _ONE_DAY_SHARE) & (draw < _ONE_DAY_SHARE + _ONE_SESSION_SHARE)
        )
        chosen = rng.integers(sessions, size=int(one_session.sum()))
        attendance[one_session] = np.left_shift(1, chosen)

    attractiveness = np.minimum(rng.lognormal(0.0, 1.0, count), 10.0)
    attractiveness[exhibitor] *= profile.exhibitor_appeal
    activity = rng.lognormal(0.0, 0.6, count)
    activity[role == VISITOR] *= 1.5
    activity[exhibitor] *= 0.7
    # Who is there less often asks and is asked less.
    presence = _popcount(attendance) / sessions
    return _Crowd(
        organization=organization,
        organization_start=start,
        organization_size=sizes,
        organization_country=country.astype(np.int64),
        organization_visiting=visiting,
        role=role,
        attendance=attendance,
        exhibitor=exhibitor,
        attractiveness=attractiveness * np.sqrt(presence),
        activity=activity * np.sqrt(presence),
    )


def _popcount(masks: IntArray) -> IntArray:
    counts = np.zeros(len(masks), dtype=np.int64)
    rest = masks.copy()
    while rest.any():
        counts += rest & 1
        rest >>= 1
    return counts


def _draw(rng: np.random.Generator, cumulative: FloatArray, size: int) -> IntArray:
    """Indices drawn with probabilities proportional to the increments of ``cumulative``."""
    found = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    return np.minimum(found, len(cumulative) - 1).astype(np.int64)


def _pairs(
    rng: np.random.Generator, crowd: _Crowd, profile: _Profile, count: int
) -> tuple[IntArray, IntArray, BoolArray]:
    """``count`` distinct unordered pairs (requester, target) and whether both asked.

    Asks are drawn in batches (requester by activity, target by attractiveness, visitors
    mostly towards locals) until enough distinct eligible pairs exist; the weights flatten
    when a dense event stalls, and a small event falls back to listing every pair.
    """
    n = crowd.size
    if count == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=bool)
    if count > n * (n - 1) // 2:
        raise ValueError(
            f"requests_per_participant: {count} requests need more distinct pairs than "
            f"{n} participants have ({n * (n - 1) // 2})"
        )
    locals_ = np.flatnonzero(crowd.role == LOCAL)
    visitor = crowd.role == VISITOR
    requesters: list[IntArray] = []
    targets: list[IntArray] = []
    unique_count = 0
    for attempt in range(60):
        # Flatten the skew step by step if a dense event keeps drawing known pairs.
        sharpness = 1.0 / (1 + attempt // 4)
        activity = np.cumsum(crowd.activity**sharpness)
        attraction = crowd.attractiveness**sharpness
        everyone = np.cumsum(attraction)
        batch = int((count - unique_count) * 1.3) + 64
        requester = _draw(rng, activity, batch)
        target = _draw(rng, everyone, batch)
        if len(locals_):
            to_local = visitor[requester] & (rng.random(batch) < profile.visitor_to_local)
            target[to_local] = locals_[
                _draw(rng, np.cumsum(attraction[locals_]), int(to_local.sum()))
            ]
        eligible = _eligible(crowd, requester, target)
        requesters.append(requester[eligible])
        targets.append(target[eligible])
        keys = _pair_keys(np.concatenate(requesters), np.concatenate(targets), n)
        unique_count = len(np.unique(keys))
        if unique_count >= count:
            break
    requester = np.concatenate(requesters)
    target = np.concatenate(targets)
    if unique_count < count:
        requester, target = _fill_pairs(rng, crowd, requester, target, count)

    keys = _pair_keys(requester, target, n)
    # Both asked: the same pair drawn in both directions.
    directed = np.unique(keys * 2 + (requester < target))
    pair_of_directed, directions = np.unique(directed >> 1, return_counts=True)
    both = pair_of_directed[directions == 2]
    _, first_index = np.unique(keys, return_index=True)
    chosen = np.sort(first_index)[:count]
    return requester[chosen], target[chosen], np.isin(keys[chosen], both)


def _eligible(crowd: _Crowd, first: IntArray, second: IntArray) -> BoolArray:
    """Pairs that may meet: different organizations sharing at least one session."""
    return (crowd.organization[first] != crowd.organization[second]) & (
        (crowd.attendance[first] & crowd.attendance[second]) != 0
    )


def _pair_keys(first: IntArray, second: IntArray, n: int) -> IntArray:
    return np.minimum(first, second) * n + np.maximum(first, second)


def _fill_pairs(
    rng: np.random.Generator,
    crowd: _Crowd,
    requester: IntArray,
    target: IntArray,
    count: int,
) -> tuple[IntArray, IntArray]:
    """Add uniformly chosen unused eligible pairs; only dense (hence small) events get here."""
    n = crowd.size
    if n > 3000:
        raise ValueError(
            f"requests_per_participant: could not draw {count} distinct pairs among {n} "
            "participants"
        )
    first, second = np.triu_indices(n, 1)
    first = first.astype(np.int64)
    second = second.astype(np.int64)
    free = _eligible(crowd, first, second) & ~np.isin(
        first * n + second, _pair_keys(requester, target, n)
    )
    missing = count - len(np.unique(_pair_keys(requester, target, n)))
    candidates = np.flatnonzero(free)
    if len(candidates) < missing:
        raise ValueError(
            f"requests_per_participant: {count} requests need more distinct pairs of "
            f"participants from different organizations sharing a session than {n} "
            "participants have"
        )
    picked = rng.choice(candidates, size=missing, replace=False)
    swap = rng.random(missing) < 0.5
    new_requester = np.where(swap, second[picked], first[picked])
    new_target = np.where(swap, first[picked], second[picked])
    return np.concatenate([requester, new_requester]), np.concatenate([target, new_target])


@dataclass
class _Requests:
    """Requests as arrays: parties are participant indices, or organizations where flagged."""

    requester: IntArray
    target: IntArray
    target_is_organization: BoolArray
    third: IntArray
    """A colleague joining a 3-party meeting, or -1."""
    priority: IntArray
    length: IntArray
    resources: list[list[str]]

    def documents(self) -> list[dict[str, Any]]:
        """The requests as ``matchsched/event@1`` request objects, ids ``r1``, ``r2``..."""
        documents: list[dict[str, Any]] = []
        targets = [
            f"o{target + 1}" if is_organization else f"p{target + 1}"
            for target, is_organization in zip(
                self.target.tolist(), self.target_is_organization.tolist(), strict=True
            )
        ]
        for index, (requester, target, third, priority, length) in enumerate(
            zip(
                self.requester.tolist(),
                targets,
                self.third.tolist(),
                self.priority.tolist(),
                self.length.tolist(),
                strict=True,
            )
        ):
            parties = [f"p{requester + 1}", target]
            if third >= 0:
                parties.append(f"p{third + 1}")
            # Empty lists are given explicitly: pydantic deep-copies a list default for every
            # model, which costs more than validating an empty list.
            document: dict[str, Any] = {
                "id": f"r{index + 1}",
                "participants": parties,
                "after": [],
                "resources": self.resources[index],
            }
            if priority != 1:
                document["priority"] = priority
            if length != 1:
                document["length"] = length
            documents.append(document)
        return documents


def _requests(
    rng: np.random.Generator,
    crowd: _Crowd,
    profile: _Profile,
    requester: IntArray,
    target: IntArray,
    mutual: BoolArray,
    slots_per_session: int,
) -> _Requests:
    count = len(requester)
    draw = rng.random(count)
    priority = np.where(
        mutual | (draw < profile.mutual_share),
        3,
        np.where(draw < profile.mutual_share + profile.high_priority_share, 2, 1),
    ).astype(np.int64)

    organization = crowd.organization
    organizations = len(crowd.organization_size)
    # Some requests name the target's organization: anyone from it will do. Only where the
    # requester has no other request with that organization, so nobody meets it twice.
    to_organization = np.zeros(count, dtype=bool)
    if profile.organization_request_share > 0 and count:
        candidates = crowd.organization_size[organization[target]] >= 2
        share = profile.organization_request_share * count / max(1, int(candidates.sum()))
        proposed = candidates & (rng.random(count) < share)
        own = requester * organizations + organization[target]
        links, uses = np.unique(
            np.concatenate([own, target * organizations + organization[requester]]),
            return_counts=True,
        )
        to_organization = proposed & (uses[np.searchsorted(links, own)] == 1)

    # A colleague of the requester (or of the target) joins some trade-fair meetings, unless
    # the colleague already has a request with the other side.
    third = np.full(count, -1, dtype=np.int64)
    if profile.group_share > 0 and count:
        side = np.where(crowd.organization_size[organization[requester]] >= 2, requester, target)
        other = np.where(side == requester, target, requester)
        size = crowd.organization_size[organization[side]]
        start = crowd.organization_start[organization[side]]
        colleague = start + (side - start + 1 + rng.integers(0, np.maximum(size - 1, 1))) % size
        shared = crowd.attendance[requester] & crowd.attendance[target]
        joins = _pair_keys(colleague, other, crowd.size)
        group = (
            ~to_organization
            & (size >= 2)
            & (rng.random(count) < profile.group_share)
            & ((shared & crowd.attendance[colleague]) != 0)
            & ~np.isin(joins, _pair_keys(requester, target, crowd.size))
        )
        # Nor does a colleague join two meetings with the same person.
        _, first_join = np.unique(np.where(group, joins, -1 - np.arange(count)), return_index=True)
        group &= np.isin(np.arange(count), first_join)
        third = np.where(group, colleague, -1)

    length = np.ones(count, dtype=np.int64)
    if profile.long_share > 0 and slots_per_session >= 2:
        length[rng.random(count) < profile.long_share] = 2

    # Visitors whose language needs an interpreter book one for some of their meetings.
    resources: list[list[str]] = [[] for _ in range(count)]
    if profile.interpreter_share > 0 and count:
        codes = sorted({c.language for c in _COUNTRIES if c.language})
        language = np.array(
            [
                codes.index(_COUNTRIES[c].language or "") if _COUNTRIES[c].language and v else -1
                for c, v in zip(
                    crowd.organization_country.tolist(),
                    crowd.organization_visiting.tolist(),
                    strict=True,
                )
            ],
            dtype=np.int64,
        )
        needs = np.stack(
            [
                language[organization[requester]],
                language[organization[target]],
                np.where(third >= 0, language[organization[np.maximum(third, 0)]], -1),
            ],
            axis=1,
        )
        booked = (needs >= 0).any(axis=1) & (rng.random(count) < profile.interpreter_share)
        for index in np.flatnonzero(booked).tolist():
            needed = sorted({codes[code] for code in needs[index].tolist() if code >= 0})
            resources[index] = [f"interpreter-{code}" for code in needed]
    target = np.where(to_organization, organization[target], target)
    return _Requests(
        requester=requester,
        target=target,
        target_is_organization=to_organization,
        third=third,
        priority=priority,
        length=length,
        resources=resources,
    )


def _capacities(
    crowd: _Crowd,
    profile: _Profile,
    requests: _Requests,
    total_slots: int,
    table_ratio: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Locations (hall, meeting rooms, booths) and interpreters, sized from the demand."""

    def tables(meeting_slots: int) -> int:
        return max(1, math.ceil(table_ratio * meeting_slots / total_slots))

    at_booth = crowd.exhibitor[requests.requester] | (
        ~requests.target_is_organization & crowd.exhibitor[requests.target]
    )
    at_booth |= (requests.third >= 0) & crowd.exhibitor[np.maximum(requests.third, 0)]
    group = requests.third >= 0
    hall = {"id": "hall", "tables": tables(int(requests.length[~at_booth & ~group].sum()))}
    if profile.hall_seats is not None:
        hall["seats"] = profile.hall_seats
    locations: list[dict[str, Any]] = [hall]
    if profile.group_share > 0:
        rooms = tables(int(requests.length[~at_booth & group].sum()))
        locations.append({"id": "meeting-rooms", "tables": rooms, "seats": 8})
    for number in range(1, int(crowd.exhibitor.sum()) + 1):
        locations.append({"id": f"booth-{number}", "tables": 1})

    demand: dict[str, int] = {}
    for names, length in zip(requests.resources, requests.length.tolist(), strict=True):
        for name in names:
            demand[name] = demand.get(name, 0) + length
    resources = [{"id": name, "capacity": tables(demand[name])} for name in sorted(demand)]
    return locations, resources


def _participants(
    rng: np.random.Generator,
    crowd: _Crowd,
    booths: IntArray,
    session_ids: list[str],
    per_day: int,
    slots: int,
) -> list[dict[str, Any]]:
    n = crowd.size
    everything = (1 << len(session_ids)) - 1
    booth_of = {int(person): number + 1 for number, person in enumerate(booths.tolist())}
    gender = rng.random(n) < 0.5
    first_pick = rng.integers(4, size=n)
    last_pick = rng.integers(8, size=n)
    ordinary = ~crowd.exhibitor & (crowd.role != VISITOR)
    draw = rng.random(n)
    unavailable = draw < _UNAVAILABLE_SHARE
    unpreferred = (draw >= _UNAVAILABLE_SHARE) & (draw < _UNAVAILABLE_SHARE + _UNPREFERRED_SHARE)
    capped = ordinary & (rng.random(n) < _MAX_MEETINGS_SHARE)
    cap = rng.integers(4, 9, size=n)
    blocked_session = rng.random(n)
    blocked_start = rng.integers(slots, size=n)
    blocked_length = rng.integers(1, 4, size=n)

    people: list[dict[str, Any]] = []
    for index in range(n):
        organization = int(crowd.organization[index])
        country = _COUNTRIES[int(crowd.organization_country[organization])]
        female = bool(gender[index])
        first_name = (country.female if female else country.male)[int(first_pick[index])]
        forms = country.surnames[int(last_pick[index])].split("|")
        last_name = forms[-1] if female else forms[0]
        person: dict[str, Any] = {
            "id": f"p{index + 1}",
            "name": f"{first_name} {last_name}",
            "organization": f"o{organization + 1}",
            "unavailable": [],
            "unpreferred": [],
        }
        mask = int(crowd.attendance[index])
        attended = [s for s in range(len(session_ids)) if mask >> s & 1]
        if mask != everything:
            person["sessions"] = [session_ids[s] for s in attended]
        if unavailable[index]:
            session = attended[int(blocked_session[index] * len(attended))]
            start = int(blocked_start[index])
            stop = min(slots, start + int(blocked_length[index]))
            person["unavailable"] = [
                {"session": session_ids[session], "slot": slot} for slot in range(start, stop)
            ]
        if unpreferred[index]:
            # The first slot of each day they attend: they would rather arrive at ease.
            first_sessions = {s // per_day: s for s in reversed(attended)}
            person["unpreferred"] = [
                {"session": session_ids[s], "slot": 0} for s in sorted(first_sessions.values())
            ]
        if capped[index]:
            person["max_meetings"] = int(cap[index])
        if index in booth_of:
            person["table"] = {"location": f"booth-{booth_of[index]}", "table": 1}
        people.append(person)
    return people


def _organizations(
    rng: np.random.Generator, crowd: _Crowd, profile: _Profile
) -> list[dict[str, Any]]:
    sector = rng.integers(len(_SECTORS), size=len(crowd.organization_size))
    stem = rng.integers(8, size=len(crowd.organization_size))
    region = rng.integers(100, size=len(crowd.organization_size))
    organizations: list[dict[str, Any]] = []
    for index in range(len(crowd.organization_size)):
        country = _COUNTRIES[int(crowd.organization_country[index])]
        place = country.regions[int(region[index]) % len(country.regions)]
        field = _SECTORS[int(sector[index])]
        if crowd.organization_visiting[index]:
            name = f"{country.name} {profile.delegation_word} delegation ({place})"
        elif profile.cluster_names:
            name = f"{place} {field} Cluster"
        else:
            family = country.surnames[int(stem[index])].split("|")[0]
            name = f"{family} {field} {country.suffix}"
        organizations.append({"id": f"o{index + 1}", "name": name})
    return organizations
