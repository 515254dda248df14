"""Establishments: hotels, homestays and the like, their rooms, closures and people."""
