"""Health check and the server-rendered pages."""
