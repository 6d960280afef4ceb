"""Suggestions and personal-data checks over the demo data: `python -m benchmarks.quotes_demo`.

Seeds the demo consultation into a throwaway SQLite file, then builds the picker's view
(sentences, top-three suggestions, checks) for every quotable response. Prints how many
suggestions each response gets, the personal-data findings over the full texts (the demo
is fictional, so each one is a false positive or the respondent's own name), and, as the
last line, `ms_per_pick_view: N`.
"""

from __future__ import annotations

import collections
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="quotes-bench-"))
    os.environ["CURATION_DATA_DIR"] = str(tmp / "data")
    os.environ["CURATION_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    from sqlalchemy import select

    from curation import consultations
    from curation.access.actors import LOCAL_ADMIN
    from curation.demo import respondents as demo
    from curation.quotes import picking
    from curation.quotes.personal_data import find_personal_data
    from curation.rights.consent import quotable_clause
    from curation.store import open_database
    from curation.store.foundation import Respondent, Response

    db = open_database()
    with db.session() as session:
        consultation = consultations.ensure_bundled(session, LOCAL_ADMIN)
        demo.seed_demo(session, LOCAL_ADMIN, consultation)
    suggestions: collections.Counter[int] = collections.Counter()
    findings: collections.Counter[str] = collections.Counter()
    with db.session() as session:
        ids = session.scalars(select(Response.id).join(Respondent).where(quotable_clause())).all()
        started = time.perf_counter()
        for rid in ids:
            view = picking.pick_view(session, LOCAL_ADMIN, rid)
            suggestions[len(view.suggestions)] += 1
            for f in find_personal_data(view.text, respondent_name=view.respondent_name):
                findings[f.kind] += 1
        elapsed = time.perf_counter() - started
    print(f"quotable responses: {len(ids)}")
    print(f"suggestions per response: {dict(sorted(suggestions.items()))}")
    print(f"findings over full texts: {dict(sorted(findings.items()))}")
    print(f"ms_per_pick_view: {1000 * elapsed / max(1, len(ids)):.1f}")


if __name__ == "__main__":
    main()
