"""Hypothesis strategies for every format, for our tests and for downstream tools."""
