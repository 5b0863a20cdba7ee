#include "replay/Pacer.h"

#include <algorithm>

namespace kpw {

std::int64_t Pacer::due(std::int64_t nowNs, std::int64_t bytes, std::optional<std::int64_t> timestampMs)
{
    const double now = static_cast<double>(nowNs);
    if (!m_started) {
        m_started = true;
        m_recordsNext = m_bytesNext = now;
    }
    double at = now;
    if (m_recordsPerSec > 0) {
        m_recordsNext = std::max(m_recordsNext, now - kBurstNs);
        at = std::max(at, m_recordsNext);
        m_recordsNext += 1e9 / m_recordsPerSec;
    }
    if (m_bytesPerSec > 0) {
        m_bytesNext = std::max(m_bytesNext, now - kBurstNs);
        at = std::max(at, m_bytesNext);
        m_bytesNext += 1e9 * static_cast<double>(bytes) / m_bytesPerSec;
    }
    if (m_original && timestampMs) {
        if (!m_originStarted) {
            m_originStarted = true;
            m_originNs = nowNs;
            m_originTsMs = *timestampMs;
        }
        // A timestamp before the first one goes at once: never wait backwards.
        const double offsetNs = static_cast<double>(*timestampMs - m_originTsMs) * 1e6 / m_speed;
        at = std::max(at, static_cast<double>(m_originNs) + offsetNs);
    }
    return static_cast<std::int64_t>(at);
}

void Pacer::shift(std::int64_t ns)
{
    m_recordsNext += static_cast<double>(ns);
    m_bytesNext += static_cast<double>(ns);
    m_originNs += ns;
}

} // namespace kpw
