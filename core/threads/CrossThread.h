#pragma once

#include <QObject>

#include <functional>

namespace kpw {

// A QObject that accepts postCall(): the call runs on the thread this object
// lives on, from its event loop. Derive from it (instead of QObject), or keep
// one as a child when the class already has another base (a widget).
class CallReceiver : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

protected:
    bool event(QEvent *e) override;
};

// Runs fn on receiver's thread, from its event loop, after the events
// already posted to it: what QMetaObject::invokeMethod(receiver, fn,
// Qt::QueuedConnection) does. Callable from any thread. If the receiver is
// destroyed first, fn is destroyed without running (on the destroying thread).
//
// Why not invokeMethod: the producer, replay and admin clients (and kpw-cli
// produce) cross threads only through here, so the hand-over can be told to
// ThreadSanitizer (see
// TsanHandoff.h). Qt's queue is invisible to it: a value built on one thread
// and read on the other would be reported as a race. Here the call's event,
// with every captured value, is complete before it is posted, so one
// release/acquire pair covers all of it; Qt's own queued call allocates its
// event after the last point our code could annotate.
void postCall(CallReceiver *receiver, std::function<void()> fn);

// postCall, then waits until fn has run (or was dropped with its receiver):
// BlockingQueuedConnection. Never on the receiver's own thread (deadlock).
void postCallAndWait(CallReceiver *receiver, std::function<void()> fn);

} // namespace kpw
