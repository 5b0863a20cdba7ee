#include "ApiKeys.h"

namespace kpw {
namespace {

struct ApiInfo
{
    ApiKey key;
    const char *name;
    VersionRange client;
    std::int16_t firstFlexible;
};

// Client ranges are what this code base encodes and decodes; a key with an
// invalid range is known by name only.
constexpr ApiInfo kApis[] = {
    {ApiKey::Produce, "Produce", {3, 12}, 9},
    {ApiKey::Fetch, "Fetch", {4, 12}, 12},
    {ApiKey::ListOffsets, "ListOffsets", {1, 9}, 6},
    {ApiKey::Metadata, "Metadata", {4, 12}, 9},
    {ApiKey::OffsetFetch, "OffsetFetch", {1, 8}, 6},
    {ApiKey::FindCoordinator, "FindCoordinator", {0, 6}, 3},
    {ApiKey::SaslHandshake, "SaslHandshake", {1, 1}, -1},
    {ApiKey::ApiVersions, "ApiVersions", {0, 4}, 3},
    {ApiKey::CreateTopics, "CreateTopics", {2, 7}, 5},
    {ApiKey::DeleteTopics, "DeleteTopics", {1, 6}, 4},
    {ApiKey::InitProducerId, "InitProducerId", {0, 5}, 2},
    {ApiKey::AddPartitionsToTxn, "AddPartitionsToTxn", {0, 3}, 3},
    {ApiKey::AddOffsetsToTxn, "AddOffsetsToTxn", {0, 4}, 3},
    {ApiKey::EndTxn, "EndTxn", {0, 5}, 3},
    {ApiKey::TxnOffsetCommit, "TxnOffsetCommit", {0, 5}, 3},
    {ApiKey::DescribeConfigs, "DescribeConfigs", {1, 4}, 4},
    {ApiKey::SaslAuthenticate, "SaslAuthenticate", {0, 2}, 2},
    {ApiKey::DescribeCluster, "DescribeCluster", {-1, -1}, 0},
};

const ApiInfo *find(ApiKey key)
{
    for (const auto &a : kApis)
        if (a.key == key)
            return &a;
    return nullptr;
}

} // namespace

QString Api::name(ApiKey key)
{
    return name(static_cast<std::int16_t>(key));
}

QString Api::name(std::int16_t key)
{
    if (const auto *a = find(static_cast<ApiKey>(key)))
        return QLatin1StringView(a->name);
    return QStringLiteral("ApiKey%1").arg(key);
}

VersionRange Api::clientRange(ApiKey key)
{
    const auto *a = find(key);
    return a ? a->client : VersionRange{};
}

std::int16_t Api::firstFlexibleVersion(ApiKey key)
{
    const auto *a = find(key);
    return a ? a->firstFlexible : std::int16_t{-1};
}

bool Api::isFlexible(ApiKey key, std::int16_t version)
{
    const auto first = firstFlexibleVersion(key);
    return first >= 0 && version >= first;
}

int Api::requestHeaderVersion(ApiKey key, std::int16_t version)
{
    return isFlexible(key, version) ? 2 : 1;
}

int Api::responseHeaderVersion(ApiKey key, std::int16_t version)
{
    if (key == ApiKey::ApiVersions)
        return 0;
    return isFlexible(key, version) ? 1 : 0;
}

} // namespace kpw
