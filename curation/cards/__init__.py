"""Branded quote cards: brand kit, layout that always fits, templates, rendering, alt text.

The services other features call live in `curation.cards.service`.
"""
