"""Runs as text: summaries for models (``summary``, ``summary_fields``, ``facts``),
value formatting, quoting of untrusted text, and field-name matching.
"""
