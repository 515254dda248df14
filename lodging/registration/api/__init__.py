"""The stays API for hotel software (PMS): the same checks and services as the desk."""
