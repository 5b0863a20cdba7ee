#include "ui/SentHistory.h"

#include <algorithm>

namespace kpw {

void SentHistory::add(quint64 firstId, const QList<ProducerRecord> &records)
{
    if (m_capacity == 0)
        return;
    // Ids only grow within one client; a restarted client may start over, and
    // then the older entries can no longer be found by id: drop them.
    if (!m_records.empty() && firstId <= m_records.back().first)
        m_records.clear();
    const qsizetype skip = std::max<qsizetype>(0, records.size() - qsizetype(m_capacity));
    for (qsizetype i = skip; i < records.size(); ++i)
        m_records.emplace_back(firstId + quint64(i), records.at(i));
    while (m_records.size() > m_capacity)
        m_records.pop_front();
}

std::optional<ProducerRecord> SentHistory::find(quint64 id) const
{
    const auto it = std::lower_bound(m_records.cbegin(), m_records.cend(), id,
                                     [](const auto &entry, quint64 wanted) { return entry.first < wanted; });
    if (it == m_records.cend() || it->first != id)
        return std::nullopt;
    return it->second;
}

QList<std::pair<quint64, ProducerRecord>> SentHistory::newest(int count) const
{
    QList<std::pair<quint64, ProducerRecord>> out;
    for (auto it = m_records.crbegin(); it != m_records.crend() && out.size() < count; ++it)
        out.append(*it);
    return out;
}

} // namespace kpw
