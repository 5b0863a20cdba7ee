#pragma once

#include <QString>

#include <cstdint>

namespace kpw {

enum class ApiKey : std::int16_t {
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    OffsetFetch = 9,
    FindCoordinator = 10,
    SaslHandshake = 17,
    ApiVersions = 18,
    CreateTopics = 19,
    DeleteTopics = 20,
    InitProducerId = 22,
    AddPartitionsToTxn = 24,
    AddOffsetsToTxn = 25,
    EndTxn = 26,
    TxnOffsetCommit = 28,
    DescribeConfigs = 32,
    SaslAuthenticate = 36,
    DescribeCluster = 60,
};

struct VersionRange
{
    std::int16_t min = -1;
    std::int16_t max = -1;
    bool valid() const { return min >= 0 && max >= min; }
};

namespace Api {
QString name(ApiKey key);
QString name(std::int16_t key);
// The versions this client implements. Produce starts at 3 although a 4.x
// broker advertises 0: it refuses v0-v2 (KAFKA-18659).
VersionRange clientRange(ApiKey key);
// First version using the flexible (compact + tagged fields) encoding, or -1.
std::int16_t firstFlexibleVersion(ApiKey key);
bool isFlexible(ApiKey key, std::int16_t version);
// Request header version: 2 for flexible requests, 1 otherwise.
int requestHeaderVersion(ApiKey key, std::int16_t version);
// Response header version: 1 for flexible responses, 0 otherwise; ApiVersions
// always answers with header v0 (KIP-511).
int responseHeaderVersion(ApiKey key, std::int16_t version);
} // namespace Api

} // namespace kpw
