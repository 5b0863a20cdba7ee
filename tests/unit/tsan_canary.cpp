// A deliberate data race across kpw::postCall, built only with KPW_TSAN:
// test tsan_canary passes when ThreadSanitizer reports it. It proves, on
// every run of scripts/test tsan, that the annotations in
// threads/TsanHandoff.h order only what postCall hands over, and that
// tests/tsan.supp does not hide a race in kpw code run from Qt's event loop.

#include "threads/CrossThread.h"

#include <QCoreApplication>
#include <QThread>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QThread thread;
    auto *receiver = new kpw::CallReceiver;
    receiver->moveToThread(&thread);
    QObject::connect(&thread, &QThread::finished, receiver, &QObject::deleteLater);
    thread.start();

    int handedOver = 1; // written before posting: ordered, no report
    int racy = 0;       // written after posting: a race with the call's read
    kpw::postCall(receiver, [&handedOver, &racy] { std::printf("read %d %d\n", handedOver, racy); });
    racy = 42;
    kpw::postCallAndWait(receiver, [] {});
    thread.quit();
    thread.wait();
    return 0;
}
