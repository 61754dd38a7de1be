"""Tests of core.signing (a package so its conftest never shadows tests/conftest.py)."""
