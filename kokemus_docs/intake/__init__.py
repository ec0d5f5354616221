"""Returned hour forms: reading them, the fee rules, the messages to experts, and ingest into the ledger."""
