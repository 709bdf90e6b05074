#!/usr/bin/env python3
"""Bulk scoring benchmark: `leadcal score` (CSV to CSV) beside the same model
exported as SQL, in one run on the same data.

- leadcal: `leadcal score --weights W DATA --as-of T --out scores.csv`, with its
  reasons (the default) and with `--reasons 0` (the columns the SQL writes).
- DuckDB: `leadcal export --format sql-duckdb` over `read_csv` views of the same
  CSV files, the result written with COPY ... TO a CSV file (CSV to CSV, like leadcal).
- PostgreSQL: the CSVs loaded once into a throwaway cluster (COPY, timed apart),
  then `leadcal export --format sql-postgres` with the result sent to /dev/null.

Each is the median of --runs runs (wall time, and peak resident memory of the
process from /usr/bin/time). Prints a Markdown table and the ratios.

Usage: python3 scripts/bench_sql.py DATA_DIR --weights W [--leadcal BIN] [--as-of T] [--runs 3]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(command, **kw):
    """(seconds, peak MB) of a command run under /usr/bin/time."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + command, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{out.stderr[-2000:]}")
    seconds, kb = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024


def median(runs):
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--weights", required=True)
    p.add_argument("--leadcal", default=".build/release/leadcal")
    p.add_argument("--as-of", default="2026-11-01T00:00:00Z")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--engines", default="leadcal,duckdb,postgres")
    a = p.parse_args()
    data = os.path.abspath(a.data)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        os.chmod(work, 0o755)
        engines = a.engines.split(",")
        results = {}
        if "leadcal" in engines:
            out = os.path.join(work, "leadcal.csv")
            results["leadcal"] = median([timed([a.leadcal, "score", "--weights", a.weights, data, "--as-of", a.as_of, "--out", out, "--force"])
                                         for _ in range(a.runs)])
            rows.append(("`leadcal score`, CSV to CSV", *results["leadcal"], "with 3 reasons a lead"))
            # The exported SQL computes no reasons: the like-for-like run writes the same columns.
            results["leadcal-no-reasons"] = median([timed([a.leadcal, "score", "--weights", a.weights, data, "--as-of", a.as_of, "--out", out,
                                                           "--force", "--reasons", "0"]) for _ in range(a.runs)])
            rows.append(("`leadcal score --reasons 0`, CSV to CSV", *results["leadcal-no-reasons"], "the SQL's columns"))
        if "duckdb" in engines:
            sql = subprocess.run([a.leadcal, "export", "--weights", a.weights, "--format", "sql-duckdb"],
                                 capture_output=True, text=True, check=True).stdout.strip().rstrip(";")
            script = os.path.join(work, "duck.py")
            with open(script, "w") as f:
                f.write(f"""
import duckdb
db = duckdb.connect()
db.execute("SET TimeZone = 'UTC'")
db.execute("CREATE VIEW leads AS SELECT * FROM read_csv('{data}/leads.csv', header = true, all_varchar = true)")
db.execute(\"\"\"CREATE VIEW signals AS SELECT lead_id, signal, CAST(occurred_at AS TIMESTAMPTZ) AS occurred_at,
              CAST(value AS DOUBLE) AS value FROM read_csv('{data}/signals.csv', header = true, all_varchar = true)\"\"\")
db.execute("CREATE TABLE scoring_params AS SELECT CAST('{a.as_of}' AS TIMESTAMPTZ) AS as_of")
db.execute("COPY (" + {sql!r} + ") TO '{work}/duck.csv' (HEADER)")
""")
            results["duckdb"] = median([timed([sys.executable, script]) for _ in range(a.runs)])
            rows.append(("DuckDB, exported SQL over the CSVs, CSV to CSV", *results["duckdb"], ""))
        if "postgres" in engines:
            results.update(postgres(a, data, work, rows))
    print("| scoring 500,000-lead data | median s | peak MB | note |" if "500000" in data else "| scoring | median s | peak MB | note |")
    print("| --- | ---: | ---: | --- |")
    for name, seconds, mb, note in rows:
        print(f"| {name} | {seconds:.2f} | {mb:.0f} | {note} |")
    if "leadcal" in results:
        for k, (s, _) in results.items():
            if not k.startswith("leadcal"):
                print(f"\n{k} / leadcal: {s / results['leadcal'][0]:.1f}× the time "
                      f"({s / results['leadcal-no-reasons'][0]:.1f}× that of `--reasons 0`, the same columns)", end="")
        print()


def postgres(a, data, work, rows):
    bindir = next((f"/usr/lib/postgresql/{v}/bin" for v in ("17", "16", "15", "14", "13")
                   if os.path.exists(f"/usr/lib/postgresql/{v}/bin/initdb")), None)
    if bindir is None:
        rows.append(("PostgreSQL", float("nan"), float("nan"), "not installed"))
        return {}
    sys.path.insert(0, HERE)
    from check_sql import Dataset
    import json
    weights = json.load(open(a.weights))
    columns = [x["column"] for axis in weights["spec"]["axes"] for x in axis["attributes"]]
    ds = Dataset(data, work, a.as_of, columns)
    cluster = os.path.join(work, "pg")
    os.makedirs(cluster)
    user = []
    if os.geteuid() == 0:
        for path in (work, cluster, ds.leads_csv, ds.signals_csv):
            shutil.chown(path, "postgres")
        user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(user + [f"{bindir}/initdb", "-D", cluster, "-A", "trust", "-U", "postgres", "--no-sync"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(user + [f"{bindir}/pg_ctl", "-D", cluster, "-w", "-l", os.path.join(cluster, "log"), "-o",
                           f"-c listen_addresses='' -c unix_socket_directories='{cluster}' -c fsync=off -c shared_buffers=1GB -c work_mem=256MB",
                           "start"], check=True, stdout=subprocess.DEVNULL)
    try:
        psql = user + ["psql", "-h", cluster, "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-X", "-q"]
        cols = ", ".join('"' + c.replace('"', '""') + '" text' for c in ds.lead_columns)
        started = time.monotonic()
        subprocess.run(psql, text=True, check=True, input=f"""
            SET TimeZone = 'UTC';
            CREATE TABLE leads ({cols});
            CREATE TABLE signals (lead_id text, signal text, occurred_at timestamptz, value double precision);
            CREATE TABLE scoring_params (as_of timestamptz);
            \\copy leads FROM '{ds.leads_csv}' WITH (FORMAT csv, HEADER true)
            \\copy signals FROM '{ds.signals_csv}' WITH (FORMAT csv, HEADER true)
            INSERT INTO scoring_params VALUES ('{a.as_of}');
            ANALYZE;""")
        load = time.monotonic() - started
        sql = subprocess.run([a.leadcal, "export", "--weights", a.weights, "--format", "sql-postgres"],
                             capture_output=True, text=True, check=True).stdout
        query_file = os.path.join(work, "query.sql")
        with open(query_file, "w") as f:
            f.write("SET TimeZone = 'UTC';\nCOPY (" + sql.strip().rstrip(";") + "\n) TO STDOUT WITH (FORMAT csv);\n")
        if user:
            shutil.chown(query_file, "postgres")
        runs = []
        for _ in range(a.runs):
            started = time.monotonic()
            subprocess.run(psql + ["-f", query_file], check=True, stdout=subprocess.DEVNULL)
            runs.append((time.monotonic() - started, float("nan")))
        seconds = statistics.median(r[0] for r in runs)
        rows.append(("PostgreSQL 15, exported SQL on loaded tables", seconds, float("nan"), f"loading the CSVs first took {load:.1f} s"))
        return {"postgres": (seconds, float("nan"))}
    finally:
        subprocess.run(user + [f"{bindir}/pg_ctl", "-D", cluster, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
