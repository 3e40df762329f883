"""The knowledge base as the service runs it: one base per application, search, uploads."""
