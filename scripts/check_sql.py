#!/usr/bin/env python3
"""Run `leadcal export`'s SQL on real engines, and its flat JSON in an independent
Python scorer, and check both against the Swift scorer.

For each engine: load a dataset's leads.csv and signals.csv into it (attribute
columns as text, occurred_at a timestamp, ISO 8601 text in SQLite), add a
one-row scoring_params(as_of), run the exported query, and compare every lead
with `leadcal score --digits 17` at the same as_of: probability and each axis
logit within 1e-9, score, tier and model_version equal. The input tables must be
unchanged afterwards (the query only reads).

Engines: PostgreSQL (a throwaway cluster in a temporary folder, run as the
`postgres` user, on a Unix socket), SQLite (the system library through Python's
sqlite3, which has the math functions), DuckDB (its Python package, over the
CSV files with read_csv views) and Spark SQL (pyspark in local[2] mode).

Usage: python3 scripts/check_sql.py DATA_DIR [--leadcal BIN] [--weights FILE] [--as-of DATE]
                                    [--engines postgres,sqlite,duckdb,spark] [--require] [--breadth DAYS]
--breadth DAYS fits the data's model.yaml with `breadth_days: DAYS` on every axis with
signals, so that the breadth features are checked on every engine too.
An engine that is absent is skipped with the reason; with --require (or LEADCAL_REQUIRE_ENGINES=1,
as .ci/run sets it) that is a failure.
"""
import argparse
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOLERANCE = 1e-9


class Missing(Exception):
    """The engine is not installed here."""


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


class Dataset:
    """leads.csv and signals.csv normalised for loading: UTF-8 without BOM, LF, RFC 4180."""

    def __init__(self, data, work, as_of, attribute_columns):
        self.as_of = as_of
        header, rows = read_csv(os.path.join(data, "leads.csv"))
        index = {c: header.index(c) for c in ["lead_id"] + attribute_columns}
        self.lead_columns = ["lead_id"] + attribute_columns
        self.leads = [[r[index[c]] for c in self.lead_columns] for r in rows]
        header, rows = read_csv(os.path.join(data, "signals.csv"))
        index = {c: header.index(c) for c in ["lead_id", "signal", "occurred_at"]}
        value = header.index("value") if "value" in header else None
        self.signals = [[r[index["lead_id"]], r[index["signal"]], r[index["occurred_at"]],
                         (r[value] if value is not None else "")] for r in rows]
        self.leads_csv = os.path.join(work, "leads.csv")
        self.signals_csv = os.path.join(work, "signals.csv")
        write_csv(self.leads_csv, self.lead_columns, self.leads)
        write_csv(self.signals_csv, ["lead_id", "signal", "occurred_at", "value"], self.signals)

    def fingerprint(self, rows):
        h = hashlib.sha256()
        for r in sorted(tuple("" if v is None else str(v) for v in row) for row in rows):
            h.update(repr(r).encode())
        return h.hexdigest()


def quote(name):
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------- engines
def run_postgres(ds, sql, work):
    bindir = None
    for version in ("17", "16", "15", "14", "13"):
        candidate = f"/usr/lib/postgresql/{version}/bin"
        if os.path.exists(os.path.join(candidate, "initdb")):
            bindir = candidate
            break
    if bindir is None or shutil.which("psql") is None:
        raise Missing("no PostgreSQL server (apt-get install postgresql)")
    cluster = os.path.join(work, "pg")
    os.makedirs(cluster)
    user = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user
        shutil.chown(work, "postgres")
        shutil.chown(cluster, "postgres")
        for f in (ds.leads_csv, ds.signals_csv):
            shutil.chown(f, "postgres")
        user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(user + [f"{bindir}/initdb", "-D", cluster, "-A", "trust", "-U", "postgres", "--no-sync"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(user + [f"{bindir}/pg_ctl", "-D", cluster, "-w", "-l", os.path.join(cluster, "log"), "-o",
                           f"-c listen_addresses='' -c unix_socket_directories='{cluster}' -c fsync=off", "start"],
                   check=True, stdout=subprocess.DEVNULL)
    try:
        columns = ", ".join(f"{quote(c)} text" for c in ds.lead_columns)
        setup = f"""
            SET TimeZone = 'UTC';
            CREATE TABLE leads ({columns});
            CREATE TABLE signals (lead_id text, signal text, occurred_at timestamptz, value double precision);
            CREATE TABLE scoring_params (as_of timestamptz);
            \\copy leads FROM '{ds.leads_csv}' WITH (FORMAT csv, HEADER true)
            \\copy signals FROM '{ds.signals_csv}' WITH (FORMAT csv, HEADER true)
            INSERT INTO scoring_params VALUES ('{ds.as_of}');
            """
        psql = user + ["psql", "-h", cluster, "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-X", "-q"]
        subprocess.run(psql, input=setup, text=True, check=True)
        # COPY (query) TO STDOUT from a file: the query keeps its line breaks (a literal may hold one).
        query_file = os.path.join(work, "query.sql")
        with open(query_file, "w") as f:
            f.write("SET TimeZone = 'UTC';\nCOPY (" + sql.strip().rstrip(";") + "\n) TO STDOUT WITH (FORMAT csv, HEADER true);\n")
        if user:
            shutil.chown(query_file, "postgres")
        started = time.monotonic()
        out = subprocess.run(psql + ["-f", query_file], capture_output=True, text=True, check=True).stdout
        seconds = time.monotonic() - started
        parsed = list(csv.reader(io.StringIO(out, newline="")))
        header, rows = parsed[0], parsed[1:]
        counts = subprocess.run(psql + ["-t", "-A", "-c", "SELECT (SELECT count(*) FROM leads) || ',' || (SELECT count(*) FROM signals)"],
                                capture_output=True, text=True, check=True).stdout.strip()
        intact = counts == f"{len(ds.leads)},{len(ds.signals)}"
        return header, rows, intact, seconds
    finally:
        subprocess.run(user + [f"{bindir}/pg_ctl", "-D", cluster, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL)


def run_sqlite(ds, sql, work):
    import sqlite3
    db = sqlite3.connect(os.path.join(work, "leads.sqlite"))
    try:
        db.execute("SELECT ln(2), power(2, 3), exp(1), floor(1.5)").fetchone()
    except sqlite3.OperationalError:
        raise Missing(f"this SQLite ({sqlite3.sqlite_version}) lacks the math functions")
    columns = ", ".join(f"{quote(c)} TEXT" for c in ds.lead_columns)
    db.execute(f"CREATE TABLE leads ({columns})")
    db.execute("CREATE TABLE signals (lead_id TEXT, signal TEXT, occurred_at TEXT, value REAL)")
    db.execute("CREATE TABLE scoring_params (as_of TEXT)")
    db.executemany(f"INSERT INTO leads VALUES ({', '.join('?' for _ in ds.lead_columns)})", ds.leads)
    db.executemany("INSERT INTO signals VALUES (?, ?, ?, ?)",
                   [(a, b, c, float(v) if v.strip() else None) for a, b, c, v in ds.signals])
    db.execute("INSERT INTO scoring_params VALUES (?)", (ds.as_of,))
    before = ds.fingerprint(db.execute("SELECT * FROM leads").fetchall()), db.execute("SELECT count(*) FROM signals").fetchone()
    started = time.monotonic()
    cursor = db.execute(sql)
    rows = [["" if v is None else repr(v) if isinstance(v, float) else str(v) for v in r] for r in cursor.fetchall()]
    seconds = time.monotonic() - started
    header = [d[0] for d in cursor.description]
    after = ds.fingerprint(db.execute("SELECT * FROM leads").fetchall()), db.execute("SELECT count(*) FROM signals").fetchone()
    db.close()
    return header, rows, before == after, seconds


def run_duckdb(ds, sql, work):
    try:
        import duckdb
        import pandas as pd
    except ImportError:
        raise Missing("no duckdb (or pandas) Python package (pip install duckdb pandas)")
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    # Tables from the parsed rows (names may hold anything), signals typed as the contract says.
    leads = pd.DataFrame(ds.leads, columns=ds.lead_columns, dtype=object)
    signals = pd.DataFrame(ds.signals, columns=["lead_id", "signal", "occurred_at", "value"], dtype=object)
    db.register("leads_rows", leads)
    db.register("signal_rows", signals)
    db.execute("CREATE TABLE leads AS SELECT * FROM leads_rows")
    db.execute("""CREATE TABLE signals AS SELECT lead_id, signal, CAST(occurred_at AS TIMESTAMPTZ) AS occurred_at,
                  CAST(NULLIF(value, '') AS DOUBLE) AS value FROM signal_rows""")
    db.execute(f"CREATE TABLE scoring_params AS SELECT CAST('{ds.as_of}' AS TIMESTAMPTZ) AS as_of")
    before = ds.fingerprint(db.execute("SELECT * FROM leads").fetchall()), db.execute("SELECT count(*) FROM signals").fetchone()
    started = time.monotonic()
    result = db.execute(sql)
    rows = [["" if v is None else repr(v) if isinstance(v, float) else str(v) for v in r] for r in result.fetchall()]
    seconds = time.monotonic() - started
    header = [d[0] for d in result.description]
    after = ds.fingerprint(db.execute("SELECT * FROM leads").fetchall()), db.execute("SELECT count(*) FROM signals").fetchone()
    return header, rows, before == after, seconds


def run_spark(ds, sql, work):
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise Missing("no pyspark (pip install pyspark)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise Missing("no Java runtime for Spark (apt-get install openjdk-17-jre-headless)")
    spark = (SparkSession.builder.master("local[2]").appName("leadcal-check")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "4").config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        from pyspark.sql.types import StringType, StructField, StructType
        # Frames from the parsed rows (names may hold anything), signals typed as the contract says.
        spark.createDataFrame(ds.leads, StructType([StructField(c, StringType()) for c in ds.lead_columns])) \
            .createOrReplaceTempView("leads")
        spark.createDataFrame(ds.signals, StructType([StructField(c, StringType()) for c in ["lead_id", "signal", "occurred_at", "value"]])) \
            .createOrReplaceTempView("signals_text")
        spark.sql("""CREATE OR REPLACE TEMP VIEW signals AS SELECT lead_id, signal, CAST(occurred_at AS TIMESTAMP) AS occurred_at,
                     CAST(NULLIF(value, '') AS DOUBLE) AS value FROM signals_text""")
        spark.sql(f"CREATE OR REPLACE TEMP VIEW scoring_params AS SELECT CAST('{ds.as_of}' AS TIMESTAMP) AS as_of")
        started = time.monotonic()
        frame = spark.sql(sql.strip().rstrip(";"))
        rows = [["" if v is None else repr(v) if isinstance(v, float) else str(v) for v in r] for r in frame.collect()]
        seconds = time.monotonic() - started
        intact = spark.sql("SELECT count(*) FROM leads").collect()[0][0] == len(ds.leads)
        return frame.columns, rows, intact, seconds
    finally:
        spark.stop()


def run_json(ds, document, work):
    """The flat production JSON scored by this file's own Python: an independent scorer."""
    import json
    import math
    from datetime import datetime, timezone
    m = json.loads(document)
    try:
        import jsonschema
        schema = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schema", "production-model.schema.json")))
        jsonschema.validate(m, schema)
    except ImportError:
        pass
    def epoch(text):
        t = datetime.fromisoformat(text.strip())
        return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()
    as_of = epoch(ds.as_of)
    signals = {s["signal"]: s for s in m["signals"]}
    sums = {}
    # Breadth: the window of each signal type a breadth feature counts, and the (lead, type) pairs seen inside it.
    window = {t: b["window_days"] for b in m.get("breadth", []) for t in b["signals"]}
    recent = set()
    started = time.monotonic()
    for lead, signal, occurred, value in ds.signals:
        s = signals.get(signal)
        if s is None:
            continue
        age = (as_of - epoch(occurred)) / 86400
        if age > 0:
            key = (lead, signal)
            sums[key] = sums.get(key, 0.0) + (float(value) if value.strip() else 1.0) * 2.0 ** (-age / s["half_life_days"])
            if signal in window and age <= window[signal]:
                recent.add(key)
    column = {c: k for k, c in enumerate(ds.lead_columns)}
    rows = []
    for lead_row in ds.leads:
        lead = lead_row[0]
        axes = {a: 0.0 for a in m["axes"]}
        for c in m["categories"]:
            axes[c["axis"]] += c["weights"].get(lead_row[column[c["column"]]], 0.0)
        for n in m["numbers"]:
            text = lead_row[column[n["column"]]].strip()
            x = n["mean"] if text == "" else (math.log1p(float(text)) if n["transform"] == "log1p" else float(text))
            axes[n["axis"]] += n["weight"] * x
        for s in m["signals"]:
            total = sums.get((lead, s["signal"]), 0.0)
            axes[s["axis"]] += s["weight"] * (math.log1p(total) if s["saturation"] == "log1p" else total)
        for b in m.get("breadth", []):
            axes[b["axis"]] += b["weight"] * sum(1 for t in b["signals"] if (lead, t) in recent)
        logit = m["intercept"] + sum(axes[a] for a in m["axes"])
        p = 1 / (1 + math.exp(-logit)) if logit > -700 else 0.0
        tier = next((t["name"] for t in m["tiers"] if p >= t["min_probability"]), m["tiers"][-1]["name"])
        rows.append([lead, repr(p), str(math.floor(100 * p + 0.5)), tier, m["version"]] + [repr(axes[a]) for a in m["axes"]])
    seconds = time.monotonic() - started
    return ["lead_id", "probability", "score", "tier", "model_version"] + [f"{a}_logit" for a in m["axes"]], rows, True, seconds


ENGINES = {"json": ("json", run_json), "postgres": ("sql-postgres", run_postgres), "sqlite": ("sql-sqlite", run_sqlite),
           "duckdb": ("sql-duckdb", run_duckdb), "spark": ("sql-spark", run_spark)}


def compare(reference, header, rows):
    """Problems of an engine's result against the Swift scorer's, or []."""
    problems = []
    ref_header, ref_rows = reference
    expected = [c for c in ref_header if c != "reasons"]
    if header != expected:
        return [f"columns {header}, expected {expected}"], 0.0
    def plain(lead):
        """A lead id as the data hold it: `leadcal score` writes a leading ' before =, +, -, @ (CSV injection)."""
        return lead[1:] if lead.startswith("'") and len(lead) > 1 and lead[1] in "=+-@\t\r" else lead
    by_id = {plain(r[0]): r for r in ref_rows}
    if len(rows) != len(ref_rows):
        problems.append(f"{len(rows)} rows, expected {len(ref_rows)}")
    worst = 0.0
    for r in rows:
        ref = by_id.get(r[0])
        if ref is None:
            problems.append(f"lead {r[0]!r} is not in the scorer's output")
            continue
        for k, column in enumerate(header):
            if column == "lead_id":
                continue
            if column in ("score", "tier", "model_version"):
                if r[k] != ref[k]:
                    problems.append(f"lead {r[0]!r}: {column} {r[k]!r}, scorer {ref[k]!r}")
            else:
                difference = abs(float(r[k]) - float(ref[k]))
                worst = max(worst, difference)
                if difference > TOLERANCE:
                    problems.append(f"lead {r[0]!r}: {column} {r[k]} vs scorer {ref[k]} (difference {difference:.3g})")
    return problems[:10] + ([f"... {len(problems) - 10} more"] if len(problems) > 10 else []), worst


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--leadcal", default=".build/release/leadcal")
    p.add_argument("--weights", help="default: a fit of DATA_DIR (without intervals) in a temporary folder")
    p.add_argument("--as-of", default="2026-11-01T00:00:00Z")
    p.add_argument("--engines", default="json,postgres,sqlite,duckdb,spark")
    p.add_argument("--require", action="store_true", help="an absent engine is a failure (CI)")
    p.add_argument("--breadth", type=float, help="fit with breadth_days: DAYS on every axis with signals")
    a = p.parse_args()

    import json
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    a.require = a.require or os.environ.get("LEADCAL_REQUIRE_ENGINES") == "1"
    keep = tempfile.TemporaryDirectory()
    if a.weights is None:
        spec = []
        if a.breadth:
            # The data's spec with a breadth window on every axis with signals (each has a half_life_days line).
            path = os.path.join(keep.name, "breadth.yaml")
            with open(os.path.join(a.data, "model.yaml")) as f, open(path, "w") as g:
                for line in f:
                    g.write(line)
                    if line.strip().startswith("half_life_days:"):
                        g.write(line[:len(line) - len(line.lstrip())] + f"breadth_days: {a.breadth:g}\n")
            spec = ["--spec", path]
        fitted = subprocess.run([a.leadcal, "fit", a.data, "--out", keep.name, "--no-intervals", "--json"] + spec,
                                capture_output=True, text=True, check=True)
        a.weights = json.loads(fitted.stdout)["weights_file"]
    weights = json.load(open(a.weights))
    columns = []
    for axis in weights["spec"]["axes"]:
        columns += [attribute["column"] for attribute in axis["attributes"]]
    failed = False
    with tempfile.TemporaryDirectory() as work:
        os.chmod(work, 0o755)
        reference_csv = os.path.join(work, "reference.csv")
        subprocess.run([a.leadcal, "score", "--weights", a.weights, a.data, "--as-of", a.as_of, "--digits", "17",
                        "--reasons", "0", "--out", reference_csv], check=True, stdout=subprocess.DEVNULL)
        ref_header, ref_rows = read_csv(reference_csv)
        drop = ref_header.index("reasons")
        reference = ([c for c in ref_header if c != "reasons"], [r[:drop] + r[drop + 1:] for r in ref_rows])
        for name in a.engines.split(","):
            fmt, run = ENGINES[name]
            engine_dir = os.path.join(work, name)
            os.makedirs(engine_dir)
            os.chmod(engine_dir, 0o755)
            ds = Dataset(a.data, engine_dir, a.as_of, columns)
            sql = subprocess.run([a.leadcal, "export", "--weights", a.weights, "--format", fmt],
                                 capture_output=True, text=True, check=True).stdout
            try:
                header, rows, intact, seconds = run(ds, sql, engine_dir)
            except Missing as why:
                print(f"{name}: SKIPPED, {why}")
                failed = failed or a.require
                continue
            problems, worst = compare(reference, header, rows)
            if not intact:
                problems.append("the input tables changed")
            if problems:
                failed = True
                print(f"{name}: FAILED")
                for problem in problems:
                    print(f"  {problem}")
            else:
                print(f"{name}: {len(rows)} leads equal to the Swift scorer (largest difference {worst:.2g}, "
                      f"tiers and scores equal, inputs intact; query {seconds:.2f} s)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
