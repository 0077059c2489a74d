"""Ids of the data import page."""

from __future__ import annotations


class DataImport:
    """The data import page."""

    cluster = "import-cluster-store"
    kind = "import-kind-radio"
    upload = "import-upload"
    upload_store = "import-upload-store"
    mapping = "import-mapping-div"
    preview = "import-preview-div"
    start = "import-start-button"
    job = "import-job-store"
    poll = "import-poll-interval"
    progress = "import-progress-div"
    error = "import-error-div"
    history = "import-history-div"
    MAP = "import-map"


def import_map(target: str) -> dict[str, str]:
    """The mapping dropdown of one target column."""
    return {"type": DataImport.MAP, "target": target}
