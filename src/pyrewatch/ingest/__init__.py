"""OTLP decoding (pure) and the group-commit writer."""
