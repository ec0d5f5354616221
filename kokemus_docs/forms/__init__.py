"""Issuing the month's sealed, fillable hour forms: field names, layout, fonts, QR codes and the experts' personal
addresses."""
