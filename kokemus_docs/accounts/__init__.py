"""Logins of the web app (coordinator, unit contacts, payroll), their sessions, the audit log and the units'
approvals of their fee notices: the CLI's `users` commands and the web app use the same functions."""
