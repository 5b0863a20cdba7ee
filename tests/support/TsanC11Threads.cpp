// C11 threads (<threads.h>) for ThreadSanitizer builds of the tests only
// (KPW_TSAN; see tests/support/CMakeLists.txt).
//
// Debian's librdkafka (the tests' consumer oracle) is built on C11 threads:
// thrd_create, mtx_lock, cnd_wait, call_once. glibc implements them by calling
// its internal __pthread_* functions directly, and GCC 12's ThreadSanitizer
// runtime (libtsan2) intercepts only the public pthread_* entry points. So:
//   - a thread started by thrd_create is unknown to TSan: its first malloc
//     (getaddrinfo in librdkafka's broker thread) crashes in TSan's allocator
//     with SIGSEGV, before any test has produced a record;
//   - librdkafka's mutexes and condition variables are invisible, so a message
//     written by its broker thread and read by the test thread would be
//     reported as a race although a mutex orders the two.
// The definitions below are in the test executable, so the dynamic linker
// binds librdkafka's references to them (the executable comes first in the
// lookup order; an unversioned definition satisfies thrd_create@GLIBC_2.34).
// Each one does what glibc's does (nptl/thrd_create.c, mtx_init.c, ...) but
// through the public pthread functions, which TSan intercepts. glibc's mtx_t,
// cnd_t and once_flag are the pthread types under another name.
#include <cerrno>
#include <cstdint>
#include <new>
#include <pthread.h>
#include <threads.h>

namespace {

// glibc's thrd_err_map (nptl/thrd_priv.h).
int toThrd(int err)
{
    switch (err) {
    case 0: return thrd_success;
    case ENOMEM: return thrd_nomem;
    case ETIMEDOUT: return thrd_timedout;
    case EBUSY: return thrd_busy;
    default: return thrd_error;
    }
}

pthread_mutex_t *asPthread(mtx_t *m)
{
    return reinterpret_cast<pthread_mutex_t *>(m);
}

pthread_cond_t *asPthread(cnd_t *c)
{
    return reinterpret_cast<pthread_cond_t *>(c);
}

struct Start
{
    thrd_start_t func;
    void *arg;
};

void *startC11Thread(void *p)
{
    const Start start = *static_cast<Start *>(p);
    delete static_cast<Start *>(p);
    return reinterpret_cast<void *>(static_cast<std::intptr_t>(start.func(start.arg)));
}

} // namespace

static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));
static_assert(sizeof(once_flag) == sizeof(pthread_once_t));
static_assert(sizeof(thrd_t) == sizeof(pthread_t));

extern "C" {

int thrd_create(thrd_t *thr, thrd_start_t func, void *arg)
{
    auto *start = new (std::nothrow) Start{func, arg};
    if (!start)
        return thrd_nomem;
    pthread_t t;
    const int err = pthread_create(&t, nullptr, startC11Thread, start);
    if (err != 0) {
        delete start;
        return toThrd(err);
    }
    *thr = t;
    return thrd_success;
}

int thrd_join(thrd_t thr, int *res)
{
    void *ret = nullptr;
    const int err = pthread_join(thr, &ret);
    if (err == 0 && res)
        *res = static_cast<int>(reinterpret_cast<std::intptr_t>(ret));
    return toThrd(err);
}

int thrd_detach(thrd_t thr)
{
    return toThrd(pthread_detach(thr));
}

int mtx_init(mtx_t *mutex, int type)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, (type & mtx_recursive) ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_NORMAL);
    const int err = pthread_mutex_init(asPthread(mutex), &attr);
    pthread_mutexattr_destroy(&attr);
    return toThrd(err);
}

int mtx_lock(mtx_t *mutex)
{
    return toThrd(pthread_mutex_lock(asPthread(mutex)));
}

int mtx_trylock(mtx_t *mutex)
{
    return toThrd(pthread_mutex_trylock(asPthread(mutex)));
}

int mtx_timedlock(mtx_t *__restrict mutex, const struct timespec *__restrict timePoint)
{
    return toThrd(pthread_mutex_timedlock(asPthread(mutex), timePoint));
}

int mtx_unlock(mtx_t *mutex)
{
    return toThrd(pthread_mutex_unlock(asPthread(mutex)));
}

void mtx_destroy(mtx_t *mutex)
{
    pthread_mutex_destroy(asPthread(mutex));
}

int cnd_init(cnd_t *cond)
{
    return toThrd(pthread_cond_init(asPthread(cond), nullptr));
}

int cnd_signal(cnd_t *cond)
{
    return toThrd(pthread_cond_signal(asPthread(cond)));
}

int cnd_broadcast(cnd_t *cond)
{
    return toThrd(pthread_cond_broadcast(asPthread(cond)));
}

int cnd_wait(cnd_t *cond, mtx_t *mutex)
{
    return toThrd(pthread_cond_wait(asPthread(cond), asPthread(mutex)));
}

int cnd_timedwait(cnd_t *__restrict cond, mtx_t *__restrict mutex, const struct timespec *__restrict timePoint)
{
    return toThrd(pthread_cond_timedwait(asPthread(cond), asPthread(mutex), timePoint));
}

void cnd_destroy(cnd_t *cond)
{
    pthread_cond_destroy(asPthread(cond));
}

void call_once(once_flag *flag, void (*func)(void))
{
    pthread_once(reinterpret_cast<pthread_once_t *>(flag), func);
}

} // extern "C"
