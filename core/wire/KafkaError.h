#pragma once

#include <QString>

#include <cstdint>

namespace kpw {

// One entry of Kafka's error table (apache/kafka Errors.java).
struct KafkaErrorInfo
{
    std::int16_t code;
    const char *name;
    bool retriable;
    const char *text;
};

namespace KafkaError {
// Looks up a code; an unknown code gets an entry with a null name (name()
// then says "UNKNOWN_ERROR_CODE_<n>").
KafkaErrorInfo info(std::int16_t code);
QString name(std::int16_t code);
bool isRetriable(std::int16_t code);
// "NAME: text" as shown to a person.
QString describe(std::int16_t code);

constexpr std::int16_t None = 0;
constexpr std::int16_t OffsetOutOfRange = 1;
constexpr std::int16_t CorruptMessage = 2;
constexpr std::int16_t UnknownTopicOrPartition = 3;
constexpr std::int16_t LeaderNotAvailable = 5;
constexpr std::int16_t NotLeaderOrFollower = 6;
constexpr std::int16_t RequestTimedOut = 7;
constexpr std::int16_t MessageTooLarge = 10;
constexpr std::int16_t NetworkException = 13;
constexpr std::int16_t CoordinatorLoadInProgress = 14;
constexpr std::int16_t CoordinatorNotAvailable = 15;
constexpr std::int16_t NotCoordinator = 16;
constexpr std::int16_t InvalidTopicException = 17;
constexpr std::int16_t RecordListTooLarge = 18;
constexpr std::int16_t NotEnoughReplicas = 19;
constexpr std::int16_t NotEnoughReplicasAfterAppend = 20;
constexpr std::int16_t InvalidRequiredAcks = 21;
constexpr std::int16_t TopicAuthorizationFailed = 29;
constexpr std::int16_t UnsupportedVersion = 35;
constexpr std::int16_t OutOfOrderSequenceNumber = 45;
constexpr std::int16_t DuplicateSequenceNumber = 46;
constexpr std::int16_t InvalidProducerEpoch = 47;
constexpr std::int16_t KafkaStorageError = 56;
constexpr std::int16_t UnknownProducerId = 59;
constexpr std::int16_t ProducerFenced = 90;
constexpr std::int16_t IllegalGeneration = 22;
constexpr std::int16_t UnknownMemberId = 25;
constexpr std::int16_t InvalidTxnState = 48;
constexpr std::int16_t InvalidProducerIdMapping = 49;
constexpr std::int16_t InvalidTransactionTimeout = 50;
constexpr std::int16_t ConcurrentTransactions = 51;
constexpr std::int16_t TransactionalIdAuthorizationFailed = 53;
constexpr std::int16_t FencedInstanceId = 82;
constexpr std::int16_t TransactionAbortable = 120;
// Client-side conditions share the table so reports carry one kind of name.
constexpr std::int16_t ClientRecordTooLarge = -1001;
constexpr std::int16_t ClientTimeout = -1002;
constexpr std::int16_t ClientConnectionFailed = -1003;
constexpr std::int16_t ClientProtocolError = -1004;
constexpr std::int16_t ClientInvalidRecord = -1005;
constexpr std::int16_t ClientShutdown = -1006;
constexpr std::int16_t ClientBufferFull = -1007;
constexpr std::int16_t ClientInvalidConfig = -1008;
constexpr std::int16_t ClientTransactionAborted = -1011;
constexpr std::int16_t ClientSslHandshakeFailed = -1009;
constexpr std::int16_t ClientSaslExchangeFailed = -1010;
constexpr std::int16_t UnsupportedSaslMechanism = 33;
constexpr std::int16_t IllegalSaslState = 34;
constexpr std::int16_t SaslAuthenticationFailed = 58;
constexpr std::int16_t ClientUnknownError = -1;
} // namespace KafkaError

} // namespace kpw
