#pragma once

#include <cstdint>
#include <optional>

namespace kpw {

// Decides when each record of a replay may go: at most recordsPerSec and
// bytesPerSec (0: no limit), or at its original time (its timestamp's
// distance from the first record's, divided by `speed`). Works on a
// monotonic clock in nanoseconds given by the caller, so tests drive it
// without sleeping. A limiter that fell behind (a slow broker) does not make
// up with a burst: it allows at most kBurstNs of credit.
class Pacer final
{
public:
    void setRecordsPerSec(double rate) { m_recordsPerSec = rate > 0 ? rate : 0; }
    void setBytesPerSec(double rate) { m_bytesPerSec = rate > 0 ? rate : 0; }
    void setOriginalTiming(bool on, double speed = 1.0)
    {
        m_original = on;
        m_speed = speed > 0 ? speed : 1.0;
    }
    bool limited() const { return m_recordsPerSec > 0 || m_bytesPerSec > 0 || m_original; }

    // The monotonic time at which a record of `bytes` bytes with this
    // timestamp is due (<= nowNs: at once). Each call books the record.
    std::int64_t due(std::int64_t nowNs, std::int64_t bytes, std::optional<std::int64_t> timestampMs);

    // Starts original timing over (the next record is the new "first").
    void restartTiming() { m_originStarted = false; }
    // Moves every schedule later, e.g. by the time a replay was paused.
    void shift(std::int64_t ns);

    static constexpr std::int64_t kBurstNs = 100'000'000; // 100 ms

private:
    double m_recordsPerSec = 0;
    double m_bytesPerSec = 0;
    bool m_original = false;
    double m_speed = 1.0;
    bool m_started = false;
    double m_recordsNext = 0; // ns
    double m_bytesNext = 0;   // ns
    bool m_originStarted = false;
    std::int64_t m_originNs = 0;
    std::int64_t m_originTsMs = 0;
};

} // namespace kpw
