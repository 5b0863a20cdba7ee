// fuzz_proto_json: the JSON a person types for the Protobuf format, through
// makeSerializer / Serializer::serialize (nlohmann for the syntax check,
// then protobuf's JSON parser on a DynamicMessage), and the .proto text
// itself, parsed at run time by protobuf's compiler library (a .proto file
// or a Schema Registry answer).
//
// Input format: byte 0 (mod 8) picks the mode:
//   0-6  a fixed message type (kTypes) from the fixed .proto files; the rest
//        is the JSON text
//   7    the .proto from the input: .proto text, NUL, message type (empty:
//        the first the file defines), NUL, JSON text. It may import the
//        fixed files (common/money.proto, kitchen.proto, ...) and the
//        well-known types.
// Seeds start with a digit ('0' is 0x30, 0 mod 8), so they stay readable.
//
// Properties: no crash, leak or UB (huge, infinite and fractional numbers
// into int32/int64/uint64/enum fields included); an error always has a
// reason; serializing the same text twice gives the same verdict and size
// (map entries come in hash order, so not always the same bytes); every fixed
// type's exampleFromSchema() serializes.

#include "FuzzCheck.h"

#include "serde/Serializer.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <memory>
#include <vector>

using namespace kpw::serde;

namespace {

struct ProtoFile
{
    const char *path;
    const char *text;
};

const ProtoFile kFiles[] = {
    {"common/money.proto", R"(syntax = "proto3";

package shop.common;

message Money {
  string currency = 1;
  int64 units = 2;
  int32 nanos = 3;
}
)"},
    {"order.proto", R"(syntax = "proto3";

package shop.v1;

import "common/money.proto";
import "google/protobuf/timestamp.proto";

enum Status {
  STATUS_UNSPECIFIED = 0;
  NEW = 1;
  PAID = 2;
}

message Order {
  int64 id = 1;
  string customer = 2;
  Status status = 3;
  repeated Line lines = 4;
  shop.common.Money total = 5;
  google.protobuf.Timestamp created = 6;
  map<string, string> attributes = 7;

  message Line {
    string sku = 1;
    int32 quantity = 2;
  }
}
)"},
    {"kitchen.proto", R"(syntax = "proto3";

package kitchen;

import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/wrappers.proto";

message Scalars {
  int32 i32 = 1;
  int64 i64 = 2;
  uint32 u32 = 3;
  uint64 u64 = 4;
  sint32 s32 = 5;
  sint64 s64 = 6;
  fixed32 f32 = 7;
  fixed64 f64 = 8;
  sfixed32 sf32 = 9;
  sfixed64 sf64 = 10;
  float fl = 11;
  double db = 12;
  bool flag = 13;
  string text = 14;
  bytes blob = 15;
  optional int32 maybe = 16;
  repeated int32 many_i32 = 17;
  repeated int64 many_i64 = 18 [packed = false];
  repeated double many_db = 19;
  repeated bytes many_blob = 20;
}

message Holder {
  enum Kind {
    KIND_UNSPECIFIED = 0;
    SMALL = 1;
    LARGE = 2;
  }
  Kind kind = 1;
  oneof choice {
    string name = 2;
    int64 number = 3;
    Scalars scalars = 4;
    Kind other_kind = 5;
  }
  map<int32, string> by_int = 6;
  map<int64, Scalars> by_long = 7;
  map<bool, Kind> by_flag = 8;
  map<uint64, double> by_u64 = 9;
  map<string, google.protobuf.Value> extra = 10;
  google.protobuf.Int64Value wrapped_long = 11;
  google.protobuf.UInt32Value wrapped_u32 = 12;
  google.protobuf.DoubleValue wrapped_double = 13;
  google.protobuf.Duration timeout = 14;
  google.protobuf.Struct meta = 15;
  google.protobuf.Any payload = 16;
  google.protobuf.FieldMask mask = 17;
  repeated Kind kinds = 18;
}
)"},
    {"legacy.proto", R"(syntax = "proto2";

package legacy;

message Legacy {
  required int32 id = 1;
  optional string name = 2 [default = "none"];
  optional Level level = 3 [default = MEDIUM];
  repeated sint64 deltas = 4 [packed = true];
  optional float ratio = 5 [default = 0.5];
  optional uint32 count = 6;
  optional Inner inner = 7;

  enum Level {
    LOW = 1;
    MEDIUM = 2;
    HIGH = 3;
  }
  message Inner {
    required fixed64 stamp = 1;
  }
}
)"},
    {"tree.proto", R"(syntax = "proto3";

package tree;

message Tree {
  int32 value = 1;
  repeated Tree children = 2;
  Tree left = 3;
  map<string, Tree> named = 4;
}
)"},
};

const char *const kTypes[] = {
    "shop.v1.Order", "shop.v1.Order.Line", "kitchen.Scalars",   "kitchen.Holder",
    "legacy.Legacy", "tree.Tree",          "shop.common.Money",
};
constexpr std::size_t kTypeCount = sizeof(kTypes) / sizeof(kTypes[0]);
static_assert(kTypeCount == 7, "modes 0-6 are the fixed types");

const char *fileOf(std::size_t type)
{
    switch (type) {
    case 0:
    case 1: return "order.proto";
    case 2:
    case 3: return "kitchen.proto";
    case 4: return "legacy.proto";
    case 5: return "tree.proto";
    default: return "common/money.proto";
    }
}

// The fixed files, written once to a folder that lives as long as the process.
const QString &fixedDir()
{
    static QTemporaryDir dir;
    static const bool written = [] {
        FUZZ_CHECK(dir.isValid(), "no temporary folder");
        FUZZ_CHECK(QDir(dir.path()).mkpath(QStringLiteral("common")), "cannot make a folder");
        for (const auto &f : kFiles) {
            QFile out(dir.filePath(QString::fromLatin1(f.path)));
            FUZZ_CHECK(out.open(QIODevice::WriteOnly) && out.write(f.text) == qint64(qstrlen(f.text)),
                       "cannot write %s", f.path);
        }
        return true;
    }();
    (void)written;
    static const QString path = dir.path();
    return path;
}

std::shared_ptr<const Serializer> fixedSerializer(std::size_t i)
{
    static const std::vector<std::shared_ptr<const Serializer>> all = [] {
        std::vector<std::shared_ptr<const Serializer>> out;
        for (std::size_t k = 0; k < kTypeCount; ++k) {
            const QString file = QDir(fixedDir()).filePath(QString::fromLatin1(fileOf(k)));
            auto s = makeSerializer(
                SerializerSpec{Format::Protobuf, file, {}, QString::fromLatin1(kTypes[k]), {fixedDir()}, false});
            FUZZ_CHECK(s.ok(), "fixed type %s: %s", kTypes[k], kpwfuzz::c(s.error().toString()));
            auto example = s.value()->exampleFromSchema();
            FUZZ_CHECK(example.ok(), "fixed type %s has no example", kTypes[k]);
            auto bytes = s.value()->serialize(example.value());
            FUZZ_CHECK(bytes.ok(), "fixed type %s: its example does not serialize: %s", kTypes[k],
                       kpwfuzz::c(bytes.error().toString()));
            out.push_back(s.value());
        }
        return out;
    }();
    return all[i];
}

// Serializes twice: same verdict, same bytes, and an error has a reason.
void serializeChecked(const Serializer &s, QByteArrayView text)
{
    auto r = s.serialize(text);
    auto again = s.serialize(text);
    FUZZ_CHECK(r.ok() == again.ok(), "two verdicts for one text");
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().reason.isEmpty(), "an error without a reason");
        return;
    }
    FUZZ_CHECK(r.value().has_value(), "a null payload");
    // Same size, not same bytes: protobuf writes map entries in hash order,
    // and its maps seed their hash per instance.
    FUZZ_CHECK(r.value()->size() == again.value()->size(), "two payload sizes for one text");
}

void protoFromBytes(const QByteArray &in)
{
    static QTemporaryDir dir;
    FUZZ_CHECK(dir.isValid(), "no temporary folder");
    const QString path = dir.filePath(QStringLiteral("fuzz.proto"));
    const qsizetype nul1 = in.indexOf('\0');
    const QByteArray proto = nul1 < 0 ? in : in.left(nul1);
    const qsizetype nul2 = nul1 < 0 ? -1 : in.indexOf('\0', nul1 + 1);
    const QByteArray type = nul1 < 0 ? QByteArray() : in.mid(nul1 + 1, nul2 < 0 ? -1 : nul2 - nul1 - 1);
    const QByteArray text = nul2 < 0 ? QByteArray() : in.mid(nul2 + 1);
    {
        QFile f(path);
        FUZZ_CHECK(f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(proto) == proto.size(),
                   "cannot write %s", kpwfuzz::c(path));
    }
    SerializerSpec spec{Format::Protobuf, path, {}, QString::fromUtf8(type), {fixedDir()}, false};
    if (spec.messageType.isEmpty()) {
        auto types = listMessageTypes(spec);
        if (!types.ok()) {
            FUZZ_CHECK(!types.error().reason.isEmpty(), "a refused .proto without a reason");
            return;
        }
        if (types.value().isEmpty())
            return;
        spec.messageType = types.value().front();
    }
    auto s = makeSerializer(spec);
    if (!s.ok()) {
        FUZZ_CHECK(!s.error().reason.isEmpty(), "a refused .proto without a reason");
        return;
    }
    if (nul2 >= 0)
        serializeChecked(*s.value(), QByteArrayView(text));
    auto example = s.value()->exampleFromSchema();
    if (example.ok())
        serializeChecked(*s.value(), QByteArrayView(example.value().toUtf8()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::size_t mode = data[0] % 8;
    const QByteArray in = kpwfuzz::bytes(data + 1, size - 1);
    if (mode < kTypeCount)
        serializeChecked(*fixedSerializer(mode), QByteArrayView(in));
    else
        protoFromBytes(in);
    return 0;
}
