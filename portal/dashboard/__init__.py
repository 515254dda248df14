"""The tourism department's dashboard over lodging statistics.

Built by the statistics issue; until then only the import rules name it.
"""
