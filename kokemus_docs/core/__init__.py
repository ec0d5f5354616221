"""Shared by every stage: the domain model, the month, errors, outcomes, formatting, safe file writes, the workspace,
the ledger, workbook helpers and pay dates."""
