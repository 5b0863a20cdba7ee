// fuzz_bytereader: ByteReader against a small independent model of the Kafka
// primitives, driven by a random program of reads.
//
// Input format:
//   bytes 0-1  n, little-endian: the first n % (size - 1) bytes after them
//              are the data the reader reads
//   rest       the program: one opcode byte per operation (low 5 bits: the
//              operation, high 3 bits: its parameter), some followed by an
//              argument byte
//
// Properties: the reader and the model agree on every value, on ok() and on
// the position while the reader is ok; failure is sticky (once failed, the
// position never moves, remaining() is 0, and every read returns a zero
// value); no read goes outside the data (ASan: the data is an exactly-sized
// heap copy).

#include "FuzzCheck.h"

#include "wire/ByteReader.h"

#include <optional>
#include <vector>

using namespace kpw;

namespace {

// The model: a straightforward reader written from the protocol spec.
class Model
{
public:
    Model(const std::uint8_t *d, qsizetype n) : data(d), size(n) {}

    const std::uint8_t *data;
    qsizetype size;
    qsizetype pos = 0;
    bool failed = false;

    bool take(qsizetype n, const std::uint8_t **out)
    {
        if (failed || n < 0 || n > size - pos) {
            failed = true;
            return false;
        }
        *out = data + pos;
        pos += n;
        return true;
    }

    std::uint64_t bigEndian(int n)
    {
        const std::uint8_t *p;
        if (!take(n, &p))
            return 0;
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i)
            v = (v << 8) | p[i];
        return v;
    }

    // Unsigned LEB128 of at most maxBytes bytes whose value fits maxBits bits.
    std::uint64_t leb(int maxBytes, int maxBits)
    {
        std::uint64_t v = 0;
        for (int i = 0; i < maxBytes; ++i) {
            const std::uint8_t *p;
            if (!take(1, &p))
                return 0;
            const std::uint64_t part = *p & 0x7f;
            const int shift = 7 * i;
            if (shift + 7 > maxBits && (part >> (maxBits - shift)) != 0) {
                failed = true;
                return 0;
            }
            v |= part << shift;
            if (!(*p & 0x80))
                return v;
            if (i == maxBytes - 1) {
                failed = true;
                return 0;
            }
        }
        failed = true;
        return 0;
    }

    std::uint32_t uvarint() { return failed ? 0 : static_cast<std::uint32_t>(leb(5, 32)); }
    std::int32_t varint()
    {
        const std::uint32_t z = uvarint();
        return static_cast<std::int32_t>((z >> 1) ^ (0u - (z & 1)));
    }
    std::int64_t varlong()
    {
        if (failed)
            return 0;
        const std::uint64_t z = leb(10, 64);
        return static_cast<std::int64_t>((z >> 1) ^ (0ull - (z & 1)));
    }

    // Length of a classic (int16/int32) or compact (uvarint + 1) field; -1 null.
    std::int64_t length(bool compact, int classicBytes)
    {
        if (compact) {
            const std::uint32_t n = uvarint();
            if (failed)
                return 0;
            return n == 0 ? -1 : static_cast<std::int64_t>(n) - 1;
        }
        const std::uint64_t raw = bigEndian(classicBytes);
        if (failed)
            return 0;
        const std::int64_t n = classicBytes == 2 ? static_cast<std::int16_t>(raw) : static_cast<std::int32_t>(raw);
        if (n < -1)
            failed = true;
        return n;
    }

    std::optional<QByteArray> blob(bool compact, int classicBytes)
    {
        const std::int64_t n = length(compact, classicBytes);
        if (failed || n == -1)
            return n == -1 && !failed ? std::nullopt : std::optional<QByteArray>(QByteArray());
        const std::uint8_t *p;
        if (!take(n, &p))
            return QByteArray();
        return QByteArray(reinterpret_cast<const char *>(p), n);
    }

    qsizetype arrayLength(bool compact, qsizetype minElementSize)
    {
        const std::int64_t n = length(compact, 4);
        if (failed)
            return 0;
        if (n == -1)
            return -1;
        if (minElementSize > 0 && n * minElementSize > size - pos) {
            failed = true;
            return 0;
        }
        return n;
    }
};

// The program's argument bytes come from the end of the input, the opcodes
// from the front, so data and program grow independently.
struct Program
{
    const std::uint8_t *p;
    std::size_t n;
    std::size_t at = 0;
    bool done() const { return at >= n; }
    std::uint8_t next() { return at < n ? p[at++] : 0; }
};

bool isZero(const std::optional<QString> &s)
{
    return !s || s->isEmpty();
}
bool isZero(const std::optional<QByteArray> &b)
{
    return !b || b->isEmpty();
}

void run(ByteReader &r, Model &m, Program &prog, int depth);

void step(ByteReader &r, Model &m, Program &prog, int depth)
{
    const bool wasOk = r.ok();
    const qsizetype posBefore = r.position();
    const std::uint8_t op = prog.next();
    const std::uint8_t param = op >> 5;
    const bool compact = param & 1;

#define SAME(expr, modelExpr)                                                                                          \
    do {                                                                                                               \
        const auto sameGot_ = (expr);                                                                                  \
        const auto sameWant_ = (modelExpr);                                                                            \
        if (r.ok() && !m.failed)                                                                                       \
            FUZZ_CHECK(sameGot_ == sameWant_, "op %d: reader and model disagree", op & 31);                            \
    } while (0)

    switch (op & 31) {
    case 0: SAME(r.int8(), static_cast<std::int8_t>(m.bigEndian(1))); break;
    case 1: SAME(r.int16(), static_cast<std::int16_t>(m.bigEndian(2))); break;
    case 2: SAME(r.int32(), static_cast<std::int32_t>(m.bigEndian(4))); break;
    case 3: SAME(r.int64(), static_cast<std::int64_t>(m.bigEndian(8))); break;
    case 4: SAME(r.uint32(), static_cast<std::uint32_t>(m.bigEndian(4))); break;
    case 5: SAME(r.boolean(), m.bigEndian(1) != 0); break;
    case 6: {
        const std::uint8_t *p = nullptr;
        const bool ok = m.take(16, &p);
        SAME(r.uuid(), ok ? QByteArray(reinterpret_cast<const char *>(p), 16) : QByteArray());
        break;
    }
    case 7: SAME(r.varint(), m.varint()); break;
    case 8: SAME(r.varlong(), m.varlong()); break;
    case 9: SAME(r.unsignedVarint(), m.uvarint()); break;
    case 10: {
        const auto got = r.nullableString(compact);
        const auto raw = m.blob(compact, 2);
        const std::optional<QString> want =
            raw ? std::optional<QString>(QString::fromUtf8(*raw)) : std::optional<QString>();
        SAME(got, want);
        if (!r.ok())
            FUZZ_CHECK(isZero(got), "nullableString after failure is not empty");
        break;
    }
    case 11: {
        const auto got = r.string(compact);
        const auto raw = m.blob(compact, 2);
        if (!raw)
            m.failed = true;
        SAME(got, QString::fromUtf8(raw.value_or(QByteArray())));
        if (!r.ok())
            FUZZ_CHECK(got.isEmpty(), "string after failure is not empty");
        break;
    }
    case 12: {
        const auto got = r.nullableBytes(compact);
        SAME(got, m.blob(compact, 4));
        if (!r.ok())
            FUZZ_CHECK(isZero(got), "nullableBytes after failure is not empty");
        break;
    }
    case 13: {
        const auto got = r.bytes(compact);
        const auto raw = m.blob(compact, 4);
        if (!raw)
            m.failed = true;
        SAME(got, raw.value_or(QByteArray()));
        if (!r.ok())
            FUZZ_CHECK(got.isEmpty(), "bytes after failure is not empty");
        break;
    }
    case 14: {
        // minElementSize 0..6 from the parameter's upper bits and the argument.
        const qsizetype minSize = ((param >> 1) | (prog.next() & 4)) % 7;
        const auto got = r.arrayLength(compact, minSize);
        SAME(got, m.arrayLength(compact, minSize));
        if (!r.ok())
            FUZZ_CHECK(got == 0, "arrayLength after failure is %lld", static_cast<long long>(got));
        break;
    }
    case 15: {
        // Skip the tagged fields, or hand each to a nested program.
        const bool nested = compact && depth < 3;
        const std::uint32_t count = m.uvarint();
        if (!m.failed && count > static_cast<std::uint64_t>(m.size - m.pos) / 2)
            m.failed = true;
        struct Field
        {
            std::uint32_t tag;
            qsizetype at;
            qsizetype size;
        };
        std::vector<Field> fields;
        for (std::uint32_t i = 0; i < count && !m.failed; ++i) {
            const std::uint32_t tag = m.uvarint();
            const std::uint32_t len = m.uvarint();
            const std::uint8_t *p;
            if (m.failed || !m.take(len, &p))
                break;
            fields.push_back({tag, m.pos - static_cast<qsizetype>(len), static_cast<qsizetype>(len)});
        }
        std::size_t seen = 0;
        bool nestedFailed = false;
        const auto handler = [&](std::uint32_t tag, ByteReader &field) {
            FUZZ_CHECK(seen < fields.size(), "handler called for an extra field %u", tag);
            FUZZ_CHECK(fields[seen].tag == tag, "tag %u, model %u", tag, fields[seen].tag);
            FUZZ_CHECK(field.remaining() == fields[seen].size && field.position() == 0, "field of %lld bytes, model %lld",
                       static_cast<long long>(field.remaining()), static_cast<long long>(fields[seen].size));
            Model fm(m.data + fields[seen].at, fields[seen].size);
            Program sub{prog.p + prog.at, std::min<std::size_t>(prog.n - prog.at, 4)};
            prog.at += sub.n;
            run(field, fm, sub, depth + 1);
            nestedFailed = nestedFailed || !field.ok();
            ++seen;
        };
        if (nested) {
            r.taggedFields(handler);
            if (nestedFailed && !m.failed) // a handler's failure fails the outer reader
                m.failed = true;
        } else {
            r.taggedFields();
        }
        FUZZ_CHECK(r.ok() == !m.failed, "taggedFields: reader ok=%d, model ok=%d", r.ok(), !m.failed);
        break;
    }
    case 16: {
        const qsizetype n = static_cast<std::int8_t>(prog.next()); // may be negative
        const auto got = r.rawBytes(n);
        const std::uint8_t *p = nullptr;
        const bool ok = m.take(n, &p);
        SAME(got, ok ? QByteArray(reinterpret_cast<const char *>(p), n) : QByteArray());
        if (!r.ok())
            FUZZ_CHECK(got.isEmpty(), "rawBytes after failure is not empty");
        break;
    }
    case 17: {
        const qsizetype n = static_cast<std::int8_t>(prog.next());
        r.skip(n);
        const std::uint8_t *p;
        m.take(n, &p);
        FUZZ_CHECK(r.ok() == !m.failed, "skip: reader ok=%d, model ok=%d", r.ok(), !m.failed);
        break;
    }
    case 18:
        if (param == 7) { // rare: an explicit failure
            r.fail(QStringLiteral("fuzz"));
            m.failed = true;
        }
        break;
    default: break; // queries only
    }
#undef SAME

    // Invariants after every operation.
    FUZZ_CHECK(r.ok() == !m.failed, "op %d: reader ok=%d, model ok=%d", op & 31, r.ok(), !m.failed);
    FUZZ_CHECK(r.ok() == r.error().isEmpty(), "ok()=%d with error '%s'", r.ok(), kpwfuzz::c(r.error()));
    FUZZ_CHECK(r.position() >= 0 && r.position() <= m.size, "position %lld outside 0..%lld",
               static_cast<long long>(r.position()), static_cast<long long>(m.size));
    if (r.ok()) {
        FUZZ_CHECK(r.position() == m.pos, "op %d: position %lld, model %lld", op & 31,
                   static_cast<long long>(r.position()), static_cast<long long>(m.pos));
        FUZZ_CHECK(r.remaining() == m.size - m.pos, "remaining %lld", static_cast<long long>(r.remaining()));
        FUZZ_CHECK(r.atEnd() == (m.pos == m.size), "atEnd %d", r.atEnd());
    } else {
        FUZZ_CHECK(r.remaining() == 0, "remaining %lld after failure", static_cast<long long>(r.remaining()));
        if (!wasOk)
            FUZZ_CHECK(r.position() == posBefore, "op %d moved a failed reader from %lld to %lld", op & 31,
                       static_cast<long long>(posBefore), static_cast<long long>(r.position()));
    }
}

void run(ByteReader &r, Model &m, Program &prog, int depth)
{
    while (!prog.done())
        step(r, m, prog, depth);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 3)
        return 0;
    const std::size_t split = (data[0] | (data[1] << 8)) % (size - 1);
    // An exactly-sized heap copy, so ASan sees any read past the end.
    std::vector<std::uint8_t> bytes(data + 2, data + 2 + split);
    const std::uint8_t *d = bytes.empty() ? nullptr : bytes.data();
    ByteReader r(reinterpret_cast<const char *>(d), static_cast<qsizetype>(bytes.size()));
    Model m(d, static_cast<qsizetype>(bytes.size()));
    Program prog{data + 2 + split, size - 2 - split};
    run(r, m, prog, 0);
    return 0;
}
