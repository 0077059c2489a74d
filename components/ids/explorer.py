"""Ids of the curve explorer page (chart, tools, freshness watch, export)."""

from __future__ import annotations


class Explorer:
    """The curve explorer page."""

    cluster = "explorer-cluster-store"
    #: Everything under the header and the error (hidden when the view cannot open).
    body = "explorer-body-div"
    state = "explorer-state-store"
    view = "explorer-view-store"
    shape_moves = "explorer-shape-moves-store"
    axis_moves = "explorer-axis-moves-store"
    refine = "explorer-refine-store"
    refined = "explorer-refined-store"
    groups = "explorer-groups-store"
    top = "explorer-top-store"
    #: Where a new evaluation object goes, over the golden band the ranking built.
    place = "explorer-place-store"
    selected = "explorer-selected-store"
    header = "explorer-header-div"
    error = "explorer-error-div"
    process = "explorer-process-select"
    lines = "explorer-lines-select"
    stations = "explorer-stations-select"
    products = "explorer-products-select"
    batches = "explorer-batches-select"
    results = "explorer-results-select"
    start = "explorer-start-input"
    end = "explorer-end-input"
    color_by = "explorer-color-by-select"
    shown = "explorer-shown-checklist"
    summary = "explorer-summary-div"
    graph = "explorer-graph"
    outliers = "explorer-outliers-table"
    outliers_info = "explorer-outliers-info-div"
    #: The outlier ranking under way (its job) and the page's poll for its answer.
    ranking = "explorer-ranking-store"
    ranking_poll = "explorer-ranking-interval"
    part = "explorer-part-div"
    golden_select = "explorer-golden-select"
    golden_method = "explorer-golden-method-select"
    golden_band = "explorer-golden-band-input"
    golden_source = "explorer-golden-source-select"
    golden_name = "explorer-golden-name-input"
    golden_save = "explorer-golden-save-button"
    golden_alert = "explorer-golden-alert-div"
    objects = "explorer-objects-table"
    add_window = "explorer-add-window-button"
    add_envelope = "explorer-add-envelope-button"
    add_threshold = "explorer-add-threshold-button"
    apply_objects = "explorer-apply-objects-button"
    whatif = "explorer-whatif-div"
    export_csv = "explorer-export-csv-button"
    export_parquet = "explorer-export-parquet-button"
    export_outliers = "explorer-export-outliers-button"
    download = "explorer-download"
    share = "explorer-share-input"
    share_button = "explorer-share-button"
    share_copy = "explorer-share-copy"
    range = "explorer-range-select"
    url = "explorer-url-location"
    address = "explorer-address-store"
    shown_state = "explorer-shown-state-store"


class ExplorerFresh:
    """The explorer's watch on new data (imports, ingests)."""

    tick = "explorer-fresh-interval"
    seen = "explorer-fresh-store"
    note = "explorer-fresh-div"
    redraw = "explorer-fresh-redraw-store"


class ExplorerExport:
    """The explorer's export of the whole filtered set (a job with progress)."""

    format = "explorer-export-all-format-select"
    start = "explorer-export-all-button"
    job = "explorer-export-all-job-store"
    poll = "explorer-export-all-interval"
    progress = "explorer-export-all-progress"
    status = "explorer-export-all-status-div"
