"""Importing form exports (Google Forms, Microsoft Forms, SurveyMonkey, Typeform, others).

`import_file` is the one entry point for the CLI and the Import page; `preview_file`
shows the detected dialect and column mapping without writing anything.
"""

from curation.ingest.importer import import_file, preview_file
from curation.ingest.keys import pseudonym, source_key
from curation.ingest.mapping import Mapping, load_mapping
from curation.ingest.readers import MAX_FIELD_CHARS, MAX_FILE_BYTES, MAX_ROWS
from curation.ingest.report import ImportReport
from curation.ingest.writer import content_hash

__all__ = [
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ImportReport",
    "Mapping",
    "content_hash",
    "import_file",
    "load_mapping",
    "preview_file",
    "pseudonym",
    "source_key",
]
