#!/usr/bin/env python3
"""Independent Avro reader for the tests: decodes schemaless Avro binary with
fastavro (not built on Avro C) and prints each datum as JSON.

  avro_decode.py SCHEMA.avsc < payloads   (one hex-encoded payload per line)
"""
import io
import json
import sys

import fastavro


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # Decimal, date, datetime, time, UUID


def main():
    with open(sys.argv[1]) as f:
        schema = fastavro.parse_schema(json.load(f))
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        buf = io.BytesIO(bytes.fromhex(line))
        datum = fastavro.schemaless_reader(buf, schema)
        if buf.tell() != len(buf.getvalue()):
            sys.exit(f"trailing bytes after the datum: {len(buf.getvalue()) - buf.tell()}")
        print(json.dumps(plain(datum), sort_keys=True))


main()
