"""Signature-ready documents from Word templates: contracts, introduction packs, and their PDF conversion through
LibreOffice."""
