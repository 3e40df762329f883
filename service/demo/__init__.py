"""Synthetic demonstration data (never loaded in production)."""
