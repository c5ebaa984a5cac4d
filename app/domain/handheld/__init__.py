"""The handheld web app: its shell page, service worker, manifest and TLS helpers."""
