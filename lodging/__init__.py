"""The lodging domain: establishments, guest registration, feeds and statistics."""
