"""The platform every feature stands on:
settings, database, errors, security, throttles, operations."""
