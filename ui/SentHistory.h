#pragma once

#include "records/ProducerRecord.h"

#include <QList>

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

namespace kpw {

// The records the window sent, by report id, so that a row of the delivery
// table can be sent again or loaded back into the composer. Only the newest
// capacity() records are kept; copies without templates share their bytes
// (QByteArray is implicitly shared), so N copies of one record cost N small
// structs, not N payloads.
class SentHistory final
{
public:
    static constexpr std::size_t kDefaultCapacity = 100'000;

    explicit SentHistory(std::size_t capacity = kDefaultCapacity) : m_capacity(capacity) {}

    // Records sent with consecutive ids from firstId (as ProducerClient::send
    // numbers them).
    void add(quint64 firstId, const QList<ProducerRecord> &records);
    std::optional<ProducerRecord> find(quint64 id) const;
    // The newest records first, at most `count`, with their ids.
    QList<std::pair<quint64, ProducerRecord>> newest(int count) const;

    std::size_t size() const { return m_records.size(); }
    std::size_t capacity() const { return m_capacity; }
    void clear() { m_records.clear(); }

private:
    std::size_t m_capacity;
    std::deque<std::pair<quint64, ProducerRecord>> m_records; // ids ascending
};

} // namespace kpw
