"""Small, dependency-free helpers that more than one layer needs (web, jobs, nlp, models).

Nothing here imports another Heedful package, Flask, SQLAlchemy or torch, so every layer may import it
without bending the import direction (tests/foundation/test_architecture.py checks both).
"""
