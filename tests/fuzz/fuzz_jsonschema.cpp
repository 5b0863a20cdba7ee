// fuzz_jsonschema: a JSON Schema (a file or a Schema Registry answer) and a
// document typed against it, through JsonSchemaValidator (valijson on
// nlohmann JSON) and the json-schema serializer (makeSerializer).
//
// Input format: byte 0 (mod 4) forces the draft (0 auto, from "$schema";
// 1 draft 4; 2 draft 7; 3 draft 3); the rest is the schema text, a NUL, and
// the document. Without a NUL the schema is fuzzed alone (and its example).
// Seeds start with a digit ('0' is 0x30, 0 mod 4), so they stay readable.
//
// Properties: no crash, leak or UB (huge and fractional numbers as
// minimum/maxLength/multipleOf/minItems, and in documents, included); every
// error has a reason; with the draft read from "$schema", the serializer
// accepts exactly the documents the validator finds no violation in, and
// sends them unchanged (or compacted: valid JSON); validating twice gives the
// same verdict.

#include "FuzzCheck.h"

#include "serde/JsonSchema.h"
#include "serde/Serializer.h"

using namespace kpw::serde;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    using Draft = JsonSchemaValidator::Draft;
    static const Draft kDrafts[] = {Draft::Auto, Draft::Draft4, Draft::Draft7, Draft::Draft3};
    const Draft draft = kDrafts[data[0] % 4];
    const QByteArray in = kpwfuzz::bytes(data + 1, size - 1);
    const qsizetype nul = in.indexOf('\0');
    const QByteArray schema = nul < 0 ? in : in.left(nul);
    const QByteArray doc = nul < 0 ? QByteArray() : in.mid(nul + 1);

    auto validator = JsonSchemaValidator::create(schema, draft);
    if (!validator.ok()) {
        FUZZ_CHECK(!validator.error().reason.isEmpty(), "a refused schema without a reason");
        return 0;
    }
    (void)validator.value()->draftName();

    const bool compact = (data[0] / 4) % 2 == 1;
    auto serializer = makeSerializer(SerializerSpec{Format::JsonSchema, {}, schema, {}, {}, compact});
    if (draft == Draft::Auto)
        FUZZ_CHECK(serializer.ok(), "the validator takes the schema, the serializer does not: %s",
                   kpwfuzz::c(serializer.error().toString()));

    if (nul >= 0) {
        const auto errors = validator.value()->validate(QByteArrayView(doc));
        for (const auto &e : errors)
            FUZZ_CHECK(!e.reason.isEmpty(), "a violation without a reason");
        const auto again = validator.value()->validate(QByteArrayView(doc));
        FUZZ_CHECK(again.size() == errors.size(), "two verdicts for one document");
        if (draft == Draft::Auto && serializer.ok()) {
            auto r = serializer.value()->serialize(QByteArrayView(doc));
            FUZZ_CHECK(r.ok() == errors.isEmpty(), "serializer says %s, validator found %d violation(s)",
                       r.ok() ? "valid" : "invalid", static_cast<int>(errors.size()));
            if (r.ok()) {
                FUZZ_CHECK(r.value().has_value(), "a null payload");
                if (!compact)
                    FUZZ_CHECK(*r.value() == doc, "the document was changed");
                else
                    FUZZ_CHECK(validator.value()->validate(QByteArrayView(*r.value())).isEmpty(),
                               "the compacted document does not validate");
            } else {
                FUZZ_CHECK(!r.error().reason.isEmpty(), "an error without a reason");
            }
        }
    }
    if (serializer.ok()) {
        // The composer offers the example for any schema it accepts; it need
        // not validate (patterns, formats), but it must not crash.
        auto example = serializer.value()->exampleFromSchema();
        if (example.ok())
            (void)serializer.value()->serialize(example.value());
    }
    return 0;
}
