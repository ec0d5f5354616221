"""A fictional register for the demo, the tests and the benchmark. Every person here is invented.

The fee table follows the 2018 recommendations of Koulutetut kokemusasiantuntijat ry: client meetings
50 € a meeting, group work 25 €/h, talks and training 100–600 € an event, meeting fee 50–100 €,
development projects 300–600 €.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stdnum import iban as stdnum_iban

from kokemus_docs.core.model import Contract, Expert, FeeRate, Register, Unit

_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def make_hetu(born: date, individual: int, sign: str | None = None) -> str:
    """A henkilötunnus with a correct check character (for fictional people only)."""
    sign = sign or {18: "+", 19: "-", 20: "A"}[born.year // 100]
    digits = f"{born:%d%m%y}{individual:03d}"
    return f"{born:%d%m%y}{sign}{individual:03d}{_HETU_CHECK[int(digits) % 31]}"


def make_iban(account: int) -> str:
    """A Finnish IBAN with correct check digits for a fictional 14-digit account number."""
    bban = f"{account:014d}"
    return stdnum_iban.format(f"FI{stdnum_iban.calc_check_digits('FI00' + bban)}{bban}")


DEMO_FEES = [
    FeeRate("individual", "session", Decimal("50.00"), date(2026, 1, 1), None, "210"),
    FeeRate("pair", "session", Decimal("50.00"), date(2026, 1, 1), None, "210"),
    FeeRate("group", "hour", Decimal("25.00"), date(2026, 1, 1), date(2026, 10, 14), "210"),
    FeeRate("group", "hour", Decimal("27.50"), date(2026, 10, 15), None, "210"),
    FeeRate("lecture", "event", Decimal("150.00"), date(2026, 1, 1), None, "214"),
    FeeRate("development", "event", Decimal("300.00"), date(2026, 1, 1), None, "210"),
    FeeRate("common_meeting", "event", Decimal("50.00"), date(2026, 1, 1), None, "210"),
]

DEMO_UNITS = [
    Unit("MTP-PORVOO", "Mielenterveys- ja päihdepalvelut, Porvoo", "Mental- och missbrukarvården, Borgå",
         "410120", "Tiina Lehtonen", "tiina.lehtonen@example.fi", "040 100 2001",
         "Sairaalankatu 1, 06150 Porvoo", "Huone B214, 2. krs", "mielenterveys- ja päihdepalvelut",
         address_sv="Sjukhusgatan 1, 06150 Borgå", premises_sv="Rum B214, 2 vån.",
         service_area_sv="mentalvård och missbrukarvård",
         name_en="Mental health and substance abuse services, Porvoo"),
    Unit("PERHE-LOVIISA", "Perhekeskus & neuvola, Loviisa", "Familjecentralen & rådgivningen, Lovisa",
         "420310", "Sanna Öhman", "sanna.ohman@example.fi", "040 100 2002",
         "Mannerheiminkatu 4, 07900 Loviisa", "Ryhmätila \"Satu\", 1. krs", "lapsi- ja perhepalvelut",
         address_sv="Mannerheimgatan 4, 07900 Lovisa", premises_sv="Grupprummet \"Saga\", 1 vån.",
         service_area_sv="tjänster för barn och familjer",
         name_en="Family centre & child health clinic, Loviisa"),
    Unit("VAMPA-SIPOO", "Vammaispalvelut, Sipoo", "Handikappservice, Sibbo",
         "430210", "Mikael Grönqvist", "mikael.gronqvist@example.fi", "040 100 2003",
         "Iso Kylätie 18, 04130 Sipoo", "Neuvotteluhuone Åsa", "vammaispalvelut",
         address_sv="Stora Byvägen 18, 04130 Sibbo", premises_sv="Mötesrummet Åsa",
         service_area_sv="handikappservice", name_en="Disability services, Sipoo"),
    Unit("IKÄ-PORVOO", "Ikääntyneiden palvelut, Porvoo", "Tjänster för äldre, Borgå",
         "440110", "Leena Mäkelä", "leena.makela@example.fi", "040 100 2004",
         "Runebergintie 20, 06100 Porvoo", "Olohuone, Päiväkeskus Kotiranta", "ikääntyneiden palvelut",
         address_sv="Runebergsvägen 20, 06100 Borgå", premises_sv="Vardagsrummet, dagcentret Kotiranta",
         service_area_sv="tjänster för äldre", name_en="Services for older people, Porvoo"),
]

_PEOPLE = [
    # expert_id, first, last, language, born, topics, tax card year, city
    ("KA-001", "Aino", "Virtanen", "fi", date(1968, 3, 14), ("mielenterveys", "masennus"), 2026, "Porvoo"),
    ("KA-002", "Matti", "Korhonen", "fi", date(1975, 7, 2), ("päihteet", "toipuminen"), 2026, "Porvoo"),
    ("KA-003", "Elsa", "Lindqvist", "sv", date(1981, 11, 23), ("psykisk hälsa", "familjer"), 2026, "Borgå"),
    ("KA-004", "Jukka", "Nieminen", "fi", date(1959, 5, 30), ("omaishoito", "ikääntyminen"), 2025, "Loviisa"),
    ("KA-005", "Märta", "Åberg", "sv", date(1990, 1, 9), ("funktionsnedsättning",), 2026, "Sibbo"),
    ("KA-006", "Päivi", "Hämäläinen", "fi", date(1972, 9, 17), ("lastensuojelu", "perheet"), 2026, "Loviisa"),
    ("KA-007", "Oskar", "Sjöberg", "sv", date(1966, 4, 4), ("missbruk", "återhämtning"), 2026, "Borgå"),
    ("KA-008", "Leila", "Haddad", "fi", date(1985, 12, 1), ("maahanmuutto", "mielenterveys"), 2026, "Porvoo"),
    ("KA-009", "Tuomas", "Heikkinen", "fi", date(1993, 6, 21), ("vammaisuus", "nuoret"), 2026, "Sipoo"),
    ("KA-010", "Ulla", "Ekström", "sv", date(1955, 2, 28), ("äldre", "närståendevård"), 2026, "Lovisa"),
    ("KA-011", "Riikka", "O'Neill-Mäkinen", "fi", date(2001, 8, 8), ("syömishäiriöt", "nuoret"), 2026, "Porvoo"),
    ("KA-012", "Henrik", "Forsström", "sv", date(1978, 10, 12), ("psykisk hälsa", "arbetsliv"), None, "Borgå"),
    ("KA-013", "Satu", "Laaksonen", "fi", date(1988, 3, 3), ("päihteet", "perheet"), 2026, "Sipoo"),
    ("KA-014", "Kaisa", "Rantala", "fi", date(1963, 12, 24), ("ikääntyminen", "yksinäisyys"), 2026, "Porvoo"),
]

_EDUCATION = {
    "fi": "Kokemusasiantuntijakoulutus (Mielenterveyden keskusliitto) & lähihoitaja",
    "sv": "Utbildning till erfarenhetsexpert (FDUV) & närvårdare",
}
_EXPERIENCE = {
    "fi": "Vertaisryhmien ohjaus 3 vuotta; luentoja oppilaitoksissa",
    "sv": "Lett kamratgrupper i tre år; föreläsningar på läroanstalter",
}
_WISHES = {
    "fi": 'Ryhmät & luennot; "mieluiten iltapäivisin" <ei viikonloppuja>',
    "sv": 'Grupper & föreläsningar; "helst eftermiddagar" <inga veckoslut>',
}

# contract rows: contract_id, expert, unit, tasks, signed?
_CONTRACTS = [
    ("S-2026-001", "KA-001", "MTP-PORVOO", ("individual", "group", "common_meeting"), True),
    ("S-2026-002", "KA-002", "MTP-PORVOO", ("individual", "pair", "lecture"), True),
    ("S-2026-003", "KA-003", "PERHE-LOVIISA", ("group", "pair", "common_meeting"), True),
    ("S-2026-004", "KA-004", "IKÄ-PORVOO", ("individual", "development"), True),
    ("S-2026-005", "KA-005", "VAMPA-SIPOO", ("individual", "lecture"), True),
    ("S-2026-006", "KA-006", "PERHE-LOVIISA", ("group", "individual"), True),
    ("S-2026-007", "KA-007", "MTP-PORVOO", ("group", "individual", "common_meeting"), True),
    ("S-2026-008", "KA-008", "MTP-PORVOO", ("individual", "pair"), True),
    ("S-2026-009", "KA-009", "VAMPA-SIPOO", ("pair", "development"), True),
    ("S-2026-010", "KA-010", "IKÄ-PORVOO", ("group", "lecture"), True),
    ("S-2026-011", "KA-011", "MTP-PORVOO", ("individual", "group"), True),
    ("S-2026-012", "KA-012", "MTP-PORVOO", ("lecture", "development"), True),
    ("S-2026-013", "KA-013", "PERHE-LOVIISA", ("individual", "pair"), True),
    ("S-2026-014", "KA-014", "IKÄ-PORVOO", ("individual", "group"), True),
    ("S-2026-015", "KA-001", "IKÄ-PORVOO", ("lecture",), True),
    ("S-2026-016", "KA-003", "VAMPA-SIPOO", ("individual",), False),
]


def demo_register() -> Register:
    """The demo's fictional register: 14 experts (fi and sv), 4 units in different service areas, the fee table."""
    experts = {}
    for number, (expert_id, first, last, language, born, topics, tax_year, city) in enumerate(_PEOPLE, start=1):
        experts[expert_id] = Expert(
            expert_id=expert_id, first_name=first, last_name=last,
            hetu=make_hetu(born, 100 + 17 * number), iban=make_iban(12345600000000 + 7919 * number),
            language=language, email=f"{first.lower()}.{expert_id.lower()}@example.org",
            phone=f"050 555 {number:04d}", street_address=f"Kokeilukatu {number} A", postal_code="06100",
            city=city, education=_EDUCATION[language], expert_experience=_EXPERIENCE[language],
            topics=topics, wishes=_WISHES[language], tax_card_year=tax_year, active=True)
    contracts = {
        cid: Contract(cid, expert_id, unit_id, tasks, date(2026, 1, 1), date(2026, 12, 31),
                      date(2025, 12, 15) if signed else None)
        for cid, expert_id, unit_id, tasks, signed in _CONTRACTS
    }
    return Register(experts=experts, units={u.unit_id: u for u in DEMO_UNITS}, contracts=contracts,
                    fees=list(DEMO_FEES))


def synthetic_register(n_experts: int) -> Register:
    """A register of `n_experts` invented experts, one contract each, for benchmarks."""
    base = demo_register()
    experts, contracts = {}, {}
    templates = list(base.experts.values())
    units = list(base.units)
    for i in range(n_experts):
        proto = templates[i % len(templates)]
        expert_id = f"KA-{i + 1:05d}"
        born = date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        experts[expert_id] = Expert(**{**proto.__dict__, "expert_id": expert_id,
                                       "last_name": f"{proto.last_name}-{i + 1}",
                                       "hetu": make_hetu(born, 2 + i % 890),
                                       "iban": make_iban(20000000000000 + i)})
        contract_id = f"S-{i + 1:05d}"
        contracts[contract_id] = Contract(contract_id, expert_id, units[i % len(units)],
                                          ("individual", "group", "lecture"), date(2026, 1, 1), date(2026, 12, 31),
                                          date(2025, 12, 15))
    return Register(experts=experts, units=dict(base.units), contracts=contracts, fees=list(base.fees))


def write_sample_register(path, register: Register) -> None:
    """Write `register` as a workbook at `path`."""
    from kokemus_docs.register.write import write_register

    write_register(path, register.experts.values(), register.units.values(), register.contracts.values(),
                   register.fees)
