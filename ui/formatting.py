"""How pages show times and dates: one format everywhere ("Tue 10 Mar 2026, 12:30", London).

Use `human_time` for a moment (a datetime or ISO string), `human_date` for a day, and
`DATE_INPUT_FORMAT` for every `st.date_input`.
"""

from __future__ import annotations

from curation.timefmt import NEVER, human_date, human_time

DATE_INPUT_FORMAT = "DD/MM/YYYY"  # st.date_input(format=...): day first, as in the UK

__all__ = ["DATE_INPUT_FORMAT", "NEVER", "human_date", "human_time"]
