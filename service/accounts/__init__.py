"""Accounts: users, roles and invitations, API keys, and resolving who is calling."""
