"""Starshipit: the REST API client and a local fake of it for tests and the demo."""
