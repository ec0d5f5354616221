"""The settings in kokemus.toml, checked when the workspace opens: a wrong value stops the command (exit 2) with
the key and what it accepts; no value is silently replaced by its default."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal

from kokemus_docs.core.errors import WorkspaceError

CONFIG_NAME = "kokemus.toml"
MAX_ROWS = 60  # rows on one hour form
MAX_TEXT = 2000  # characters in one text setting
MAX_TRAVEL_SETTING = Decimal("100000.00")

TEXT_KEYS = {
    "organisation": ("name_fi", "name_sv", "name_en", "coordinator_title_fi", "coordinator_title_sv", "business_id",
                     "postal_address_fi", "postal_address_sv", "coordinator_name", "coordinator_email",
                     "coordinator_phone"),
    "payroll": ("name", "tax_card_address_fi", "tax_card_address_sv"),
    "web": ("public_url",),
}
TABLES = ("organisation", "payroll", "deadlines", "forms", "web", "feedback")

_CLOCK = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")


def parse_cutoff(value: object) -> time:
    """deadlines.cancellation_cutoff: "15:00" or "15.00" (or a TOML time such as 15:00:00); ValueError otherwise."""
    if isinstance(value, time) and not value.second and not value.microsecond and value.tzinfo is None:
        return value
    if isinstance(value, str):
        match = _CLOCK.fullmatch(value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    raise ValueError(value)


def check_settings(config: dict) -> None:
    """Raise one WorkspaceError listing every setting whose value kokemus cannot use, each with what it accepts."""
    problems: list[str] = []
    for table in TABLES:
        if not isinstance(config.get(table), dict):
            problems.append(f"[{table}] must be a table of settings (a [{table}] section), not "
                            f"{_shown(config.get(table))}")
    if not problems:
        problems += _text_problems(config) + _number_problems(config) + _feedback_problems(config)
    if problems:
        raise WorkspaceError(f"{CONFIG_NAME} has settings kokemus cannot use; fix them and run again:\n"
                             + "\n".join(f"  - {p}" for p in problems), path=CONFIG_NAME, code="bad-config")


def _text_problems(config: dict) -> list[str]:
    problems = []
    for table, keys in TEXT_KEYS.items():
        for key in keys:
            value = config[table].get(key, "")
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                problems.append(f"{table}.{key} = {_shown(value)} must be text in quotes, at most {MAX_TEXT} "
                                f'characters, e.g. {key} = "…"')
    url = config["web"].get("public_url", "")
    if isinstance(url, str) and url.strip() and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url.strip()):
        problems.append(f"web.public_url = {_shown(url)} must be the web app's address, starting with "
                        'https:// or http://, e.g. public_url = "https://kokemus.example.fi"')
    return problems


def _number_problems(config: dict) -> list[str]:
    from kokemus_docs.core.formatting import ParseError, parse_money

    problems = []
    notice_day = config["deadlines"].get("notice_day")
    if type(notice_day) is not int or not 1 <= notice_day <= 28:
        problems.append(f"deadlines.notice_day = {_shown(notice_day)} must be a day of the month from 1 to 28, "
                        "written as a number, e.g. notice_day = 9")
    try:
        parse_cutoff(config["deadlines"].get("cancellation_cutoff"))
    except ValueError:
        problems.append(f"deadlines.cancellation_cutoff = {_shown(config['deadlines'].get('cancellation_cutoff'))} "
                        'must be a time of day as hours and minutes, e.g. cancellation_cutoff = "15:00" or "15.00"')
    rows = config["forms"].get("rows")
    if type(rows) is not int or not 1 <= rows <= MAX_ROWS:
        problems.append(f"forms.rows = {_shown(rows)} must be a whole number from 1 to {MAX_ROWS}, e.g. rows = 25")
    travel = config["forms"].get("max_travel_eur")
    try:
        if isinstance(travel, bool) or not isinstance(travel, str | int | float):
            raise ParseError("not an amount")
        parse_money(str(travel), maximum=MAX_TRAVEL_SETTING)
    except ParseError:
        problems.append(f"forms.max_travel_eur = {_shown(travel)} must be an amount in euros from 0 to 100000 "
                        'with at most two decimals, e.g. max_travel_eur = "200.00"')
    return problems


def _feedback_problems(config: dict) -> list[str]:
    columns = config["feedback"].get("columns", {})
    if not isinstance(columns, dict):
        return [f"feedback.columns = {_shown(columns)} must be a table ([feedback.columns]) of export headers and "
                'the columns they mean, e.g. "Yksikkö" = "unit_id"']
    return [f'feedback.columns: "{_shown(header)}" = {_shown(column)} must name a column in quotes, e.g. '
            '"Yksikkö" = "unit_id"' for header, column in columns.items() if not isinstance(column, str)]


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"
