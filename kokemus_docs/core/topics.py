"""The topic vocabulary: the topic areas experts name in the register, in Finnish and Swedish."""

from __future__ import annotations

# Topic areas experts name in the register, with their Finnish and Swedish names. A topic typed in either
# language (or with other case or spacing) counts once; a topic not listed here is kept as typed.
TOPICS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # key: (Finnish, Swedish, other ways of writing it)
    "mental_health": ("mielenterveys", "psykisk hälsa", ("mielenterveysongelmat", "mental hälsa")),
    "substances": ("päihteet", "missbruk", ("päihdeongelmat", "riippuvuus", "beroende", "substansbruk")),
    "recovery": ("toipuminen", "återhämtning", ()),
    "depression": ("masennus", "depression", ()),
    "families": ("perheet", "familjer", ("lapsiperheet", "barnfamiljer")),
    "child_protection": ("lastensuojelu", "barnskydd", ()),
    "disability": ("vammaisuus", "funktionsnedsättning", ("vammaispalvelut", "funktionshinder")),
    "elderly": ("ikääntyminen", "äldre", ("ikääntyneet", "vanhukset", "åldrande")),
    "carers": ("omaishoito", "närståendevård", ("omaishoitajuus",)),
    "immigration": ("maahanmuutto", "invandring", ("maahanmuuttajat", "invandrare")),
    "youth": ("nuoret", "unga", ("ungdomar",)),
    "eating_disorders": ("syömishäiriöt", "ätstörningar", ()),
    "working_life": ("työelämä", "arbetsliv", ("työikäiset", "arbetsföra")),
    "loneliness": ("yksinäisyys", "ensamhet", ()),
    "third_sector": ("järjestötyö", "tredje sektorn", ("kolmas sektori", "järjestöt", "organisationer")),
}


def topic_key(typed: str) -> str:
    """How a typed topic is compared: without case and spacing ('Psykisk  Hälsa' == 'psykiskhälsa')."""
    return "".join(typed.split()).casefold()


_TOPIC_BY_KEY: dict[str, str] = {
    topic_key(name): key for key, (fi, sv, other) in TOPICS.items() for name in (fi, sv, *other)}


def topic_names(typed: str) -> tuple[str, str, str]:
    """(identity, Finnish name, Swedish name) of a typed topic; an unknown topic keeps its typed text in both."""
    key = _TOPIC_BY_KEY.get(topic_key(typed))
    if key is None:
        text = " ".join(typed.split())
        return topic_key(typed), text, text
    fi, sv, _ = TOPICS[key]
    return key, fi, sv
