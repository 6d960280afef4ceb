"""Composing, scheduling and managing posts."""
