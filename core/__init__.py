"""The shared kernel: settings, extensions, database, languages, accounts, API, audit, errors."""
