"""The warehouse schema (DuckDB). Every stored number traces back to its source row."""

SCHEMA_VERSION = "1"

DDL = [
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE SEQUENCE IF NOT EXISTS source_ids START 1""",
    """CREATE TABLE IF NOT EXISTS sources (
        source_id INTEGER PRIMARY KEY,
        kind VARCHAR NOT NULL,
        path VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        retrieved_on DATE NOT NULL,
        ingested_at TIMESTAMP NOT NULL,
        added INTEGER, updated INTEGER, unchanged INTEGER, rejected INTEGER,
        origin VARCHAR, url VARCHAR, published_on DATE, fetched_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS domains (
        domain VARCHAR PRIMARY KEY,
        label VARCHAR NOT NULL,
        ord INTEGER NOT NULL,
        description VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS benchmarks (
        benchmark VARCHAR PRIMARY KEY,
        domain VARCHAR NOT NULL,
        unit VARCHAR NOT NULL,
        transform VARCHAR NOT NULL,
        random_baseline DOUBLE NOT NULL,
        ceiling DOUBLE NOT NULL,
        test_set VARCHAR NOT NULL,
        optimized_for BOOLEAN,
        release_date DATE,
        file VARCHAR,
        score_column VARCHAR,
        setting_columns VARCHAR,
        source_url VARCHAR,
        notes VARCHAR,
        source_id INTEGER NOT NULL,
        superseded_by VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS models (
        model_id VARCHAR PRIMARY KEY,
        display_name VARCHAR,
        organization VARCHAR,
        country VARCHAR,
        release_date DATE,
        accessibility VARCHAR NOT NULL,
        parameters DOUBLE,
        training_compute DOUBLE,
        source_id INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS model_versions (
        version_id VARCHAR PRIMARY KEY,
        model_id VARCHAR NOT NULL,
        setting VARCHAR,
        display_name VARCHAR,
        release_date DATE,
        accessibility VARCHAR NOT NULL,
        epoch_eci DOUBLE,
        source_id INTEGER NOT NULL,
        source_file VARCHAR,
        source_row INTEGER,
        epoch_eci_ci_low DOUBLE,
        epoch_eci_ci_high DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS results (
        version_id VARCHAR NOT NULL,
        benchmark VARCHAR NOT NULL,
        setting VARCHAR NOT NULL,
        raw_score DOUBLE NOT NULL,
        score DOUBLE NOT NULL,
        stderr DOUBLE,
        source_id INTEGER NOT NULL,
        source_file VARCHAR NOT NULL,
        source_row INTEGER NOT NULL,
        retrieved_on DATE NOT NULL,
        PRIMARY KEY (version_id, benchmark, setting))""",
    """CREATE TABLE IF NOT EXISTS accessibility_overrides (
        model_id VARCHAR PRIMARY KEY,
        accessibility VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        source_id INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS rejected (
        source_id INTEGER NOT NULL,
        file VARCHAR,
        "row" INTEGER,
        field VARCHAR,
        reason VARCHAR)""",
    # Real-world signals (LMArena rating, OpenRouter tokens, ...): filled by later sources.
    """CREATE TABLE IF NOT EXISTS signals (
        model_id VARCHAR NOT NULL,
        signal VARCHAR NOT NULL,
        value DOUBLE NOT NULL,
        as_of DATE NOT NULL,
        source_id INTEGER NOT NULL,
        source_file VARCHAR,
        source_row INTEGER,
        PRIMARY KEY (model_id, signal, as_of))""",
    # What each source says about a model's weights and licence (the openness audit):
    # one row per model, source and snapshot, the source's own text and flags.
    """CREATE TABLE IF NOT EXISTS licences (
        model_id VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        licence VARCHAR,
        open_weights BOOLEAN,
        commercial BOOLEAN,
        as_of DATE NOT NULL,
        source_id INTEGER NOT NULL,
        source_file VARCHAR,
        source_row INTEGER,
        PRIMARY KEY (model_id, source, as_of))""",
]

# Snapshots (store/snapshots.py): the data state after each load or update, dated. A
# ``snap_<table>`` mirrors a data table with a leading ``snapshot_id``; it is made from the
# table itself, so it starts with the same columns (columns the table gains later are added
# to its mirror when the next snapshot is taken).
SNAPSHOT_MIRRORED = ("domains", "benchmarks", "models", "model_versions", "results",
                     "accessibility_overrides")

SNAPSHOT_DDL = [
    ("snapshots", """CREATE TABLE IF NOT EXISTS snapshots (
        snapshot_id VARCHAR PRIMARY KEY,
        taken_at TIMESTAMP NOT NULL,
        label VARCHAR NOT NULL,
        note VARCHAR,
        fingerprint VARCHAR NOT NULL,
        data_through DATE)"""),
    *[(f"snap_{t}", f"CREATE TABLE IF NOT EXISTS snap_{t} AS "
       f"SELECT CAST(NULL AS VARCHAR) AS snapshot_id, * FROM {t} LIMIT 0")
      for t in SNAPSHOT_MIRRORED],
    # Names a source gave that matched no model, or more than one (from ``rejected``).
    ("snap_unmatched", """CREATE TABLE IF NOT EXISTS snap_unmatched (
        snapshot_id VARCHAR NOT NULL,
        kind VARCHAR,
        file VARCHAR,
        name VARCHAR,
        reason VARCHAR)"""),
    # Each source and the newest date its data speak for.
    ("snap_sources", """CREATE TABLE IF NOT EXISTS snap_sources (
        snapshot_id VARCHAR NOT NULL,
        source_id INTEGER,
        kind VARCHAR,
        path VARCHAR,
        origin VARCHAR,
        retrieved_on DATE,
        published_on DATE,
        data_through DATE)"""),
]
DDL += [statement for _, statement in SNAPSHOT_DDL]

# Columns added after schema version 1 was first released: a warehouse made before gets
# them on its next writable open (``Warehouse._migrate``), with NULL in the old rows.
ADDED_COLUMNS = [
    ("sources", "origin", "VARCHAR"),
    ("sources", "url", "VARCHAR"),
    ("sources", "published_on", "DATE"),
    ("sources", "fetched_at", "TIMESTAMP"),
    # The benchmark that replaces this one (Epoch's benchmark_metadata.csv superseded_by).
    ("benchmarks", "superseded_by", "VARCHAR"),
    # Epoch's published 90% interval of the model's ECI (current export layout only).
    ("model_versions", "epoch_eci_ci_low", "DOUBLE"),
    ("model_versions", "epoch_eci_ci_high", "DOUBLE"),
]

# Effective accessibility: an override wins, the source value is kept beside it.
MODELS_VIEW = """
SELECT m.model_id, m.display_name, m.organization, m.country, m.release_date,
       COALESCE(o.accessibility, m.accessibility) AS accessibility,
       COALESCE(o.accessibility, m.accessibility) LIKE 'Open weights%' AS is_open_weights,
       m.accessibility AS source_accessibility,
       o.reason AS override_reason,
       m.parameters, m.training_compute, m.source_id
FROM models m LEFT JOIN accessibility_overrides o USING (model_id)
"""
