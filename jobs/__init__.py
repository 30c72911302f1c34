"""Background work that joins models/ and nlp/: scoring, trends, themes, alerts, the scheduler."""
