"""The commune police's workspace: their area's establishments, guests and declarations.

Pages under ``/<lang>/police/`` and the API under ``/api/v1/police/``. A police account
covers a province or one commune (``core.auth.areas``); every query here goes through
``jurisdiction.in_area`` so an establishment outside it is as absent as a wrong id.
"""
