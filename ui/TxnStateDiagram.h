#pragma once

#include "producer/Transaction.h"

#include <QWidget>

namespace kpw {

// The transactional producer's state machine, painted: the eight states as
// boxes, the legal transitions as labelled arrows, the current state filled.
// ABORTABLE_ERROR and FATAL_ERROR are drawn in warning colours. Read-only;
// the panel feeds it TxnStatus::state.
class TxnStateDiagram final : public QWidget
{
    Q_OBJECT
    Q_PROPERTY(QString stateName READ stateName)

public:
    explicit TxnStateDiagram(QWidget *parent = nullptr);

    TxnState state() const { return m_state; }
    QString stateName() const { return txnStateName(m_state); }
    void setState(TxnState state);
    // Greys the diagram out (no transactional producer running).
    void setActive(bool active);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QFont boxFont() const;
    QRectF boxRect(TxnState state) const;

    TxnState m_state = TxnState::Uninitialized;
    TxnState m_previous = TxnState::Uninitialized;
    bool m_active = false;
};

} // namespace kpw
