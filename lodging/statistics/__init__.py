"""The occupancy ledger and the measures read from it.

Stays feed a small per-guest projection (``StatisticsGuestStay``) whenever they change,
and the day ledger gets what the change added and took away, in the same transaction,
for every day up to a horizon three months ahead. Dashboards, exports and the IOC API
read ``measures``, which aggregates the ledger with SQL and never scans stays. Capacity
(rooms and bed places available) is computed on demand from rooms and closures.
"""
