"""The destination site: places, events, articles and itineraries for tourists."""
