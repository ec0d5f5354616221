"""Shared by every stage: the domain model, errors, outcomes, formatting, safe file writes, the workspace, the ledger, workbook helpers and pay dates."""
