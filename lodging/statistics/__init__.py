"""The occupancy ledger and the measures read from it.

Stays feed a small per-guest projection (``StatisticsGuestStay``) whenever they change,
and the cells of the day ledger they touch are recomputed from it in the same
transaction. Dashboards, exports and the IOC API read ``measures``, which aggregates
the ledger with SQL and never scans stays. Capacity (rooms and bed places available)
is computed on demand from rooms and closures.
"""
