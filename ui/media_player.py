"""A player for an audio or video answer, from a given second, with its timed transcript.

Call `render_player(response_id, start_seconds)` from any page (e.g. the response detail
with a picked quote's start: `curation.media.playback.quote_start_seconds`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from curation.errors import CurationError
from curation.media.playback import CueText, media_for_response
from ui.context import actor, database


def _clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{secs:04.1f}"


def _vtt(cues: list[CueText]) -> str:
    def stamp(t: float) -> str:
        hours, rest = divmod(t, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"

    body = "\n\n".join(
        f"{stamp(c.start_seconds)} --> {stamp(c.end_seconds)}\n{c.text.replace('-->', '->')}"
        for c in cues
    )
    return f"WEBVTT\n\n{body}\n"


def render_player(response_id: int, start_seconds: float = 0, *, show_cues: bool = True) -> bool:
    """Play the response's recording from `start_seconds`; list its cues. False if refused."""
    try:
        with database().session() as session:
            path, mime, cues = media_for_response(session, actor(), response_id)
    except CurationError as exc:
        st.info(str(exc))
        return False
    start = max(0, int(start_seconds))
    if mime.startswith("video/"):
        st.video(str(path), format=mime, start_time=start, subtitles=_vtt(cues) if cues else None)
    else:
        st.audio(str(path), format=mime, start_time=start)
    if show_cues and cues:
        table = pd.DataFrame(
            {
                "from": [_clock(c.start_seconds) for c in cues],
                "to": [_clock(c.end_seconds) for c in cues],
                "words": [c.text for c in cues],  # plain text in a table: always escaped
            }
        )
        st.dataframe(table, hide_index=True, key=f"media_cues_{response_id}")
    elif show_cues:
        st.caption("No timed transcript for this recording.")
    return True
