"""The tourism department's dashboard over lodging statistics (built by the statistics issue)."""
