"""Self check-in: guests enter their own details; staff confirm them in person."""
