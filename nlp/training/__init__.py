"""Training: corpus loading, splits, model cards and the trainers of the shipped weights.

Training imports `nlp.inference` (it evaluates what it trains through the same code that serves it);
inference never imports training (tests/foundation/test_architecture.py).
"""
