"""kokemus-docs: paperwork for a wellbeing services county's experience-expert programme."""

__version__ = "0.1.0"
