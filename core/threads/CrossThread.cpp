#include "threads/CrossThread.h"

#include "threads/TsanHandoff.h"

#include <QCoreApplication>
#include <QEvent>
#include <QThread>

#include <condition_variable>
#include <memory>
#include <mutex>

namespace kpw {

namespace {

QEvent::Type callEventType()
{
    static const auto type = static_cast<QEvent::Type>(QEvent::registerEventType());
    return type;
}

class CallEvent final : public QEvent
{
public:
    explicit CallEvent(std::function<void()> fn) : QEvent(callEventType()), m_fn(std::move(fn)) {}
    // Also when the receiver was destroyed first: the captures are destroyed
    // here, on that thread, and were written on the posting one.
    ~CallEvent() override { tsan::acquire(this); }

    void run() { m_fn(); } // CallReceiver::event acquired

private:
    std::function<void()> m_fn;
};

// Opened when the last copy of its holder goes, i.e. when the call's event is
// destroyed: after the call ran, or unrun with its receiver.
struct Latch
{
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;

    void wait()
    {
        std::unique_lock lock(mutex);
        cv.wait(lock, [this] { return open; });
    }
};

struct OpenOnDestroy
{
    std::shared_ptr<Latch> latch;
    ~OpenOnDestroy()
    {
        {
            std::lock_guard lock(latch->mutex);
            latch->open = true;
        }
        latch->cv.notify_all();
    }
};

} // namespace

bool CallReceiver::event(QEvent *e)
{
    // Before reading the event: a CallEvent was written on the posting thread.
    tsan::acquire(e);
    if (e->type() == callEventType()) {
        static_cast<CallEvent *>(e)->run();
        return true;
    }
    return QObject::event(e);
}

void postCall(CallReceiver *receiver, std::function<void()> fn)
{
    auto *event = new CallEvent(std::move(fn));
    // Everything this thread wrote so far, the event and its captures
    // included, happens before the call runs (Qt's queue guarantees it; this
    // tells ThreadSanitizer).
    tsan::release(event);
#ifdef KPW_TSAN_ANNOTATIONS
    // Two threads posting to one thread grow that thread's event list (a
    // realloc inside Qt) one after the other under Qt's mutex, a futex TSan
    // cannot see; this lock shows it the same order. TSan builds only.
    static std::mutex postOrder;
    std::lock_guard lock(postOrder);
#endif
    QCoreApplication::postEvent(receiver, event);
}

void postCallAndWait(CallReceiver *receiver, std::function<void()> fn)
{
    Q_ASSERT(receiver->thread() != QThread::currentThread());
    auto latch = std::make_shared<Latch>();
    auto opener = std::shared_ptr<OpenOnDestroy>(new OpenOnDestroy{latch});
    postCall(receiver, [fn = std::move(fn), opener = std::move(opener)] { fn(); });
    latch->wait();
}

} // namespace kpw
