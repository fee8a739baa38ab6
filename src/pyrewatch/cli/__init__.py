"""Command-line composition root."""
