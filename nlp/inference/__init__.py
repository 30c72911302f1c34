"""Inference: the models that turn answers into plain results (sentiment, topics, urgency, redaction).

Everything here loads shipped weights once per process and never imports `nlp.training`.
"""
