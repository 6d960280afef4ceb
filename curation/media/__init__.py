"""Audio and video responses: probe, store, transcripts, timings, playback, audiograms.

Modules: probe (what a file is; caps), store (content-addressed files), transcripts
(VTT/SRT/plain to text + cues), intake (`add_media`), timing (quote spans to seconds),
playback (player data), audiogram (captioned MP4s), demo (generated clips), erasure.
"""
