#pragma once

#include <QString>

#include <cstdint>
#include <functional>

namespace kpw {

// Faults injected on a real connection to a real broker, for demonstrating
// what idempotence and retries do (the fault lab, kpw-cli --inject). A plan
// is shared by the producer's connections and used on the producer's thread
// only. Counters count Produce requests written from the moment the fault
// was armed; 1 is the next one.
struct FaultPlan
{
    // Lost ack: the N-th Produce request is written and reaches the broker,
    // its response is thrown away and the connection closed, as when a
    // network fails after the broker wrote the records.
    int lostAckAt = 0;
    // The N-th Produce request is written, then the connection is closed
    // before its response can arrive (the broker may or may not write it).
    int disconnectAfterSendAt = 0;
    // Every response on every connection waits this long before it is read.
    int delayMs = 0;
    // The next Produce response is treated as if every partition in it had
    // answered this (retriable) error code; the broker did write the records.
    std::int16_t injectErrorCode = 0;

    int produceWritten = 0; // Produce requests written since the last arm()

    // Told about every fault that fired: "lost ack: dropped the response to ...".
    std::function<void(const QString &what)> onFault;

    bool armed() const { return lostAckAt > 0 || disconnectAfterSendAt > 0 || delayMs > 0 || injectErrorCode != 0; }
    void arm() { produceWritten = 0; }
};

} // namespace kpw
