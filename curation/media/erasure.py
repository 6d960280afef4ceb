"""Removing a respondent's recordings: audiograms on withdrawal; files, assets, cues on erasure."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from curation import audit
from curation.access.actors import Actor, Permission, require
from curation.config import load_settings
from curation.media.audiogram import remove_audiograms
from curation.store.foundation import Response
from curation.store.media import MediaAsset, TranscriptCue
from curation.store.quotes import Quote


def remove_audiograms_for_respondent(session: Session, respondent_id: int) -> int:
    """Delete the stored audiograms of every quote of a respondent (withdrawal); how many."""
    quote_ids = session.scalars(
        select(Quote.id)
        .join(Response, Response.id == Quote.response_id)
        .where(Response.respondent_id == respondent_id)
    ).all()
    return sum(remove_audiograms(qid) for qid in quote_ids)


def delete_media_for_respondent(session: Session, actor: Actor, respondent_id: int) -> int:
    """Erasure hook: delete a respondent's recordings, cues and audiograms; files removed.

    A stored file shared with another respondent's answer (same bytes uploaded twice) is
    kept for them; this respondent's link to it is cut either way.
    """
    require(actor, Permission.ERASE)
    media_dir = load_settings().media_dir.resolve()
    removed = remove_audiograms_for_respondent(session, respondent_id)
    responses = session.scalars(
        select(Response).where(Response.respondent_id == respondent_id).order_by(Response.id)
    ).all()
    for response in responses:
        session.execute(delete(TranscriptCue).where(TranscriptCue.response_id == response.id))
        sha, response.media_ref = response.media_ref, None
        session.flush()
        if not sha:
            continue
        still_used = session.scalar(
            select(func.count()).select_from(Response).where(Response.media_ref == sha)
        )
        asset = session.scalar(select(MediaAsset).where(MediaAsset.sha256 == sha))
        if still_used or asset is None:
            continue
        path = (media_dir / asset.path).resolve()
        if path.is_relative_to(media_dir) and path.is_file():
            path.unlink()
            removed += 1
        session.delete(asset)
    session.flush()
    audit.record(
        session, actor, "media.erase", "respondent", respondent_id,
        {"files_deleted": removed, "responses": len(responses)},
    )  # fmt: skip
    return removed
