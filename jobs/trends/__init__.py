"""Trend tables: period × survey × segment × topic aggregates with confidence intervals and change tests."""
