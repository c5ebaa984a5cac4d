"""A scanner-first, offline-first warehouse management system that runs beside Starshipit.

The Litestar application is built by :func:`app.asgi.create_app`; the ``wms`` command is
:mod:`app.cli`.
"""
