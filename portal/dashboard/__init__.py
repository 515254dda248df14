"""The tourism department's dashboard over the occupancy ledger, and owners' own figures.

Pages (``views``: the province, a commune, an establishment, the monthly summary,
compliance; ``owner_views``: an owner's establishments and monthly reports), their
CSV/XLSX exports, and the IOC's API (``api``). Everything shown to the department is
aggregated and small cells are suppressed (``tables``); nothing goes below an
establishment.
"""
