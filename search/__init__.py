"""Search over places, events, itineraries and lodgings: backends, documents, indexing."""
