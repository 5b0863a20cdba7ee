#pragma once

// ThreadSanitizer annotations for the points where a value crosses from one
// thread to another through synchronisation TSan cannot see.
//
// Qt is not built with TSan: QMutex is a futex in uninstrumented code and a
// posted event travels through Qt's own queue, so TSan would see the writes
// that build a value on one thread and the reads on the other with nothing
// ordering them, and report a race that is not there. release(addr) on the
// sending thread, after the last write to what it hands over, and acquire(addr)
// on the receiving thread, before the first read, tell TSan what Qt's queue
// guarantees. Only kpw::postCall (threads/CrossThread.cpp) uses them; it is the
// one way kpw code hands work to another thread's event loop.
//
// Without -fsanitize=thread both are empty inline functions.

#if defined(__SANITIZE_THREAD__) // GCC
#define KPW_TSAN_ANNOTATIONS 1
#elif defined(__has_feature) // Clang
#if __has_feature(thread_sanitizer)
#define KPW_TSAN_ANNOTATIONS 1
#endif
#endif

#ifdef KPW_TSAN_ANNOTATIONS
extern "C" void __tsan_acquire(void *addr);
extern "C" void __tsan_release(void *addr);
#endif

namespace kpw::tsan {

// On the sending thread: everything this thread did so far happens before
// whatever a later acquire(addr) on another thread is followed by.
inline void release([[maybe_unused]] const void *addr) noexcept
{
#ifdef KPW_TSAN_ANNOTATIONS
    __tsan_release(const_cast<void *>(addr));
#endif
}

// On the receiving thread, before touching what was handed over at addr.
inline void acquire([[maybe_unused]] const void *addr) noexcept
{
#ifdef KPW_TSAN_ANNOTATIONS
    __tsan_acquire(const_cast<void *>(addr));
#endif
}

} // namespace kpw::tsan
