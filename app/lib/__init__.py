"""Cross-cutting helpers: errors, logging, time and JSON."""
