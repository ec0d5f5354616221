"""Earnings by payment date: each expert's yearly statement, and warnings before a declared monthly limit is
passed.

Benefit bodies (Kela, pension providers, unemployment funds) count fees by the day they are paid, so everything
here is grouped by payroll month and its payment date. Only an amount the expert asked to be warned about is
stored (`earnings_limit_eur`), never which benefit it comes from.
"""
