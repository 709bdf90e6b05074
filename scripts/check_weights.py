#!/usr/bin/env python3
"""Check a weights file independently of leadcal: valid against
schema/weights-file.schema.json, and its checksum holds (put the 64 zeros
back, SHA-256 the bytes, compare).

Usage: python3 scripts/check_weights.py WEIGHTS.json [...]   (needs jsonschema)"""
import hashlib
import json
import os
import re
import sys

import jsonschema

schema = json.load(open(os.path.join(os.path.dirname(__file__), "..", "schema", "weights-file.schema.json")))
for path in sys.argv[1:]:
    raw = open(path, "rb").read()
    jsonschema.validate(json.loads(raw), schema, format_checker=jsonschema.FormatChecker())
    m = re.search(rb'"checksum"\s*:\s*"sha256:([0-9a-f]{64})"', raw)
    zeroed = raw[:m.start(1)] + b"0" * 64 + raw[m.end(1):]
    if hashlib.sha256(zeroed).hexdigest() != m.group(1).decode():
        sys.exit(f"{path}: checksum mismatch")
    print(f"{path}: valid against the schema, checksum holds")
