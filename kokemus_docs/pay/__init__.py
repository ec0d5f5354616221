"""Paying the month: corrections after a close, fee notices per unit and the payroll workbook."""
