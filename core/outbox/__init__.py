"""The delivery engine every feature uses: the outbox, its workers, periodic jobs, e-mail."""
