#!/usr/bin/env python3
"""The corpus of broken and hostile inputs: one folder per case, with case.json.

Run from this folder:  python3 make_corpus.py --leadcal ../../../.build/release/leadcal
(it needs leadcal for the shared synthetic dataset and weights file the cases
derive from). Every folder is rewritten; commit the result.

case.json:
  what       what the case is
  steps      commands run in order, each with
               run            arguments; {case} is the case's folder (a temporary copy), {tmp} an empty output folder
               status         the exit status
               stderr         the exact stderr, or
               stderr_prefix  its beginning, or stderr_contains a part of it
               stdout_contains (optional)
               as_user        run as this user when the tests run as root (for permission cases)
  generate   big inputs made at test time rather than committed:
               {"file", "kind": "long_field" | "many_types" | "many_signals", "count"}
  chmod      {"path": mode} applied to the copy before the steps
  shared     true: the copy starts with _shared/data (a synthetic dataset) and _shared/weights.json
             (fitted on it), then the case's own files on top
  unchanged  true: every file of the case's folder is byte for byte the same afterwards,
             and nothing new appears in it (outputs go to {tmp})

The test (CorpusTests) runs every case. Exit statuses: 0 success, 2 bad input or a
refused operation, 64 a command-line usage error (swift-argument-parser's EX_USAGE).
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess

LEADS = "lead_id,industry,employees\nA,software,10\nB,retail,200\nC,software,5\nD,retail,50\n"
SIGNALS = ("lead_id,signal,occurred_at,value\nA,email_open,2026-03-01,\nB,pricing_visit,2026-03-02T10:00:00Z,3\n"
           "C,email_open,2026-03-05T08:00:00+02:00,1\n")
OUTCOMES = "lead_id,outcome,as_of\nA,won,2026-04-01\nB,lost,2026-04-01\nC,lost,2026-04-01\nD,won,2026-04-01\n"
SPEC = """name: test
axes:
  fit:
    attributes:
      industry: categorical
      employees: log
  engagement:
    signals: [email_open, pricing_visit]
    half_life_days: 14
    fit_half_life: true
l2: 1.0
"""

cases = {}


def case(name, what, steps, files=None, raw=None, generate=None, chmod=None, unchanged=True, shared=False):
    cases[name] = dict(what=what, steps=steps, files=files or {}, raw=raw or {}, generate=generate, chmod=chmod,
                       unchanged=unchanged, shared=shared)


def data(**override):
    """The base dataset with some files replaced (text), under data/."""
    files = {"data/leads.csv": LEADS, "data/signals.csv": SIGNALS, "data/outcomes.csv": OUTCOMES, "data/model.yaml": SPEC}
    for k, v in override.items():
        key = "data/" + k.replace("_csv", ".csv").replace("_yaml", ".yaml")
        if v is None:
            files.pop(key, None)
        else:
            files[key] = v
    return files


def inspect(status, stderr=None, **kw):
    step = {"run": ["inspect", "{case}/data"], "status": status}
    if stderr is not None:
        step["stderr"] = stderr
    step.update(kw)
    return [step]


def resign(text):
    """A weights document with its checksum recomputed (a hostile but well-signed file)."""
    zeroed = re.sub(r'"checksum" : "sha256:[0-9a-f]{64}"', '"checksum" : "sha256:' + "0" * 64 + '"', text)
    digest = hashlib.sha256(zeroed.encode()).hexdigest()
    return zeroed.replace("sha256:" + "0" * 64, "sha256:" + digest)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--leadcal", default="../../../.build/release/leadcal")
    a = p.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    leadcal = os.path.abspath(a.leadcal)

    # The shared synthetic dataset and its weights file, from which weight cases derive.
    shared = os.path.join(here, "_shared")
    shutil.rmtree(shared, ignore_errors=True)
    subprocess.run([leadcal, "synth", "--leads", "300", "--seed", "3", "--out", os.path.join(shared, "data")], check=True, stdout=subprocess.DEVNULL)
    fitted = subprocess.run([leadcal, "fit", os.path.join(shared, "data"), "--out", os.path.join(shared, "w"), "--no-intervals", "--json"],
                            check=True, capture_output=True, text=True)
    path = json.loads(fitted.stdout)["weights_file"]
    shutil.move(path, os.path.join(shared, "weights.json"))
    shutil.rmtree(os.path.join(shared, "w"))
    weights = open(os.path.join(shared, "weights.json")).read()

    # --- leads.csv -------------------------------------------------------------------------------
    case("leads-no-lead_id", "leads.csv without a lead_id column", inspect(2, "error: leads.csv:1:1: missing required column 'lead_id' (header has: id, industry, employees)\n"),
         data(leads_csv="id,industry,employees\nA,software,10\n"))
    case("leads-empty-lead_id", "a lead without a key", inspect(2, "error: leads.csv:3:1: expected a lead_id, found an empty cell\n"),
         data(leads_csv="lead_id,industry,employees\nA,software,10\n,retail,20\n"))
    case("leads-duplicate-lead_id", "the same key twice", inspect(2, "error: leads.csv:3:1: duplicate lead_id 'A'\n"),
         data(leads_csv="lead_id,industry,employees\nA,software,10\nA,retail,20\n"))
    case("leads-malformed-number", "a number column holding text", inspect(2, "error: leads.csv:3:10: employees: expected a finite number, found 'many'\n"),
         data(leads_csv="lead_id,industry,employees\nA,software,10\nB,retail,many\n"))
    case("leads-empty-number", "a number column with an empty cell", inspect(2, "error: leads.csv:2:12: employees: expected a finite number, found an empty cell\n"),
         data(leads_csv="lead_id,industry,employees\nA,software,\n"))
    case("leads-negative-log", "a log attribute below zero", inspect(2, "error: leads.csv:2:12: employees: expected a number >= 0 (log attribute), found -4\n"),
         data(leads_csv="lead_id,industry,employees\nA,software,-4\n"))
    case("leads-nan-number", "nan is not a number of the contract", inspect(2, "error: leads.csv:2:12: employees: expected a finite number, found 'nan'\n"),
         data(leads_csv="lead_id,industry,employees\nA,software,nan\n"))
    case("leads-too-few-fields", "a row shorter than the header", inspect(2, "error: leads.csv:3:3: expected 3 fields, found 2\n"),
         data(leads_csv="lead_id,industry,employees\nA,software,10\nB,retail\n"))
    case("leads-unterminated-quote", "a quote that never closes", inspect(2, "error: leads.csv:3:3: unterminated quoted field (no closing \")\n"),
         data(leads_csv="lead_id,industry,employees\nA,software,10\nB,\"retail,20\n"))
    case("leads-junk-after-quote", "text after a closing quote", inspect(2, "error: leads.csv:2:13: expected a comma or a line end after a closing quote\n"),
         data(leads_csv="lead_id,industry,employees\nA,\"software\"x,10\n"))
    case("leads-latin1", "Latin-1 bytes, not UTF-8", inspect(2, "error: leads.csv:2:6: bytes that are not valid UTF-8 (save the file as UTF-8)\n"),
         data(), raw={"data/leads.csv": b"lead_id,industry,employees\nA,caf\xe9,10\n"})
    case("leads-nul-byte", "a NUL byte", inspect(2, "error: leads.csv:2:4: a NUL byte (the file is binary or corrupt, not UTF-8 text)\n"),
         data(), raw={"data/leads.csv": b"lead_id,industry,employees\nA,s\x00ftware,10\n"})
    case("leads-cr-only", "line ends that are carriage returns alone", inspect(2, "error: leads.csv:1:27: lines end with a carriage return alone (classic Mac OS): save the file with LF or CRLF line ends\n"),
         data(), raw={"data/leads.csv": b"lead_id,industry,employees\rA,software,10\rB,retail,200\r"})
    case("leads-column-twice", "a column named twice in the header", inspect(2, "error: leads.csv:1:28: column 'industry' is named twice in the header (fields 2 and 4)\n"),
         data(leads_csv="lead_id,industry,employees,industry\nA,software,10,retail\n"))
    case("leads-empty-file", "an empty leads.csv", inspect(2, "error: leads.csv:1:1: empty file: expected a header row\n"), data(leads_csv=""))
    case("leads-header-only", "no lead at all: nothing to train on",
         [{"run": ["fit", "{case}/data", "--out", "{tmp}/w"], "status": 2,
           "stderr": "error: no decided leads to train on (outcomes.csv has no row for a known lead)\n"}],
         data(leads_csv="lead_id,industry,employees\n", signals_csv="lead_id,signal,occurred_at\n", outcomes_csv="lead_id,outcome,as_of\n"))
    case("leads-is-a-folder", "a folder where leads.csv should be", inspect(2, stderr_prefix="error: ", stderr_contains="leads.csv: is a folder, not a CSV file\n"),
         {**data(leads_csv=None), "data/leads.csv/keep": ""})
    case("leads-unreadable", "a leads.csv nobody may read", inspect(2, stderr_contains="leads.csv: cannot open (Permission denied)\n", as_user="nobody"),
         data(), chmod={"data/leads.csv": 0o000, "data": 0o755, ".": 0o755})
    case("leads-missing-file", "a dataset folder without leads.csv", inspect(2, stderr_prefix="error: ", stderr_contains=": not a dataset folder: no leads.csv\n"),
         data(leads_csv=None))
    case("leads-doubled-quotes", "RFC 4180: a doubled quote inside a quoted field is one quote",
         [{"run": ["fit", "{case}/data", "--out", "{tmp}/w", "--no-intervals", "--json"], "status": 0,
           "stdout_contains": "\"industry=Acme \\\"West\\\"\""}],
         data(leads_csv="lead_id,industry,employees\n" + "".join(f"L{i},\"Acme \"\"West\"\"\",{i}\n" if i % 3 == 0 else f"L{i},software,{i}\n" for i in range(40)),
              signals_csv="lead_id,signal,occurred_at\n",
              outcomes_csv="lead_id,outcome,as_of\n" + "".join(f"L{i},{'won' if (i * 7) % 5 < 2 else 'lost'},2026-04-01\n" for i in range(40))))
    case("leads-ten-mb-field", "a 10 MB field is read (no line-length limit), not a crash", inspect(0, stdout_contains="leads                     5\n"),
         data(), generate=[{"file": "data/leads.csv", "kind": "long_field", "count": 10_000_000}])

    # --- signals.csv ------------------------------------------------------------------------------
    case("signals-no-occurred_at", "signals.csv without occurred_at",
         inspect(2, "error: signals.csv:1:1: missing required column 'occurred_at' (header has: lead_id, signal, value)\n"),
         data(signals_csv="lead_id,signal,value\nA,email_open,1\n"))
    case("signals-bad-timestamp", "a date that is not ISO 8601",
         inspect(2, "error: signals.csv:2:14: occurred_at: expected an ISO 8601 date or date-time, found 'yesterday'\n"),
         data(signals_csv="lead_id,signal,occurred_at\nA,email_open,yesterday\n"))
    case("signals-impossible-date", "February 30th",
         inspect(2, "error: signals.csv:2:14: occurred_at: expected an ISO 8601 date or date-time, found '2026-02-30'\n"),
         data(signals_csv="lead_id,signal,occurred_at\nA,email_open,2026-02-30\n"))
    case("signals-negative-value", "a negative intensity",
         inspect(2, "error: signals.csv:2:25: value: expected a finite number >= 0, found '-3'\n"),
         data(signals_csv="lead_id,signal,occurred_at,value\nA,email_open,2026-03-01,-3\n"))
    case("signals-inf-value", "an infinite intensity",
         inspect(2, "error: signals.csv:2:25: value: expected a finite number >= 0, found 'inf'\n"),
         data(signals_csv="lead_id,signal,occurred_at,value\nA,email_open,2026-03-01,inf\n"))
    case("signals-empty-type", "a signal without a type",
         inspect(2, "error: signals.csv:2:3: signal: expected a signal type, found an empty cell\n"),
         data(signals_csv="lead_id,signal,occurred_at\nA,,2026-03-01\n"))
    case("signals-too-few-fields", "a short signal row",
         inspect(2, "error: signals.csv:2:3: expected 3 fields, found 2\n"),
         data(signals_csv="lead_id,signal,occurred_at\nA,email_open\n"))
    case("signals-years-0001-9999", "years 0001 and 9999 are dates like any other",
         inspect(0, stdout_contains="occurred_at               0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z\n"),
         data(signals_csv="lead_id,signal,occurred_at\nA,email_open,0001-01-01\nB,email_open,9999-12-31T23:59:59Z\n"))
    case("signals-huge-values", "values of 1e308 and -0 are counted, summed and scored without a crash",
         [{"run": ["score", "--weights", "{case}/weights.json", "{case}/data", "--as-of", "2026-11-01", "--out", "{tmp}/s.csv", "--json"],
           "status": 0, "stdout_contains": "\"leads\" : 300"}],
         shared=True, generate=[{"file": "data/signals.csv", "kind": "huge_values", "count": 0}])
    case("signals-many-types", "100,000 distinct signal types", inspect(0, stdout_contains="100000   signal rows of types the spec does not use\n"),
         data(), generate=[{"file": "data/signals.csv", "kind": "many_types", "count": 100_000}])
    case("signals-million-for-one-lead", "one lead with a million signals",
         [{"run": ["fit", "{case}/data", "--out", "{tmp}/w", "--no-intervals"], "status": 0}],
         shared=True, generate=[{"file": "data/signals.csv", "kind": "many_signals", "count": 1_000_000}])
    case("signals-after-every-as_of", "as_of before every signal: nothing to fit the half-life on, said so",
         [{"run": ["fit", "{case}/data", "--out", "{tmp}/w", "--no-intervals"], "status": 0,
           "stdout_contains": "engagement   half-life 14.0 d (no training signal: starting value, not fitted)"}],
         data(leads_csv="lead_id,industry,employees\n" + "".join(f"L{i},{'software' if i % 3 else 'retail'},{i}\n" for i in range(60)),
              signals_csv="lead_id,signal,occurred_at\n" + "".join(f"L{i},email_open,2026-05-0{1 + i % 9}\n" for i in range(60)),
              outcomes_csv="lead_id,outcome,as_of\n" + "".join(f"L{i},{'won' if (i * 7) % 5 < 2 else 'lost'},2026-04-01\n" for i in range(60))))

    # --- outcomes.csv -----------------------------------------------------------------------------
    case("outcomes-unknown-spelling", "an outcome that is neither won nor lost",
         inspect(2, "error: outcomes.csv:3:3: outcome: expected won or lost (or closed won, closedwon, 1, true, yes / closed lost, closedlost, 0, false, no), found 'maybe'\n"),
         data(outcomes_csv="lead_id,outcome,as_of\nA,won,2026-04-01\nB,maybe,2026-04-01\n"))
    case("outcomes-bad-as_of", "as_of that is not a date",
         inspect(2, "error: outcomes.csv:2:7: as_of: expected an ISO 8601 date or date-time, found 'soon'\n"),
         data(outcomes_csv="lead_id,outcome,as_of\nA,won,soon\n"))
    case("outcomes-bad-closed_at", "closed_at that is not a date",
         inspect(2, "error: outcomes.csv:2:18: closed_at: expected an ISO 8601 date or date-time, found '31/12/2026'\n"),
         data(outcomes_csv="lead_id,outcome,as_of,closed_at\nA,won,2026-04-01,31/12/2026\n"))
    case("outcomes-no-outcome-column", "outcomes.csv without outcome",
         inspect(2, "error: outcomes.csv:1:1: missing required column 'outcome' (header has: lead_id, result, as_of)\n"),
         data(outcomes_csv="lead_id,result,as_of\nA,won,2026-04-01\n"))
    case("outcomes-one-class", "every training lead lost",
         [{"run": ["fit", "{case}/data", "--out", "{tmp}/w"], "status": 2,
           "stderr": "error: all 4 training leads are lost: a win probability cannot be fitted from one class\n"}],
         data(outcomes_csv="lead_id,outcome,as_of\nA,lost,2026-04-01\nB,lost,2026-04-01\nC,lost,2026-04-01\nD,lost,2026-04-01\n"))
    case("outcomes-ten-leads", "ten decided leads: an error about the data, never an encoding error",
         [{"run": ["fit", "{case}/data", "--out", "{tmp}/w"], "status": 2, "stderr_prefix": "error: the fit is degenerate: ",
           "stderr_contains": "10 training leads (4 won) cannot support this model"}],
         data(leads_csv="lead_id,industry,employees\n" + "".join(f"L{i},{'a' if i % 2 == 0 else 'b'},{i * 10}\n" for i in range(10)),
              signals_csv="lead_id,signal,occurred_at,value\n" + "".join(f"L{i},email_open,2026-03-0{i % 9 + 1},1\n" for i in range(10)),
              outcomes_csv="lead_id,outcome,as_of\n" + "".join(f"L{i},{'won' if i % 3 == 0 else 'lost'},2026-04-01\n" for i in range(10))))
    case("outcomes-separation", "perfect separation at l2 = 0 stops with the feature named",
         [{"run": ["fit", "{case}/data", "--out", "{tmp}/w", "--l2", "0"], "status": 2, "stderr_prefix": "error: perfect or quasi-complete separation with l2 = 0: industry=retail"}],
         data(leads_csv="lead_id,industry,employees\n" + "".join(f"L{i},{'retail' if i < 6 else 'software'},{(i * 7) % 13}\n" for i in range(40)),
              signals_csv="lead_id,signal,occurred_at\n",
              outcomes_csv="lead_id,outcome,as_of\n" + "".join(f"L{i},{'won' if i < 6 or i % 3 == 0 else 'lost'},2026-01-01\n" for i in range(40))))

    # --- model.yaml -------------------------------------------------------------------------------
    def spec_case(name, what, spec, stderr, **kw):
        case(name, what, inspect(2, stderr, **kw), data(model_yaml=spec))
    spec_case("spec-unknown-key", "an unknown key", SPEC + "l3: 2\n",
              "error: model.yaml:12:1: unknown key 'l3' (expected name, axes, l2, l2_rule, weight_by, amount_cap, prior, prior_strength, nonnegative, tiers)\n")
    spec_case("spec-bad-kind", "an attribute kind that does not exist", SPEC.replace("employees: log", "employees: logarithm"),
              "error: model.yaml:6:18: attribute 'employees': expected categorical, numeric or log\n")
    spec_case("spec-signal-in-two-axes", "a signal in two axes",
              SPEC.replace("l2: 1.0\n", "  other:\n    signals: [email_open]\n    half_life_days: 5\nl2: 1.0\n"),
              "error: model.yaml:12:15: signal 'email_open' is listed in two axes ('engagement' and 'other')\n")
    spec_case("spec-negative-half-life", "a half-life below zero", SPEC.replace("half_life_days: 14", "half_life_days: -14"),
              "error: model.yaml:9:21: axis 'engagement': half_life_days must be a positive number of days, found '-14'\n")
    spec_case("spec-no-half-life", "signals without a half-life", SPEC.replace("    half_life_days: 14\n", ""),
              "error: model.yaml:7:3: axis 'engagement' has signals but no half_life_days (a positive number of days)\n")
    spec_case("spec-yaml-syntax", "broken YAML", "name: test\naxes: [\n",
              None, stderr_prefix="error: model.yaml:", stderr_contains="invalid YAML")
    spec_case("spec-alias-bomb", "a billion-laughs alias bomb is refused, not expanded",
              "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
              "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
              "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n" + SPEC,
              "error: model.yaml:1:1: unknown key 'a' (expected name, axes, l2, l2_rule, weight_by, amount_cap, prior, prior_strength, nonnegative, tiers)\n")
    spec_case("spec-attribute-not-in-leads", "an attribute leads.csv lacks, located in the spec", SPEC.replace("employees: log", "employees: log\n      country: categorical"),
              "error: model.yaml:7:7: attribute 'country' is not a column of leads.csv (columns: lead_id, industry, employees)\n")
    spec_case("spec-hidden-model-name", "a model name that would be a hidden file", SPEC.replace("name: test", "name: .hidden"),
              "error: model.yaml:1:7: expected a model name of 1 to 100 ASCII letters, digits, '-', '_' or '.', not starting with '.' or '-'\n")
    spec_case("spec-long-model-name", "a 300-character model name", SPEC.replace("name: test", "name: " + "m" * 300),
              "error: model.yaml:1:7: expected a model name of 1 to 100 ASCII letters, digits, '-', '_' or '.', not starting with '.' or '-'\n")
    spec_case("spec-path-model-name", "a model name that would leave the weights folder", SPEC.replace("name: test", "name: ../../etc/x"),
              "error: model.yaml:1:7: expected a model name of 1 to 100 ASCII letters, digits, '-', '_' or '.', not starting with '.' or '-'\n")
    spec_case("spec-nonnegative-unknown", "nonnegative names an axis that does not exist", SPEC + "nonnegative: [history]\n",
              "error: model.yaml:12:14: nonnegative names an unknown axis 'history' (axes: fit, engagement)\n")
    spec_case("spec-empty", "an empty spec", "", "error: model.yaml:1:1: empty model spec: expected 'name' and 'axes'\n")
    case("spec-reference-absent", "a pinned reference level that no training lead has",
         [{"run": ["fit", "{case}/data", "--out", "{tmp}/w"], "status": 2,
           "stderr": "error: the spec pins reference level 'mining' of industry, but no training lead has it (levels: retail, software)\n"}],
         data(model_yaml=SPEC.replace("industry: categorical", "industry: {kind: categorical, reference: mining}")))

    # --- dataset folders --------------------------------------------------------------------------
    case("folder-missing", "a folder that does not exist (a typo)", [{"run": ["inspect", "{case}/dmeo"], "status": 2, "stderr_prefix": "error: ",
                                                                      "stderr_contains": "/dmeo: no such folder\n"}], data())
    case("folder-is-a-file", "a file given as the dataset folder", [{"run": ["inspect", "{case}/data/leads.csv"], "status": 2,
                                                                     "stderr_contains": "leads.csv: not a folder: expected a dataset folder holding leads.csv, signals.csv and outcomes.csv\n"}], data())

    # --- command-line usage (exit 64) -------------------------------------------------------------
    case("usage-l2-infinite", "--l2 inf", [{"run": ["fit", "{case}/data", "--l2", "inf"], "status": 64, "stderr_contains": "--l2 must be a finite number >= 0"}], data())
    case("usage-version-path", "a --version that would leave the folder", [{"run": ["fit", "{case}/data", "--out", "{tmp}/w", "--version", "../x"], "status": 64,
                                                                            "stderr_contains": "--version: 1 to 100 ASCII letters"}], data())
    case("usage-unknown-option", "an option that does not exist", [{"run": ["inspect", "{case}/data", "--frobnicate"], "status": 64,
                                                                     "stderr_contains": "Unknown option '--frobnicate'"}], data())

    # --- outputs never replace inputs or weights ----------------------------------------------------
    score = ["score", "--weights", "{case}/weights.json", "{case}/data", "--as-of", "2026-11-01"]
    case("score-out-weights-file", "score --out pointed at the weights file", [{"run": score + ["--out", "{case}/weights.json"], "status": 2,
         "stderr_contains": "weights.json is one of this command's inputs: refusing to replace it\n"}], shared=True)
    case("score-out-other-weights-file", "score --out pointed at another weights file, even with --force", [{"run": score + ["--out", "{case}/other.json", "--force"], "status": 2,
         "stderr_contains": "other.json is a weights file: versions are never replaced\n"}], shared=True, files={"other.json": weights})
    case("score-out-leads-csv", "score --out pointed at the dataset's leads.csv", [{"run": score + ["--out", "{case}/data/leads.csv", "--force"], "status": 2,
         "stderr_contains": "leads.csv is one of this command's inputs: refusing to replace it\n"}], shared=True)
    case("score-out-folder", "score --out pointed at a folder", [{"run": score + ["--out", "{case}/data"], "status": 2,
         "stderr_contains": "/data is a folder: give a file name\n"}], shared=True)
    case("score-out-exists", "score --out over a file without --force, then over a foreign file with it",
         [{"run": score + ["--out", "{case}/notes.txt"], "status": 2, "stderr_contains": "notes.txt exists: pass --force to replace it\n"},
          {"run": score + ["--out", "{case}/notes.txt", "--force"], "status": 2, "stderr_contains": "notes.txt exists and is not an output of this command: refusing to replace it\n"}],
         shared=True, files={"notes.txt": "my notes\n"})
    case("score-missing-column", "weights that read a column the data lack: one error naming both", [{"run": score, "status": 2,
         "stderr_prefix": "error: leads.csv:1:1: no column 'industry', which {case}/weights.json reads"}],
         shared=True, generate=[{"file": "data/leads.csv", "kind": "rename_column", "count": 0}])
    case("synth-into-dataset", "synth --out into an existing dataset folder", [{"run": ["synth", "--leads", "10", "--out", "{case}/data"], "status": 2,
         "stderr_contains": "/data exists and is not empty: pass --force to replace it\n"},
         {"run": ["synth", "--leads", "10", "--out", "{case}/data", "--force"], "status": 2, "stderr_contains": "/data exists and is not an output of this command: refusing to replace it\n"}], data())
    case("report-out-dataset", "report --out onto the dataset folder", [{"run": ["report", "--weights", "{case}/weights.json", "{case}/data", "--out", "{case}/data", "--force"],
         "status": 2, "stderr_contains": "holds this command's input"}], shared=True)
    case("export-out-weights", "export --out onto the weights file", [{"run": ["export", "--weights", "{case}/weights.json", "--format", "json", "--out", "{case}/weights.json", "--force"],
         "status": 2, "stderr_contains": "weights.json is one of this command's inputs: refusing to replace it\n"}], shared=True)
    case("fit-existing-version", "an explicit version that exists is refused, the file untouched",
         [{"run": ["fit", "{case}/data", "--out", "{case}/w", "--no-intervals", "--version", "v1"], "status": 2,
           "stderr_contains": "test-v1.json exists: versions are immutable (pass another --version)\n"}],
         {**data(), "w/test-v1.json": weights.replace('"model" : "b2b-default"', '"model" : "test"')})

    case("fit-readonly-folder", "a weights folder nobody may write in: a clear error, nothing written",
         [{"run": ["fit", "{case}/data", "--out", "{case}/ro", "--no-intervals"], "status": 2, "as_user": "nobody",
           "stderr_contains": "/ro: cannot write in this folder (Permission denied)\n"}],
         {"ro/.keep": ""}, shared=True, chmod={"ro": 0o555, "data": 0o755, ".": 0o755})
    case("score-readonly-folder", "scores into a folder nobody may write in: a clear error, nothing written",
         [{"run": score + ["--out", "{case}/ro/s.csv"], "status": 2, "as_user": "nobody",
           "stderr_contains": "/ro/s.csv: cannot write (Permission denied)\n"}],
         {"ro/.keep": ""}, shared=True, chmod={"ro": 0o555, "data": 0o755, ".": 0o755})

    # --- weights files ----------------------------------------------------------------------------
    evaluate = ["evaluate", "--weights", "{case}/weights.json", "{case}/data"]
    size = len(weights.encode())
    for tenth in range(1, 10):
        cut = weights.encode()[: size * tenth // 10]
        case(f"weights-truncated-{tenth * 10}", f"a weights file cut at {tenth * 10}% of its length",
             [{"run": evaluate, "status": 2, "stderr_prefix": "error: {case}/weights.json: "}], shared=True, raw={"weights.json": cut})
    digit = re.search(r'"weight" : -?\d\.(\d)', weights)
    changed = weights[: digit.start(1)] + str((int(digit.group(1)) + 1) % 10) + weights[digit.end(1):]
    case("weights-one-digit", "one digit of a weight changed", [{"run": evaluate, "status": 2,
         "stderr": "error: {case}/weights.json: checksum mismatch: the file was changed or truncated after it was written\n"}], shared=True, files={"weights.json": changed})
    case("weights-newer-major", "a weights file of a newer major format", [{"run": evaluate, "status": 2,
         "stderr": "error: {case}/weights.json: format version 3.0 is newer than this leadcal understands (2.x); upgrade leadcal to read it\n"}],
         shared=True, files={"weights.json": resign(weights.replace('"format_version" : "2.0"', '"format_version" : "3.0"'))})
    case("weights-empty-tiers", "a re-signed weights file without tiers", [{"run": score + ["--out", "{tmp}/s.csv"], "status": 2,
         "stderr": "error: {case}/weights.json: no tiers: every lead needs one\n"}],
         shared=True, files={"weights.json": resign(re.sub(r'"tiers" : \[[^\]]*\]', '"tiers" : [\n\n  ]', weights))})
    at = weights.index('"features"')
    huge = weights[:at] + re.sub(r'"weight" : -?[0-9.e+-]+', '"weight" : 1e308', weights[at:], count=1)
    case("weights-huge-weight", "a re-signed weights file with a weight of 1e308", [{"run": score + ["--out", "{tmp}/s.csv"], "status": 2,
         "stderr_prefix": "error: {case}/weights.json: the weight of ", "stderr_contains": "is 1e+308: outside ±1000000000.0, not a fitted value\n"}],
         shared=True, files={"weights.json": resign(huge)})
    case("weights-not-json", "a weights file that is not JSON", [{"run": evaluate, "status": 2,
         "stderr": "error: {case}/weights.json: not a JSON document (truncated or not a weights file)\n"}], shared=True, files={"weights.json": "hello\n"})
    case("weights-other-format", "a JSON document that is not a weights file", [{"run": evaluate, "status": 2,
         "stderr": "error: {case}/weights.json: not a leadcal weights file (format is 'other', expected 'leadcal.weights')\n"}],
         shared=True, files={"weights.json": '{"format": "other"}\n'})
    case("weights-missing", "a weights file that does not exist", [{"run": ["evaluate", "--weights", "{case}/nope.json", "{case}/data"], "status": 2,
         "stderr": "error: {case}/nope.json: cannot read (No such file or directory)\n"}], shared=True)
    case("weights-is-folder", "a folder given as the weights file", [{"run": ["evaluate", "--weights", "{case}/data", "{case}/data"], "status": 2,
         "stderr": "error: {case}/data: is a folder, not a weights file\n"}], shared=True)

    # Write the folders.
    for name in list(os.listdir(here)):
        full = os.path.join(here, name)
        if os.path.isdir(full) and name not in ("_shared",) and not name.startswith("."):
            shutil.rmtree(full)
    for name, c in sorted(cases.items()):
        folder = os.path.join(here, name)
        os.makedirs(folder)
        files = dict(c["files"])
        for rel, content in {**files, **c["raw"]}.items():
            path = os.path.join(folder, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content if isinstance(content, bytes) else content.encode())
        meta = {"what": c["what"], "steps": c["steps"], "unchanged": c["unchanged"]}
        if c["shared"]:
            meta["shared"] = True
        if c["generate"]:
            meta["generate"] = c["generate"]
        if c["chmod"]:
            meta["chmod"] = {k: oct(v) for k, v in c["chmod"].items()}
        with open(os.path.join(folder, "case.json"), "w") as f:
            json.dump(meta, f, indent=2, ensure_ascii=False)
            f.write("\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
