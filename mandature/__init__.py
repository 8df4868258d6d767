"""Mandature: elected officials and social housing, for every term of office."""
