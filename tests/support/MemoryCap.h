#pragma once

// Header-only: unit tests include it without linking kpw_testsupport.

#include <QByteArray>
#include <QFile>

#include <sys/resource.h>

namespace kpw::test {

// Caps the process's address space at what it uses now plus `headroomBytes`
// while in scope, so that a decoder which trusts a hostile count and reserves
// gigabytes fails (std::bad_alloc / qBadAlloc, which Qt Test reports) instead
// of quietly succeeding on a machine with memory to spare.
//
// Inactive (active() == false) under AddressSanitizer, whose shadow memory
// needs terabytes of address space, and when /proc is unreadable.
class AddressSpaceCap final
{
public:
    explicit AddressSpaceCap(rlim_t headroomBytes = rlim_t(256) << 20)
    {
#if defined(__SANITIZE_ADDRESS__)
        Q_UNUSED(headroomBytes);
        return;
#else
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
        Q_UNUSED(headroomBytes);
        return;
#endif
#endif
        const rlim_t used = currentVmSize();
        if (used == 0 || getrlimit(RLIMIT_AS, &m_saved) != 0)
            return;
        rlimit capped = m_saved;
        capped.rlim_cur = used + headroomBytes;
        if (m_saved.rlim_max != RLIM_INFINITY && capped.rlim_cur > m_saved.rlim_max)
            return;
        m_active = setrlimit(RLIMIT_AS, &capped) == 0;
#endif
    }
    ~AddressSpaceCap()
    {
        if (m_active)
            setrlimit(RLIMIT_AS, &m_saved);
    }
    AddressSpaceCap(const AddressSpaceCap &) = delete;
    AddressSpaceCap &operator=(const AddressSpaceCap &) = delete;

    bool active() const
    {
        return m_active;
    }

private:
    static rlim_t currentVmSize()
    {
        QFile f(QStringLiteral("/proc/self/status"));
        if (!f.open(QIODevice::ReadOnly))
            return 0;
        const QByteArray all = f.readAll();
        for (const QByteArray &line : all.split('\n')) {
            if (line.startsWith("VmSize:")) {
                bool ok = false;
                const qulonglong kb = line.mid(7).trimmed().split(' ').value(0).toULongLong(&ok);
                return ok ? rlim_t(kb) * 1024 : 0;
            }
        }
        return 0;
    }

    rlimit m_saved{};
    bool m_active = false;
};

} // namespace kpw::test
