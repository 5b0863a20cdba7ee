#include "KafkaError.h"

#include <algorithm>
#include <array>

namespace kpw {
namespace {

// Codes, names and retriability as in apache/kafka's Errors.java; texts are ours.
constexpr KafkaErrorInfo kErrors[] = {
    {-1011, "TRANSACTION_ABORTED", false, "The transaction was aborted before this record was acknowledged"},
    {-1010, "SASL_EXCHANGE_FAILED", false,
     "The broker's SASL messages failed the client's checks (nonce, iteration count or server signature)"},
    {-1009, "SSL_HANDSHAKE_FAILED", false,
     "The TLS handshake with the broker failed (certificate, host name, key or protocol mismatch)"},
    {-1008, "INVALID_CONFIG_VALUE", false, "A producer setting is unknown or has an invalid value"},
    {-1007, "BUFFER_FULL", false, "The producer's buffer.memory is full and max.block.ms expired"},
    {-1006, "PRODUCER_CLOSED", false, "The producer was closed before the record was delivered"},
    {-1005, "INVALID_RECORD", false, "The record was rejected by the client before sending"},
    {-1004, "PROTOCOL_ERROR", false, "The broker sent bytes the client could not decode"},
    {-1003, "CONNECTION_FAILED", true, "Could not connect to, or lost the connection to, the broker"},
    {-1002, "TIMED_OUT", true, "The operation did not complete in time"},
    {-1001, "RECORD_TOO_LARGE", false, "The record is larger than max.request.size"},
    {-1, "UNKNOWN_SERVER_ERROR", false, "The server experienced an unexpected error"},
    {0, "NONE", false, "Success"},
    {1, "OFFSET_OUT_OF_RANGE", false, "The requested offset is outside the range the server has for this partition"},
    {2, "CORRUPT_MESSAGE", true, "The message failed its CRC check, exceeds the valid size or is otherwise corrupt"},
    {3, "UNKNOWN_TOPIC_OR_PARTITION", true, "This server does not host this topic-partition"},
    {4, "INVALID_FETCH_SIZE", false, "The requested fetch size is invalid"},
    {5, "LEADER_NOT_AVAILABLE", true, "There is no leader for this topic-partition (a leader election is in progress)"},
    {6, "NOT_LEADER_OR_FOLLOWER", true, "This server is not the leader or a follower for the partition"},
    {7, "REQUEST_TIMED_OUT", true, "The request timed out on the broker"},
    {8, "BROKER_NOT_AVAILABLE", false, "The broker is not available"},
    {9, "REPLICA_NOT_AVAILABLE", true, "The replica is not available for the requested topic-partition"},
    {10, "MESSAGE_TOO_LARGE", false, "The request included a message larger than the broker's max message size"},
    {11, "STALE_CONTROLLER_EPOCH", false, "The controller moved to another broker"},
    {12, "OFFSET_METADATA_TOO_LARGE", false, "The metadata field of the offset request was too large"},
    {13, "NETWORK_EXCEPTION", true, "The server disconnected before a response was received"},
    {14, "COORDINATOR_LOAD_IN_PROGRESS", true, "The coordinator is loading and cannot process requests yet"},
    {15, "COORDINATOR_NOT_AVAILABLE", true, "The coordinator is not available"},
    {16, "NOT_COORDINATOR", true, "This is not the correct coordinator"},
    {17, "INVALID_TOPIC_EXCEPTION", false, "The topic name is not valid (or the request names an internal topic)"},
    {18, "RECORD_LIST_TOO_LARGE", false, "The record batch is larger than the topic's max.message.bytes"},
    {19, "NOT_ENOUGH_REPLICAS", true, "Fewer in-sync replicas than min.insync.replicas (acks=all)"},
    {20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, "Written to the leader, but fewer in-sync replicas than required"},
    {21, "INVALID_REQUIRED_ACKS", false, "The acks value is not valid"},
    {22, "ILLEGAL_GENERATION", false, "The generation id is not the current one"},
    {23, "INCONSISTENT_GROUP_PROTOCOL", false, "The group member's protocol type or protocols are incompatible"},
    {24, "INVALID_GROUP_ID", false, "The group id is invalid"},
    {25, "UNKNOWN_MEMBER_ID", false, "The coordinator does not know this member"},
    {26, "INVALID_SESSION_TIMEOUT", false, "The session timeout is out of the allowed range"},
    {27, "REBALANCE_IN_PROGRESS", false, "The group is rebalancing"},
    {28, "INVALID_COMMIT_OFFSET_SIZE", false, "The committing offset data size is not valid"},
    {29, "TOPIC_AUTHORIZATION_FAILED", false, "Not authorized to access this topic (check the ACLs)"},
    {30, "GROUP_AUTHORIZATION_FAILED", false, "Not authorized to access this group"},
    {31, "CLUSTER_AUTHORIZATION_FAILED", false, "Not authorized for this cluster operation"},
    {32, "INVALID_TIMESTAMP", false, "The record timestamp is out of the acceptable range"},
    {33, "UNSUPPORTED_SASL_MECHANISM", false, "The broker does not support the requested SASL mechanism"},
    {34, "ILLEGAL_SASL_STATE", false, "The request is not valid in the current SASL state"},
    {35, "UNSUPPORTED_VERSION", false, "The broker does not support this version of the request"},
    {36, "TOPIC_ALREADY_EXISTS", false, "A topic with this name already exists"},
    {37, "INVALID_PARTITIONS", false, "The number of partitions is invalid"},
    {38, "INVALID_REPLICATION_FACTOR", false, "The replication factor is invalid (more than the live brokers?)"},
    {39, "INVALID_REPLICA_ASSIGNMENT", false, "The replica assignment is invalid"},
    {40, "INVALID_CONFIG", false, "A configuration is invalid"},
    {41, "NOT_CONTROLLER", true, "This is not the correct controller for this cluster"},
    {42, "INVALID_REQUEST", false, "The request is malformed or breaks a protocol rule; see the broker log"},
    {43, "UNSUPPORTED_FOR_MESSAGE_FORMAT", false,
     "The message format version on the broker does not support the request"},
    {44, "POLICY_VIOLATION", false, "The request parameters do not satisfy the configured policy"},
    {45, "OUT_OF_ORDER_SEQUENCE_NUMBER", false, "The broker received an out of order sequence number"},
    {46, "DUPLICATE_SEQUENCE_NUMBER", false, "The broker received a duplicate sequence number"},
    {47, "INVALID_PRODUCER_EPOCH", false,
     "The producer's epoch is older than the broker's (another producer took over)"},
    {48, "INVALID_TXN_STATE", false, "The producer attempted a transactional operation in an invalid state"},
    {49, "INVALID_PRODUCER_ID_MAPPING", false, "The producer id does not match the transactional id"},
    {50, "INVALID_TRANSACTION_TIMEOUT", false,
     "transaction.timeout.ms is larger than the broker's transaction.max.timeout.ms"},
    {51, "CONCURRENT_TRANSACTIONS", true, "The previous transaction of this producer is still being completed"},
    {52, "TRANSACTION_COORDINATOR_FENCED", false, "The transaction coordinator is no longer the coordinator"},
    {53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false, "Not authorized for this transactional id"},
    {54, "SECURITY_DISABLED", false, "Security features are disabled"},
    {55, "OPERATION_NOT_ATTEMPTED", false, "The broker did not attempt this operation"},
    {56, "KAFKA_STORAGE_ERROR", true, "Disk error when trying to access the log file on the broker"},
    {57, "LOG_DIR_NOT_FOUND", false, "The user-specified log directory is not found in the broker config"},
    {58, "SASL_AUTHENTICATION_FAILED", false, "SASL authentication failed (check the user name and password)"},
    {59, "UNKNOWN_PRODUCER_ID", false, "The broker has no state for this producer id"},
    {60, "REASSIGNMENT_IN_PROGRESS", false, "A partition reassignment is in progress"},
    {61, "DELEGATION_TOKEN_AUTH_DISABLED", false, "Delegation token feature is not enabled"},
    {62, "DELEGATION_TOKEN_NOT_FOUND", false, "Delegation token is not found on the server"},
    {63, "DELEGATION_TOKEN_OWNER_MISMATCH", false, "Specified principal is not a valid owner or renewer"},
    {64, "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", false, "Delegation tokens are not allowed on this channel"},
    {65, "DELEGATION_TOKEN_AUTHORIZATION_FAILED", false, "Not authorized for the delegation token operation"},
    {66, "DELEGATION_TOKEN_EXPIRED", false, "Delegation token is expired"},
    {67, "INVALID_PRINCIPAL_TYPE", false, "Supplied principal type is not supported"},
    {68, "NON_EMPTY_GROUP", false, "The group is not empty"},
    {69, "GROUP_ID_NOT_FOUND", false, "The group id does not exist"},
    {70, "FETCH_SESSION_ID_NOT_FOUND", true, "The fetch session id was not found"},
    {71, "INVALID_FETCH_SESSION_EPOCH", true, "The fetch session epoch is invalid"},
    {72, "LISTENER_NOT_FOUND", true, "No matching listener on the leader broker"},
    {73, "TOPIC_DELETION_DISABLED", false, "Topic deletion is disabled"},
    {74, "FENCED_LEADER_EPOCH", true, "The leader epoch in the request is older than the broker's"},
    {75, "UNKNOWN_LEADER_EPOCH", true, "The leader epoch in the request is newer than the broker's"},
    {76, "UNSUPPORTED_COMPRESSION_TYPE", false, "The requesting client does not support the compression type"},
    {77, "STALE_BROKER_EPOCH", false, "Broker epoch has changed"},
    {78, "OFFSET_NOT_AVAILABLE", true, "The leader high watermark has not caught up"},
    {79, "MEMBER_ID_REQUIRED", false, "The group member needs a valid member id"},
    {80, "PREFERRED_LEADER_NOT_AVAILABLE", true, "The preferred leader was not available"},
    {81, "GROUP_MAX_SIZE_REACHED", false, "The consumer group has reached its maximum size"},
    {82, "FENCED_INSTANCE_ID", false, "A static member with the same group.instance.id took over"},
    {83, "ELIGIBLE_LEADERS_NOT_AVAILABLE", true, "Eligible topic partition leaders are not available"},
    {84, "ELECTION_NOT_NEEDED", true, "Leader election not needed for topic partition"},
    {85, "NO_REASSIGNMENT_IN_PROGRESS", false, "No partition reassignment is in progress"},
    {86, "GROUP_SUBSCRIBED_TO_TOPIC", false, "Deleting offsets of a topic the group is subscribed to"},
    {87, "INVALID_RECORD", false, "The broker rejected a record in the batch (see the record errors)"},
    {88, "UNSTABLE_OFFSET_COMMIT", true, "There are unstable offsets that need to be cleared"},
    {89, "THROTTLING_QUOTA_EXCEEDED", true, "The throttling quota has been exceeded"},
    {90, "PRODUCER_FENCED", false, "A newer producer with the same transactional.id fenced this one"},
    {91, "RESOURCE_NOT_FOUND", false, "A request illegally referred to a resource that does not exist"},
    {92, "DUPLICATE_RESOURCE", false, "A request illegally referred to the same resource twice"},
    {93, "UNACCEPTABLE_CREDENTIAL", false, "Requested credential would not meet the criteria for acceptability"},
    {94, "INCONSISTENT_VOTER_SET", false, "The voter set is not consistent"},
    {95, "INVALID_UPDATE_VERSION", false, "The given update version was invalid"},
    {96, "FEATURE_UPDATE_FAILED", false, "Unable to update finalized features"},
    {97, "PRINCIPAL_DESERIALIZATION_FAILURE", false, "Request principal deserialization failed during forwarding"},
    {98, "SNAPSHOT_NOT_FOUND", false, "Requested snapshot was not found"},
    {99, "POSITION_OUT_OF_RANGE", false, "Requested position is not greater than or equal to zero"},
    {100, "UNKNOWN_TOPIC_ID", true, "This server does not host this topic id"},
    {101, "DUPLICATE_BROKER_REGISTRATION", false, "This broker id is already in use"},
    {102, "BROKER_ID_NOT_REGISTERED", false, "The given broker id was not registered"},
    {103, "INCONSISTENT_TOPIC_ID", true, "The log's topic id did not match the topic id in the request"},
    {104, "INCONSISTENT_CLUSTER_ID", false, "The cluster id in the request does not match the broker's"},
    {105, "TRANSACTIONAL_ID_NOT_FOUND", false, "The transactional id could not be found"},
    {106, "FETCH_SESSION_TOPIC_ID_ERROR", true, "The fetch session encountered inconsistent topic id usage"},
    {107, "INELIGIBLE_REPLICA", false, "The new ISR contains at least one ineligible replica"},
    {108, "NEW_LEADER_ELECTED", false, "The AlterPartition request was rejected because a new leader was elected"},
    {109, "OFFSET_MOVED_TO_TIERED_STORAGE", false, "The requested offset is moved to tiered storage"},
    {110, "FENCED_MEMBER_EPOCH", false, "The member epoch is fenced by the group coordinator"},
    {111, "UNRELEASED_INSTANCE_ID", false, "The instance id is still used by another member"},
    {112, "UNSUPPORTED_ASSIGNOR", false, "The assignor or its version range is not supported by the group"},
    {113, "STALE_MEMBER_EPOCH", false, "The member epoch is stale"},
    {114, "MISMATCHED_ENDPOINT_TYPE", false, "The request was sent to an endpoint of the wrong type"},
    {115, "UNSUPPORTED_ENDPOINT_TYPE", false, "This endpoint type is not supported yet"},
    {116, "UNKNOWN_CONTROLLER_ID", false, "This controller id is not known"},
    {117, "UNKNOWN_SUBSCRIPTION_ID", false, "Client sent a push telemetry request with an invalid subscription id"},
    {118, "TELEMETRY_TOO_LARGE", false, "Client sent a push telemetry request larger than the maximum size"},
    {119, "INVALID_REGISTRATION", false, "The controller considers the broker registration invalid"},
    {120, "TRANSACTION_ABORTABLE", false, "The server encountered an error; the transaction must be aborted"},
    {121, "INVALID_RECORD_STATE", false, "The record state is invalid"},
    {122, "SHARE_SESSION_NOT_FOUND", true, "The share session was not found"},
    {123, "INVALID_SHARE_SESSION_EPOCH", true, "The share session epoch is invalid"},
    {124, "FENCED_STATE_EPOCH", false,
     "The share coordinator rejected the request because the state epoch did not match"},
    {125, "INVALID_VOTER_KEY", false, "The voter key does not match the receiving replica's key"},
    {126, "DUPLICATE_VOTER", false, "The voter is already part of the set of voters"},
    {127, "VOTER_NOT_FOUND", false, "The voter is not part of the set of voters"},
};

constexpr bool sortedByCode()
{
    for (std::size_t i = 1; i < std::size(kErrors); ++i)
        if (kErrors[i - 1].code >= kErrors[i].code)
            return false;
    return true;
}
static_assert(sortedByCode(), "kErrors must stay sorted by code for the binary search");

} // namespace

KafkaErrorInfo KafkaError::info(std::int16_t code)
{
    const auto *it = std::lower_bound(std::begin(kErrors), std::end(kErrors), code,
                                      [](const KafkaErrorInfo &e, std::int16_t c) { return e.code < c; });
    if (it != std::end(kErrors) && it->code == code)
        return *it;
    return {code, nullptr, false, "An error code this client does not know"};
}

QString KafkaError::name(std::int16_t code)
{
    const auto e = info(code);
    if (e.name)
        return QLatin1StringView(e.name);
    return QStringLiteral("UNKNOWN_ERROR_CODE_%1").arg(code);
}

bool KafkaError::isRetriable(std::int16_t code)
{
    return info(code).retriable;
}

QString KafkaError::describe(std::int16_t code)
{
    return QStringLiteral("%1: %2").arg(name(code), QLatin1StringView(info(code).text));
}

} // namespace kpw
