#pragma once

// Shared helpers for the libFuzzer targets.
//
// FUZZ_CHECK is the fuzzers' oracle: a property that must hold for every
// input. A failure prints the property and aborts, which libFuzzer reports as
// a crash and saves as an artifact (scripts/fuzz puts it in
// tests/fuzz/regressions/<target>/).

#include <QByteArray>
#include <QString>

#include <sanitizer/allocator_interface.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                                                                          \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ", __FILE__, __LINE__, #cond);                         \
            std::fprintf(stderr, __VA_ARGS__);                                                                         \
            std::fputc('\n', stderr);                                                                                  \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (0)

namespace kpwfuzz {

// A deep copy: QByteArray::fromRawData would alias libFuzzer's buffer, and a
// copy also lets ASan see reads past the end of exactly-sized heap data.
inline QByteArray bytes(const std::uint8_t *data, std::size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
}

// The largest single heap allocation made while a watch is alive: a decoder
// given an output bound should not allocate far beyond it (libFuzzer's
// -malloc_limit_mb only catches what exceeds the process-wide limit).
class AllocationWatch
{
public:
    AllocationWatch()
    {
        installHooks();
        largestRef().store(0);
        armedRef().store(true);
    }
    ~AllocationWatch() { armedRef().store(false); }
    AllocationWatch(const AllocationWatch &) = delete;
    AllocationWatch &operator=(const AllocationWatch &) = delete;

    std::size_t largest() const { return largestRef().load(); }

private:
    static std::atomic<bool> &armedRef()
    {
        static std::atomic<bool> armed{false};
        return armed;
    }
    static std::atomic<std::size_t> &largestRef()
    {
        static std::atomic<std::size_t> largest{0};
        return largest;
    }
    static void onMalloc(const volatile void *, std::size_t size)
    {
        if (armedRef().load(std::memory_order_relaxed)) {
            std::size_t seen = largestRef().load(std::memory_order_relaxed);
            while (size > seen && !largestRef().compare_exchange_weak(seen, size)) {
            }
        }
    }
    static void onFree(const volatile void *) {}
    static void installHooks()
    {
        static const bool installed = (__sanitizer_install_malloc_and_free_hooks(onMalloc, onFree), true);
        (void)installed;
    }
};

inline const char *c(const QString &s)
{
    thread_local QByteArray buf;
    buf = s.toUtf8();
    return buf.constData();
}

} // namespace kpwfuzz
