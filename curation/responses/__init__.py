"""Browsing answers: the quotable list (filtered, searched, paginated) and mission tags."""
