#pragma once

#include <QtGlobal>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace kpw {

// buffer.memory, shared by the caller's thread (which reserves bytes in
// ProducerClient::send, waiting up to max.block.ms when the buffer is full)
// and the producer's thread (which releases them as each record's report is
// made). The mutex guards m_used; the condition variable wakes waiting
// senders on release.
class BufferGate final
{
public:
    explicit BufferGate(qint64 limit) : m_limit(limit) {}

    // Reserves n bytes, waiting up to maxWait for room. A record larger than
    // the whole buffer is let through alone when the buffer is empty, as the
    // Java client does with an oversized record and a free pool.
    bool reserve(qint64 n, std::chrono::milliseconds maxWait)
    {
        std::unique_lock lock(m_mutex);
        const auto fits = [&] { return m_used + n <= m_limit || m_used == 0; };
        if (!fits() && !m_cv.wait_for(lock, maxWait, fits))
            return false;
        m_used += n;
        return true;
    }

    void release(qint64 n)
    {
        {
            std::lock_guard lock(m_mutex);
            m_used -= n;
            if (m_used < 0)
                m_used = 0;
        }
        m_cv.notify_all();
    }

    qint64 used() const
    {
        std::lock_guard lock(m_mutex);
        return m_used;
    }
    qint64 limit() const { return m_limit; }

private:
    const qint64 m_limit;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    qint64 m_used = 0; // guarded by m_mutex
};

} // namespace kpw
