"""The search engines behind ``search.documents.SearchBackend``.

Embedded SQLite FTS5 and Elasticsearch; ``search.indexing.init_search`` picks one.
"""
