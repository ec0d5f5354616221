"""Client feedback (§8 of the service description): anonymous questionnaires for clients, employees and
experts, issued as sealed fillable PDFs, answered on paper, on a phone or in a survey tool, taken into the
ledger, and reported on the indicators workbook's feedback sheets.
"""
