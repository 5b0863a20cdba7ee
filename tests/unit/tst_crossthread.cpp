// kpw::postCall / postCallAndWait (core/threads/CrossThread.h), the one way
// the producer, replay and admin clients hand work to another thread: the
// call runs on the receiver's thread, in posting order, from any number of
// posting threads; a call to a receiver destroyed first is dropped, not run.
// Labelled "threads": scripts/test tsan runs it under ThreadSanitizer.

#include "threads/CrossThread.h"

#include <QList>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace kpw;

namespace {

// A receiver on a thread of its own, stopped and joined by the destructor.
struct Worker
{
    QThread thread;
    CallReceiver *receiver = new CallReceiver;

    Worker()
    {
        receiver->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, receiver, &QObject::deleteLater);
        thread.start();
    }
    ~Worker()
    {
        thread.quit();
        thread.wait();
    }
};

} // namespace

class TstCrossThread final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsOnTheReceiversThreadInOrder();
    void manyPostingThreads();
    void valuesCrossBothWays();
    void droppedWithItsReceiver();
};

void TstCrossThread::runsOnTheReceiversThreadInOrder()
{
    Worker w;
    QList<int> seen; // written only by the worker's thread until the wait below
    QThread *ranOn = nullptr;
    for (int i = 0; i < 1000; ++i)
        postCall(w.receiver, [&seen, &ranOn, i] {
            ranOn = QThread::currentThread();
            seen.append(i);
        });
    postCallAndWait(w.receiver, [] {});
    QCOMPARE(ranOn, &w.thread);
    QCOMPARE(seen.size(), 1000);
    for (int i = 0; i < 1000; ++i)
        QCOMPARE(seen[i], i);
}

void TstCrossThread::manyPostingThreads()
{
    Worker w;
    constexpr int threads = 4;
    constexpr int perThread = 500;
    QList<QList<int>> seen(threads); // the worker's thread only, until the wait below
    QList<QThread *> posters;
    for (int t = 0; t < threads; ++t)
        posters.append(QThread::create([&w, &seen, t] {
            for (int i = 0; i < perThread; ++i)
                postCall(w.receiver, [&seen, t, i] { seen[t].append(i); });
        }));
    for (auto *p : posters)
        p->start();
    for (auto *p : posters) {
        QVERIFY(p->wait(30000));
        delete p;
    }
    postCallAndWait(w.receiver, [] {});
    for (int t = 0; t < threads; ++t) {
        QCOMPARE(seen[t].size(), perThread);
        for (int i = 0; i < perThread; ++i)
            QCOMPARE(seen[t][i], i); // each poster's order is kept
    }
}

void TstCrossThread::valuesCrossBothWays()
{
    // A list built here is read and answered there; the answer, built
    // there, is read here: the pattern of records out and reports back.
    Worker w;
    CallReceiver home;
    QList<QByteArray> answer;
    bool answered = false;
    QList<QByteArray> question;
    for (int i = 0; i < 100; ++i)
        question.append(QByteArray::number(i));
    CallReceiver *back = &home;
    postCall(w.receiver, [back, &answer, &answered, question = std::move(question)] {
        QList<QByteArray> out;
        for (const auto &q : question)
            out.append(q + "!");
        postCall(back, [&answer, &answered, out = std::move(out)] {
            answer = out;
            answered = true;
        });
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, 10000);
    QCOMPARE(answer.size(), 100);
    QCOMPARE(answer.last(), QByteArray("99!"));
}

void TstCrossThread::droppedWithItsReceiver()
{
    // The receiver is deleted before its loop runs the call: the call is
    // destroyed (its captures released) but never run.
    auto *receiver = new CallReceiver;
    std::atomic<bool> ran{false};
    auto token = std::make_shared<int>(7);
    std::weak_ptr<int> watch = token;
    postCall(receiver, [&ran, token = std::move(token)] { ran = true; });
    QVERIFY(!watch.expired());
    delete receiver;
    QVERIFY(watch.expired());
    QCoreApplication::processEvents();
    QVERIFY(!ran);
}

QTEST_GUILESS_MAIN(TstCrossThread)
#include "tst_crossthread.moc"
