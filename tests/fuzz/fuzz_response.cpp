// fuzz_response: the response decoders a broker (or anything answering on a
// broker's port) feeds with bytes: ApiVersions (v0-4), Metadata (v4-12),
// Produce (v3-12), SaslHandshake (v1), SaslAuthenticate (v0-2), the
// transaction APIs, FindCoordinator (v0-6), ListOffsets (v1-9), Fetch (v4-12,
// its records then through decodeRecordBatches), OffsetFetch (v1-8), the
// admin APIs DescribeConfigs (v1-4), CreateTopics (v2-7), DeleteTopics (v1-6)
// and the response header.
//
// Input format (what tests/fuzz/capture-seeds writes):
//   byte 0   API, taken modulo the number of APIs: 0 ApiVersions, 1 Metadata,
//            2 Produce, 3 SaslHandshake, 4 SaslAuthenticate, 5 InitProducerId,
//            6 AddPartitionsToTxn, 7 AddOffsetsToTxn, 8 TxnOffsetCommit,
//            9 EndTxn, 10 FindCoordinator, 11 ListOffsets, 12 Fetch,
//            13 OffsetFetch, 14 DescribeConfigs, 15 CreateTopics,
//            16 DeleteTopics (new APIs go at the end: older seeds keep their
//            meaning)
//   byte 1   version - the client's minimum for that API (taken modulo the
//            size of the client's range), so every input is a valid version
//   rest     the response body, after the response header
//
// Properties: no crash, leak, UB or oversized allocation; a decoded response
// is consistent with the body it came from; readResponseHeader finds the body
// behind a header it is given and never points outside the frame.

#include "FuzzCheck.h"

#include "messages/Admin.h"
#include "messages/ApiVersions.h"
#include "messages/Fetch.h"
#include "messages/FindCoordinator.h"
#include "messages/Framing.h"
#include "messages/ListOffsets.h"
#include "messages/Metadata.h"
#include "messages/OffsetFetch.h"
#include "messages/Produce.h"
#include "messages/Sasl.h"
#include "messages/Transactions.h"
#include "records/RecordBatch.h"
#include "wire/ApiKeys.h"

#include <algorithm>

using namespace kpw;

namespace {

constexpr ApiKey kApis[] = {ApiKey::ApiVersions,
                            ApiKey::Metadata,
                            ApiKey::Produce,
                            ApiKey::SaslHandshake,
                            ApiKey::SaslAuthenticate,
                            ApiKey::InitProducerId,
                            ApiKey::AddPartitionsToTxn,
                            ApiKey::AddOffsetsToTxn,
                            ApiKey::TxnOffsetCommit,
                            ApiKey::EndTxn,
                            ApiKey::FindCoordinator,
                            ApiKey::ListOffsets,
                            ApiKey::Fetch,
                            ApiKey::OffsetFetch,
                            ApiKey::DescribeConfigs,
                            ApiKey::CreateTopics,
                            ApiKey::DeleteTopics};

void checkHeader(const QByteArray &body, ApiKey key, std::int16_t version)
{
    // A well-formed header in front of the body: the body must start exactly
    // where readResponseHeader says.
    QByteArray frame("\x12\x34\x56\x78", 4);
    const bool headerV1 = Api::responseHeaderVersion(key, version) >= 1;
    if (headerV1)
        frame.append('\0'); // empty tagged-field section
    frame.append(body);
    auto h = readResponseHeader(frame, key, version);
    FUZZ_CHECK(h.ok(), "well-formed header rejected: %s", kpwfuzz::c(h.error().message));
    FUZZ_CHECK(h->correlationId == 0x12345678, "correlation id %d", h->correlationId);
    FUZZ_CHECK(h->bodyOffset == (headerV1 ? 5 : 4), "body offset %lld", static_cast<long long>(h->bodyOffset));

    // The body read as a header (hostile header bytes).
    auto raw = readResponseHeader(body, key, version);
    if (raw.ok())
        FUZZ_CHECK(raw->bodyOffset >= 4 && raw->bodyOffset <= body.size(), "body offset %lld outside a %lld-byte frame",
                   static_cast<long long>(raw->bodyOffset), static_cast<long long>(body.size()));
}

void checkApiVersions(const QByteArray &body, std::int16_t version)
{
    auto r = ApiVersionsResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    // Every entry takes at least 6 bytes (key, min, max).
    FUZZ_CHECK(r->apis.size() * 6 <= body.size(), "%lld apis from %lld bytes", static_cast<long long>(r->apis.size()),
               static_cast<long long>(body.size()));
    for (auto it = r->apis.cbegin(); it != r->apis.cend(); ++it)
        (void)Api::name(it.key());
}

void checkMetadata(const QByteArray &body, std::int16_t version)
{
    auto r = MetadataResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    FUZZ_CHECK(r->brokers.size() * 10 <= body.size(), "%lld brokers from %lld bytes",
               static_cast<long long>(r->brokers.size()), static_cast<long long>(body.size()));
    qsizetype partitions = 0;
    for (const auto &b : r->brokers)
        (void)b.address();
    for (const auto &t : r->topics) {
        FUZZ_CHECK(t.topicId.isEmpty() || t.topicId.size() == 16, "topic id of %lld bytes",
                   static_cast<long long>(t.topicId.size()));
        FUZZ_CHECK(
            std::is_sorted(t.partitions.cbegin(), t.partitions.cend(),
                           [](const PartitionInfo &a, const PartitionInfo &b) { return a.partition < b.partition; }),
            "partitions not sorted");
        partitions += t.partitions.size();
    }
    FUZZ_CHECK(partitions * 14 <= body.size(), "%lld partitions from %lld bytes", static_cast<long long>(partitions),
               static_cast<long long>(body.size()));
}

void checkProduce(const QByteArray &body, std::int16_t version)
{
    auto r = ProduceResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    qsizetype partitions = 0;
    for (const auto &t : r->topics)
        partitions += t.partitions.size();
    FUZZ_CHECK(partitions * 14 <= body.size(), "%lld partitions from %lld bytes", static_cast<long long>(partitions),
               static_cast<long long>(body.size()));
}

void checkSaslHandshake(const QByteArray &body, std::int16_t version)
{
    auto r = SaslHandshakeResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    // error code, count, then at least a 2-byte length per mechanism.
    FUZZ_CHECK(6 + r->mechanisms.size() * 2 <= body.size(), "%lld mechanisms from %lld bytes",
               static_cast<long long>(r->mechanisms.size()), static_cast<long long>(body.size()));
}

void checkSaslAuthenticate(const QByteArray &body, std::int16_t version)
{
    auto r = SaslAuthenticateResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    // UTF-16 units, not re-encoded UTF-8: a broken sequence decodes to one
    // U+FFFD per byte, which takes three bytes when encoded again.
    const qsizetype message = r->errorMessage ? r->errorMessage->size() : 0;
    FUZZ_CHECK(r->authBytes.size() + message <= body.size(), "%lld auth bytes from %lld bytes",
               static_cast<long long>(r->authBytes.size()), static_cast<long long>(body.size()));
    FUZZ_CHECK(version >= 1 || r->sessionLifetimeMs == 0, "session lifetime before v1");
}

// The transactional responses: a decoded answer never holds more partition
// entries than its bytes can carry (6 bytes each at least).
template <typename Response> void checkTopicErrors(const QByteArray &body, std::int16_t version)
{
    auto r = Response::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    qsizetype partitions = 0;
    for (const auto &t : r->topics)
        partitions += t.partitions.size();
    FUZZ_CHECK(partitions * 6 <= body.size(), "%lld partitions from %lld bytes", static_cast<long long>(partitions),
               static_cast<long long>(body.size()));
}

template <typename Response> void checkFixed(const QByteArray &body, std::int16_t version)
{
    auto r = Response::decode(body, version);
    FUZZ_CHECK(r.ok() || !r.error().message.isEmpty(), "error without a message");
    FUZZ_CHECK(!r.ok() || body.size() >= 6, "decoded from %lld bytes", static_cast<long long>(body.size()));
}

void checkFindCoordinator(const QByteArray &body, std::int16_t version)
{
    auto r = FindCoordinatorResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    if (version <= 3)
        FUZZ_CHECK(r->coordinators.size() == 1, "%lld coordinators before v4",
                   static_cast<long long>(r->coordinators.size()));
    FUZZ_CHECK(r->coordinators.size() * 12 <= body.size(), "%lld coordinators from %lld bytes",
               static_cast<long long>(r->coordinators.size()), static_cast<long long>(body.size()));
}

void checkListOffsets(const QByteArray &body, std::int16_t version)
{
    auto r = ListOffsetsResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    qsizetype partitions = 0;
    for (const auto &t : r->topics)
        partitions += t.partitions.size();
    FUZZ_CHECK(partitions * 22 <= body.size(), "%lld partitions from %lld bytes", static_cast<long long>(partitions),
               static_cast<long long>(body.size()));
}

void checkFetch(const QByteArray &body, std::int16_t version)
{
    auto r = FetchResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    qsizetype partitions = 0;
    qsizetype aborted = 0;
    qsizetype recordBytes = 0;
    for (const auto &t : r->topics) {
        partitions += t.partitions.size();
        for (const auto &p : t.partitions) {
            if (p.abortedTransactions)
                aborted += p.abortedTransactions->size();
            recordBytes += p.records.size();
        }
    }
    FUZZ_CHECK(partitions * 24 + aborted * 16 + recordBytes <= body.size(),
               "%lld partitions, %lld aborted transactions, %lld record bytes from %lld bytes",
               static_cast<long long>(partitions), static_cast<long long>(aborted), static_cast<long long>(recordBytes),
               static_cast<long long>(body.size()));
    // The records go on to the batch decoder, as the tail reader does; a small
    // limit keeps a hostile compressed batch from dominating the run.
    DecodeLimits limits;
    limits.maxDecompressedBatch = 1 << 20;
    for (const auto &t : r->topics)
        for (const auto &p : t.partitions)
            if (!p.records.isEmpty())
                (void)decodeRecordBatches(p.records, limits);
}

void checkOffsetFetch(const QByteArray &body, std::int16_t version)
{
    auto r = OffsetFetchResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    if (version <= 7)
        FUZZ_CHECK(r->groups.size() == 1, "%lld groups before v8", static_cast<long long>(r->groups.size()));
    qsizetype partitions = 0;
    for (const auto &g : r->groups)
        for (const auto &t : g.topics)
            partitions += t.partitions.size();
    FUZZ_CHECK(partitions * 16 <= body.size(), "%lld partitions from %lld bytes", static_cast<long long>(partitions),
               static_cast<long long>(body.size()));
}

void checkDescribeConfigs(const QByteArray &body, std::int16_t version)
{
    auto r = DescribeConfigsResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    // A result takes 7 bytes at least, a config 9 (compact) or more.
    qsizetype configs = 0;
    for (const auto &res : r->results)
        configs += res.configs.size();
    FUZZ_CHECK(r->results.size() * 7 + configs * 9 <= body.size(), "%lld results, %lld configs from %lld bytes",
               static_cast<long long>(r->results.size()), static_cast<long long>(configs),
               static_cast<long long>(body.size()));
    for (const auto &res : r->results)
        for (const auto &c : res.configs)
            (void)configSourceName(c.source);
}

void checkCreateTopics(const QByteArray &body, std::int16_t version)
{
    auto r = CreateTopicsResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    qsizetype configs = 0;
    for (const auto &t : r->topics) {
        FUZZ_CHECK(version < 7 || t.topicId.size() == 16, "topic id of %lld bytes",
                   static_cast<long long>(t.topicId.size()));
        FUZZ_CHECK(version >= 5 || !t.configs, "configs before v5");
        if (t.configs)
            configs += t.configs->size();
    }
    FUZZ_CHECK(r->topics.size() * 6 + configs * 6 <= body.size(), "%lld topics, %lld configs from %lld bytes",
               static_cast<long long>(r->topics.size()), static_cast<long long>(configs),
               static_cast<long long>(body.size()));
}

void checkDeleteTopics(const QByteArray &body, std::int16_t version)
{
    auto r = DeleteTopicsResponse::decode(body, version);
    if (!r.ok()) {
        FUZZ_CHECK(!r.error().message.isEmpty(), "error without a message");
        return;
    }
    FUZZ_CHECK(r->topics.size() * 4 <= body.size(), "%lld topics from %lld bytes",
               static_cast<long long>(r->topics.size()), static_cast<long long>(body.size()));
    for (const auto &t : r->topics)
        FUZZ_CHECK(version >= 6 || t.name.has_value(), "a null name before v6");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return 0;
    const ApiKey key = kApis[data[0] % std::size(kApis)];
    const VersionRange range = Api::clientRange(key);
    FUZZ_CHECK(range.valid(), "client range of %s", kpwfuzz::c(Api::name(key)));
    const auto version = static_cast<std::int16_t>(range.min + data[1] % (range.max - range.min + 1));
    const QByteArray body = kpwfuzz::bytes(data + 2, size - 2);

    checkHeader(body, key, version);
    switch (key) {
    case ApiKey::ApiVersions: checkApiVersions(body, version); break;
    case ApiKey::Metadata: checkMetadata(body, version); break;
    case ApiKey::Produce: checkProduce(body, version); break;
    case ApiKey::SaslHandshake: checkSaslHandshake(body, version); break;
    case ApiKey::SaslAuthenticate: checkSaslAuthenticate(body, version); break;
    case ApiKey::InitProducerId: checkFixed<InitProducerIdResponse>(body, version); break;
    case ApiKey::AddOffsetsToTxn: checkFixed<AddOffsetsToTxnResponse>(body, version); break;
    case ApiKey::EndTxn: checkFixed<EndTxnResponse>(body, version); break;
    case ApiKey::AddPartitionsToTxn: checkTopicErrors<AddPartitionsToTxnResponse>(body, version); break;
    case ApiKey::TxnOffsetCommit: checkTopicErrors<TxnOffsetCommitResponse>(body, version); break;
    case ApiKey::FindCoordinator: checkFindCoordinator(body, version); break;
    case ApiKey::ListOffsets: checkListOffsets(body, version); break;
    case ApiKey::Fetch: checkFetch(body, version); break;
    case ApiKey::OffsetFetch: checkOffsetFetch(body, version); break;
    case ApiKey::DescribeConfigs: checkDescribeConfigs(body, version); break;
    case ApiKey::CreateTopics: checkCreateTopics(body, version); break;
    case ApiKey::DeleteTopics: checkDeleteTopics(body, version); break;
    default: break;
    }
    return 0;
}
