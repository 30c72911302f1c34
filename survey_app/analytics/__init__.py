"""Read-side services for the analyst pages, the exports and the API: plain functions taking a session."""
