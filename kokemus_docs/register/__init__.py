"""The coordinator's register.xlsx: reading and checking it, and writing empty and sample registers."""
