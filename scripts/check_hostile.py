#!/usr/bin/env python3
"""Injection checks on a dataset whose every name is hostile (scripts/make_hostile.py).

1. The exported SQL scores it as the Swift scorer does on every engine and runs
   nothing else: scripts/check_sql.py (input tables intact afterwards).
2. `leadcal score` writes a CSV whose every field parses back (RFC 4180) and
   whose text cells that would start with =, +, -, @ begin with ' (OWASP).
3. `leadcal report` writes a notebook in which the data are inert: markdown
   cells hold no raw HTML from the data, code cells hold no name from the data
   (they read the CSV files; the one path is an escaped literal, even when it
   holds a quote), and the notebook runs top to bottom in a real kernel.

Usage: python3 scripts/check_hostile.py [--leadcal BIN] [--engines ...] [--require]
"""
import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--leadcal", default=".build/release/leadcal")
    p.add_argument("--engines", default="json,postgres,sqlite,duckdb,spark")
    p.add_argument("--require", action="store_true")
    a = p.parse_args()
    a.require = a.require or os.environ.get("LEADCAL_REQUIRE_ENGINES") == "1"
    problems = []
    with tempfile.TemporaryDirectory() as work:
        os.chmod(work, 0o755)
        data = os.path.join(work, "hostile")
        subprocess.run([sys.executable, os.path.join(HERE, "make_hostile.py"), data], check=True, stdout=subprocess.DEVNULL)
        fit = subprocess.run([a.leadcal, "fit", data, "--out", os.path.join(work, "w"), "--no-intervals", "--json"],
                             capture_output=True, text=True, check=True)
        weights = json.loads(fit.stdout)["weights_file"]

        # 1. SQL on every engine.
        sql = subprocess.run([sys.executable, os.path.join(HERE, "check_sql.py"), data, "--leadcal", a.leadcal, "--weights", weights,
                              "--engines", a.engines] + (["--require"] if a.require else []), capture_output=True, text=True)
        print("\n".join(line for line in sql.stdout.splitlines() if line.split(":")[0] in a.engines.split(",")))
        if sql.returncode != 0:
            problems.append("exported SQL on the hostile dataset: " + sql.stdout[-2000:] + sql.stderr[-2000:])

        # 2. The score CSV.
        scores = os.path.join(work, "scores.csv")
        subprocess.run([a.leadcal, "score", "--weights", weights, data, "--as-of", "2026-06-20", "--out", scores], check=True, stdout=subprocess.DEVNULL)
        with open(scores, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        if any(len(r) != len(header) for r in body):
            problems.append("score CSV: a row does not have as many fields as the header")
        expected_axes = ['fit "firmo"graphics\n_logit', "engage'ment <i>_logit", "hist`ory\\_logit"]
        if header[5:8] != expected_axes:
            problems.append(f"score CSV: axis columns {header[5:8]!r}, expected {expected_axes!r}")
        for r in body:
            for cell in [r[0], r[3], r[-1]]:  # lead_id, tier, reasons: the text cells
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    problems.append(f"score CSV: a cell starts with a formula character: {cell[:40]!r}")
        ids = {r[0] for r in body}
        for raw in ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)"]:
            if "'" + raw not in ids:
                problems.append(f"score CSV: lead {raw!r} is not written as '{raw!r}")
        if 'q"uote' not in ids or "line\nbreak" not in ids:
            problems.append("score CSV: a lead id with a quote or a line break did not survive")
        print(f"score CSV: {len(body)} rows, {len(header)} fields each, formula prefixes neutralised")

        # 3. The notebook, exported to a path that holds a quote.
        out = os.path.join(work, "re'port \"x\"")
        subprocess.run([a.leadcal, "report", "--weights", weights, data, "--out", out], check=True, stdout=subprocess.DEVNULL)
        notebook = json.load(open(out + ".ipynb"))
        names = ["<script>", "DROP TABLE", "<b>bold", "emp'loyees", "in\"dus"]
        for cell in notebook["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                for raw in ["<script>", "<b>", "<i>", "<mon>"]:
                    if raw in text:
                        problems.append(f"notebook: raw HTML from the data in a markdown cell: {raw}")
            else:
                for name in names:
                    if name in text:
                        problems.append(f"notebook: a name from the data in a code cell: {name!r}")
        code = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
        literal = 'data = "re\'port \\"x\\""'
        if literal not in code:
            problems.append(f"notebook: the data folder is not the escaped literal {literal}")
        run = subprocess.run([sys.executable, os.path.join(HERE, "execute_notebook.py"), out + ".ipynb"], capture_output=True, text=True)
        if run.returncode != 0:
            if "No module named" in run.stderr and not a.require:
                print("notebook: not executed here (no Jupyter packages)")
            else:
                problems.append("notebook: it does not run: " + run.stderr[-1500:])
        else:
            print("notebook: data inert in markdown and code cells; it runs top to bottom")

    if problems:
        print("FAILED")
        for problem in problems:
            print("  " + problem)
        sys.exit(1)
    print("hostile names: inert everywhere")


if __name__ == "__main__":
    main()
