"""Fake network servers for tests."""
