"""Reporting: every declared stay delivered to the police and statistics receivers.

Three channels, each with a versioned payload and a JSON Schema file in ``schemas/``:

- ``vn-luutru``: the stay notification for Vietnamese citizens (Law 68/2020 Art. 30);
- ``vn-tamtru``: the temporary-residence declaration for foreigners (the NA17 content);
- ``stats``: per establishment and day, aggregates only, never a name or a number.

``payloads`` and ``stats`` build what each channel receives from the stays;
``transports`` carries it (a signed file dropped in a folder, or a signed HTTPS POST
with an ``Idempotency-Key``); ``handlers`` turns the outbox messages that the
registration services write into deliveries for ``core``'s worker; and
``receiver`` is a receiver to test against, which can be told to fail.
"""
