"""Text in, plain data out: sentiment, topics, urgency and redaction for survey answers.

Nothing here knows about Flask or the database; `jobs/` joins this package to `models/`.
"""
