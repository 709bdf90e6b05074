#!/usr/bin/env python3
"""Validate a notebook against the nbformat schema and run it top to bottom in
a real Jupyter kernel; exit non-zero on any cell error.

Usage: python3 scripts/execute_notebook.py NOTEBOOK.ipynb [--inplace]
Needs: nbformat nbclient ipykernel pandas matplotlib (see .ci/run).
With --inplace the executed notebook, outputs included, replaces the file.
"""
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
nbformat.validate(notebook)
client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
try:
    client.execute()
except CellExecutionError as error:
    print(f"{path}: a cell failed:\n{error}", file=sys.stderr)
    sys.exit(1)
nbformat.validate(notebook)
if "--inplace" in sys.argv:
    nbformat.write(notebook, path)
print(f"{path}: valid nbformat {notebook.nbformat}.{notebook.nbformat_minor}, {len(notebook.cells)} cells executed without error")
