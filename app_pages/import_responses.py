"""Import: upload a form export, check the detected dialect and columns, dry run, then import.

Everything shown from the file goes through st.dataframe / st.text or escaped Markdown;
nothing is rendered as HTML.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st

from curation import ingest
from curation.access.actors import Permission
from curation.errors import CurationError
from curation.ingest.answer_table import SETTLE_ROLES
from curation.ingest.consent_columns import ROLE_HELP, ROLE_LABELS, UNCERTAIN
from curation.ingest.dialects import DIALECT_NAMES
from curation.rights import reading_store
from curation.rights.reading_store import Confirmation
from curation.rights.readings import Reading
from ui import context
from ui.safe_text import escape_markdown
from ui.uploads import capped_uploader

DIALECTS = ["auto", *DIALECT_NAMES]
CHECKED_KEY = "import_checked"  # the file+options whose dry run has been seen
RESULT_KEY = "import_result"
READING_LABELS = {r.value: r.label for r in Reading}
UNSET = "choose…"

actor = context.require_page(Permission.IMPORT_RESPONSES)
db = context.database()
consultation_id = context.consultation_id()

st.title("Import responses")
st.caption(
    "CSV (UTF-8, UTF-16 or Windows-1252), Excel .xlsx or JSON exports from Google Forms, "
    "Microsoft Forms, SurveyMonkey or Typeform. An import is all or nothing, and importing "
    "the same file again changes nothing."
)
upload = capped_uploader(
    "Export file", "responses", key="import_file", type=["csv", "txt", "tsv", "xlsx", "json"]
)
with st.expander("Options"):
    dialect = st.selectbox("Form tool", DIALECTS, key="import_dialect")
    # A mapping is a few lines of TOML; curation.ingest.load_mapping caps it again.
    mapping_upload = st.file_uploader(
        "Mapping file (TOML), for exports no tool matches", type=["toml"],
        key="import_mapping", max_upload_size=1,
    )  # fmt: skip


@contextmanager
def saved(data: bytes, name: str) -> Iterator[Path]:
    """The upload as a temporary file (the importer reads paths), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="curation-import-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        yield path


def show_report(report: dict[str, Any], *, title: str) -> None:
    st.subheader(title)
    cols = st.columns(4)
    cols[0].metric("Rows", report["rows"])
    cols[1].metric("New respondents", report["respondents_created"])
    cols[2].metric("New responses", report["responses_created"])
    cols[3].metric("Unchanged responses", report["responses_unchanged"])
    if report.get("responses_updated") or report.get("respondents_updated"):
        st.info(
            f"{report['respondents_updated']} respondents and {report['responses_updated']} "
            "responses change."
        )
    if not report.get("changed", True):
        st.info("Nothing changes: this file has already been imported.")
    if report["skipped"]:
        st.warning(f"{len(report['skipped'])} rows are skipped.")
        st.dataframe(report["skipped"], key=f"{title}_skipped", hide_index=True)
    if report["errors"]:
        st.warning(f"{len(report['errors'])} answers need a look (imported with a safe reading).")
        st.dataframe(report["errors"], key=f"{title}_errors", hide_index=True)
    if report.get("needs_reading"):
        st.warning(
            f"{report['needs_reading']} distinct consent or naming answers were read cautiously "
            "(anonymous or not quotable) until someone confirms them."
        )
    lost = report.get("consent_lost") or []
    if lost:
        steps = report.get("consent_lost_steps") or {}
        st.warning(
            f"{len(lost)} respondents lost consent or their name: "
            f"{steps.get('posts_cancelled', 0)} posts cancelled, "
            f"{steps.get('posts_deleted', 0)} taken down, {steps.get('cards_deleted', 0)} cards "
            "deleted."
        )


def settle_uncertain(columns: list[dict[str, Any]]) -> dict[str, str]:
    """A select box per column that may be about consent or naming; the roles chosen."""
    chosen: dict[str, str] = {}
    uncertain = [c for c in columns if c["role"] == UNCERTAIN]
    if not uncertain:
        return chosen
    st.warning(
        "Some columns may be about consent or naming, and their wording does not say for sure "
        "what a yes means. Say what each one asks; the choice is saved for this consultation."
    )
    for col in uncertain:
        role = st.selectbox(
            f"Column {col['column']}: {col['header'][:120]}",
            [UNSET, *SETTLE_ROLES],
            format_func=lambda r: ROLE_HELP.get(r, "not about consent: ignore it") if r != UNSET
            else UNSET,
            key=f"import_role_{col['column']}",
        )  # fmt: skip
        if role != UNSET:
            chosen[col["header"]] = str(role)
    return chosen


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def confirm_readings(rows: list[dict[str, Any]]) -> list[Confirmation]:
    """The readings table to check in one go; returns the readings confirmed or changed."""
    if not rows:
        return []
    st.subheader("How consent and naming answers read")
    st.caption(
        "Each distinct answer, how many gave it, and how it will be read. Exact choice texts "
        "read as they say; other wordings are read cautiously until you confirm them here."
    )
    table = [
        {"question": _short(r["header"]), "answer": r["answer"], "count": r["count"],
         "reading": READING_LABELS[r["reading"]], "why": r["why"],
         "needs a reading": r["needs_reading"]}
        for r in sorted(rows, key=lambda r: (not r["needs_reading"], r["column"], -r["count"]))
    ]  # fmt: skip
    edited = st.data_editor(
        table, key="import_readings", hide_index=True, disabled=["question", "answer", "count",
        "why", "needs a reading"],
        column_config={"reading": st.column_config.SelectboxColumn(
            "reading", options=list(READING_LABELS.values()), required=True)},
    )  # fmt: skip
    pending = [r for r in rows if r["needs_reading"]]
    confirm_all = bool(pending) and st.checkbox(
        f"I have checked the {len(pending)} answers that need a reading", key="import_confirm_all"
    )
    by_label = {label: Reading(value) for value, label in READING_LABELS.items()}
    ordered = sorted(rows, key=lambda r: (not r["needs_reading"], r["column"], -r["count"]))
    found = []
    for original, shown in zip(ordered, edited, strict=True):
        reading = by_label[shown["reading"]]
        if reading.value != original["reading"] or (original["needs_reading"] and confirm_all):
            found.append(Confirmation(original["header"], original["answer"], reading,
                                      original["role"]))  # fmt: skip
    return found


def saved_readings_editor() -> None:
    """Readings confirmed earlier: change one and everyone already imported is read again."""
    with db.session() as session:
        saved = reading_store.saved_readings(session, actor, consultation_id)
    if not saved:
        return
    with st.expander(f"Readings confirmed for this consultation ({len(saved)})"):
        table = [{"question": _short(r["header"]), "answer": r["answer"],
                  "reading": READING_LABELS[r["reading"]], "confirmed by": r["confirmed_by"],
                  "on": r["confirmed_at"].replace("T", " ")} for r in saved]  # fmt: skip
        edited = st.data_editor(
            table, key="saved_readings", hide_index=True,
            disabled=["question", "answer", "confirmed by", "on"],
            column_config={"reading": st.column_config.SelectboxColumn(
                "reading", options=list(READING_LABELS.values()), required=True)},
        )  # fmt: skip
        by_label = {label: Reading(value) for value, label in READING_LABELS.items()}
        changes = [
            Confirmation(r["header"], r["answer"], by_label[e["reading"]], r["role"])
            for r, e in zip(saved, edited, strict=True)
            if by_label[e["reading"]].value != r["reading"]
        ]
        if st.button("Apply changed readings", key="apply_readings", disabled=not changes):
            with db.session() as session:
                result = reading_store.change_readings(session, actor, consultation_id, changes)
            lost = len(result["consent_lost"])  # type: ignore[arg-type]
            st.success(
                f"{result['respondents_updated']} respondents read again"
                + (
                    f"; {lost} lost consent or their name, and their posts, cards and quotes "
                    "were withdrawn"
                    if lost
                    else ""
                )
            )


if upload is None:
    saved_readings_editor()
    st.info("Choose an export file to see how it will be read.")
    st.stop()

data = upload.getvalue()
mapping_bytes = mapping_upload.getvalue() if mapping_upload is not None else None
fingerprint = hashlib.sha256(
    data + b"\0" + str(dialect).encode() + b"\0" + (mapping_bytes or b"")
).hexdigest()

with saved(data, upload.name) as path, tempfile.TemporaryDirectory() as mapping_dir:
    mapping_path = None
    if mapping_bytes is not None:
        mapping_path = Path(mapping_dir) / "mapping.toml"
        mapping_path.write_bytes(mapping_bytes)
    summary = st.container()
    try:
        with db.session() as session:
            preview = ingest.preview_file(
                session, actor, consultation_id, path,
                dialect=str(dialect), mapping=mapping_path, filename=upload.name,
            )  # fmt: skip
        settled = settle_uncertain(preview.columns)
        if settled:
            with db.session() as session:
                preview = ingest.preview_file(
                    session, actor, consultation_id, path, dialect=str(dialect),
                    mapping=mapping_path, filename=upload.name, columns=settled,
                )  # fmt: skip
    except CurationError as exc:
        st.error(str(exc))
        st.stop()
    unsettled = any(c["role"] == UNCERTAIN for c in preview.columns)

    with summary:
        st.markdown(
            f"**{escape_markdown(preview.file)}**: read as **{escape_markdown(preview.dialect)}**, "
            f"{preview.rows:,} rows."
        )
        for warning in preview.warnings:
            st.warning(warning)
        shown = [c | {"role": ROLE_LABELS.get(c["role"], c["role"].replace("_", " "))}
                 for c in preview.columns]  # fmt: skip
        st.dataframe(
            shown, key="import_columns", hide_index=True,
            column_config={"how": "matched",
                           "question": st.column_config.NumberColumn(format="Q%d")},
        )  # fmt: skip
    if preview.unmatched:
        st.caption(f"{len(preview.unmatched)} columns will not be used.")
    confirmations = confirm_readings(preview.readings)
    fingerprint = hashlib.sha256(
        (fingerprint + repr(sorted(settled.items())) + repr(confirmations)).encode()
    ).hexdigest()

    left, right = st.columns(2)
    dry = left.button("Dry run", key="import_dry_run", disabled=unsettled)
    go = right.button(
        "Import", key="import_go", type="primary",
        disabled=unsettled or st.session_state.get(CHECKED_KEY) != fingerprint,
        help="Run a dry run of this file first.",
    )  # fmt: skip
    try:
        if dry:
            with db.session() as session:
                report = ingest.import_file(
                    session, actor, consultation_id, path, dialect=str(dialect),
                    mapping=mapping_path, dry_run=True, filename=upload.name, columns=settled,
                    readings=confirmations,
                )  # fmt: skip
            st.session_state[CHECKED_KEY] = fingerprint
            st.session_state[RESULT_KEY] = (fingerprint, "Dry run", report.to_json())
            st.rerun()
        if go:
            bar = st.progress(0.0, text="Importing…")

            def tick(done: int, total: int) -> None:
                bar.progress(done / max(total, 1), text=f"{done:,} of {total:,} rows")

            with db.session() as session:
                report = ingest.import_file(
                    session, actor, consultation_id, path, dialect=str(dialect),
                    mapping=mapping_path, progress=tick, filename=upload.name, columns=settled,
                    readings=confirmations,
                )  # fmt: skip
            bar.progress(1.0, text="Done")
            st.session_state[CHECKED_KEY] = None
            st.session_state[RESULT_KEY] = (fingerprint, "Imported", report.to_json())
            st.success(f"Imported {escape_markdown(report.file)} (batch {report.batch_id}).")
    except CurationError as exc:
        st.error(str(exc))
        st.stop()

result = st.session_state.get(RESULT_KEY)
if result and result[0] == fingerprint:
    show_report(result[2], title=result[1])
