"""Audio and video responses: probe, store, transcripts, timings, playback, audiograms.

Modules: probe (what a file is; caps), store (content-addressed files), transcripts
(VTT/SRT/plain to text + cues), intake (`add_media`), timing (quote spans to seconds),
playback (player data), audiogram (captioned MP4s), demo (generated clips), erasure.
"""

from __future__ import annotations

from typing import Any


def delete_media_for_respondent(*args: Any, **kwargs: Any) -> int:
    """Erasure hook (found by `curation.rights.privacy`); see `curation.media.erasure`."""
    from curation.media.erasure import delete_media_for_respondent as run

    return run(*args, **kwargs)


def remove_audiograms_for_respondent(*args: Any, **kwargs: Any) -> int:
    """Withdrawal hook: delete a respondent's stored audiograms; see `curation.media.erasure`."""
    from curation.media.erasure import remove_audiograms_for_respondent as run

    return run(*args, **kwargs)
