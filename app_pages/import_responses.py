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
from curation.actors import Permission
from curation.errors import CurationError
from ui import context
from ui.safe_text import escape_markdown
from ui.uploads import capped_uploader

DIALECTS = ["auto", "google-forms", "microsoft-forms", "surveymonkey", "typeform", "generic"]
CHECKED_KEY = "import_checked"  # the file+options whose dry run has been seen
RESULT_KEY = "import_result"

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


if upload is None:
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
    try:
        with db.session() as session:
            preview = ingest.preview_file(
                session, actor, consultation_id, path,
                dialect=str(dialect), mapping=mapping_path, filename=upload.name,
            )  # fmt: skip
    except CurationError as exc:
        st.error(str(exc))
        st.stop()

    st.markdown(
        f"**{escape_markdown(preview.file)}**: read as **{escape_markdown(preview.dialect)}**, "
        f"{preview.rows:,} rows."
    )
    for warning in preview.warnings:
        st.warning(warning)
    st.dataframe(
        preview.columns, key="import_columns", hide_index=True,
        column_config={"how": "matched", "question": st.column_config.NumberColumn(format="Q%d")},
    )  # fmt: skip
    if preview.unmatched:
        st.caption(f"{len(preview.unmatched)} columns will not be used.")

    left, right = st.columns(2)
    dry = left.button("Dry run", key="import_dry_run")
    go = right.button(
        "Import", key="import_go", type="primary",
        disabled=st.session_state.get(CHECKED_KEY) != fingerprint,
        help="Run a dry run of this file first.",
    )  # fmt: skip
    try:
        if dry:
            with db.session() as session:
                report = ingest.import_file(
                    session, actor, consultation_id, path, dialect=str(dialect),
                    mapping=mapping_path, dry_run=True, filename=upload.name,
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
                    mapping=mapping_path, progress=tick, filename=upload.name,
                )  # fmt: skip
            bar.progress(1.0, text="Done")
            st.session_state[CHECKED_KEY] = None
            st.session_state[RESULT_KEY] = (fingerprint, "Imported", report.to_json())
            st.success(f"Imported {report.file} (batch {report.batch_id}).")
    except CurationError as exc:
        st.error(str(exc))
        st.stop()

result = st.session_state.get(RESULT_KEY)
if result and result[0] == fingerprint:
    show_report(result[2], title=result[1])
