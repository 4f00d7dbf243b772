"""Fixtures of the runtime behaviour tests (engine selection and capabilities: ``tests/conftest.py``)."""
