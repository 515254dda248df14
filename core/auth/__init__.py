"""Accounts, roles, sessions and API tokens: who is asking, and what they may do."""
