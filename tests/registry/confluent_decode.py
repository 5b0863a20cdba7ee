#!/usr/bin/env python3
"""Decodes Confluent-framed values with confluent-kafka's own deserializers,
against a Schema Registry: the independent check of kpw's wire format.

  confluent_decode.py REGISTRY_URL avro|json|protobuf-frame  < hex lines

avro, json: each value is deserialized by AvroDeserializer / JSONDeserializer,
which read the magic byte and the schema id, fetch the writer schema from the
registry by that id and decode the payload; prints one JSON line per value.
protobuf-frame: Confluent's SchemaId reads the header and the message-index
list; the schema is fetched by id; prints {"id", "indexes", "schemaType",
"payload"} (payload in hex, for protoc --decode).
"""
import io
import json
import sys

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.schema_registry.common.serde import SchemaId
from confluent_kafka.schema_registry.json_schema import JSONDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main():
    url, kind = sys.argv[1], sys.argv[2]
    client = SchemaRegistryClient({"url": url})
    ctx = SerializationContext("kpw-test", MessageField.VALUE)
    if kind == "avro":
        decode = AvroDeserializer(client)
    elif kind == "json":
        decode = JSONDeserializer(None, schema_registry_client=client)
    elif kind != "protobuf-frame":
        sys.exit("unknown kind " + kind)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        data = bytes.fromhex(line)
        if kind == "protobuf-frame":
            sid = SchemaId("PROTOBUF")
            rest = sid.from_bytes(io.BytesIO(data))
            schema = client.get_schema(sid.id)
            print(json.dumps({"id": sid.id, "indexes": sid.message_indexes,
                              "schemaType": schema.schema_type, "payload": rest.read().hex()}))
        else:
            print(json.dumps(decode(data, ctx), sort_keys=True, separators=(",", ":")))


if __name__ == "__main__":
    main()
