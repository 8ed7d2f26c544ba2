"""Adapters for other clients' job objects (optional imports: nothing here imports them)."""
