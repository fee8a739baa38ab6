"""Pyrewatch: a self-hosted LLM-observability server that speaks Phoenix's wire protocol."""

__version__ = "0.1.0"
