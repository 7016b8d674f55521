"""Reads an Avro container file with Apache Avro for Python (Debian's python3-avro) and prints it as JSON.

Usage: avro_dump.py FILE          prints {"codec", "meta", "schema", "records"}
       avro_dump.py --write FILE CODEC SCHEMA_JSON RECORDS_JSON   writes a container file (bytes given as hex strings
                                                                  where the schema says bytes or fixed)

Bytes become {"hex": "..."}, dates (logicalType date) {"date": "YYYY-MM-DD"}, so the test can see both the value and
the type Avro for Python decoded it as. The schema is Avro for Python's own re-serialization of what it parsed, so
attributes it dropped would be missing.
"""
import datetime
import json
import sys

import avro.datafile
import avro.io
import avro.schema


def to_json(value):
    if isinstance(value, (bytes, bytearray)):
        return {"hex": value.hex()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    raise TypeError(f"cannot print {type(value).__name__}")


def from_hex(schema, value):
    """Turns hex strings back into bytes wherever the schema wants bytes or fixed."""
    if value is None:
        return None
    t = schema.type
    if t in ("bytes", "fixed"):
        return bytes.fromhex(value)
    if t == "record":
        return {f.name: from_hex(f.type, value.get(f.name)) for f in schema.fields}
    if t == "array":
        return [from_hex(schema.items, v) for v in value]
    if t == "map":
        return {k: from_hex(schema.values, v) for k, v in value.items()}
    if t == "union":
        for branch in schema.schemas:
            if branch.type == "null":
                continue
            try:
                return from_hex(branch, value)
            except (ValueError, TypeError, AttributeError):
                continue
    return value


def dump(path):
    with open(path, "rb") as f, avro.datafile.DataFileReader(f, avro.io.DatumReader()) as reader:
        records = list(reader)
        meta = {k: v.decode("utf-8") for k, v in reader.meta.items()}
        schema = reader.datum_reader.writers_schema.to_json()
        codec = reader.codec
    json.dump({"codec": codec, "meta": meta, "schema": schema, "records": records}, sys.stdout, default=to_json)


def write(path, codec, schema_json, records_json):
    schema = avro.schema.parse(schema_json)
    with open(path, "wb") as f, avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), schema, codec=codec) as writer:
        for record in json.loads(records_json):
            writer.append(from_hex(schema, record))


if __name__ == "__main__":
    if sys.argv[1] == "--write":
        write(*sys.argv[2:6])
    else:
        dump(sys.argv[1])
