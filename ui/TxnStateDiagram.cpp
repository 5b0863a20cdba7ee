#include "ui/TxnStateDiagram.h"

#include <QPainter>
#include <QPainterPath>
#include <QtMath>

#include <array>

namespace kpw {
namespace {

const QColor kAbortableColor(0xd9, 0x82, 0x1e);
const QColor kFatalColor(0xc6, 0x28, 0x28);

// Grid position (column, row) of each state, on a 4 x 3 grid:
//   UNINITIALIZED -> INITIALIZING -> READY
//                    ABORTING <-----/  ^ \-----> COMMITTING
//                    ABORTABLE_ERROR <- IN_TRANSACTION -> FATAL_ERROR
struct Cell
{
    TxnState state;
    qreal column;
    qreal row;
};
constexpr std::array<Cell, 8> kCells{{
    {TxnState::Uninitialized, 0, 0},
    {TxnState::Initializing, 1, 0},
    {TxnState::Ready, 2, 0},
    {TxnState::Aborting, 1, 1},
    {TxnState::Committing, 3, 1},
    {TxnState::AbortableError, 1, 2},
    {TxnState::InTransaction, 2, 2},
    {TxnState::FatalError, 3, 2},
}};
constexpr int kColumns = 4;
constexpr int kRows = 3;

struct Edge
{
    TxnState from;
    TxnState to;
    const char *label; // the call that takes it, or empty
};
constexpr std::array<Edge, 11> kEdges{{
    {TxnState::Uninitialized, TxnState::Initializing, "init"},
    {TxnState::Initializing, TxnState::Ready, ""},
    {TxnState::Ready, TxnState::InTransaction, "begin"},
    {TxnState::InTransaction, TxnState::Committing, "commit"},
    {TxnState::Committing, TxnState::Ready, ""},
    {TxnState::InTransaction, TxnState::Aborting, "abort"},
    {TxnState::Aborting, TxnState::Ready, ""},
    {TxnState::InTransaction, TxnState::AbortableError, "error"},
    {TxnState::AbortableError, TxnState::Aborting, "abort"},
    {TxnState::InTransaction, TxnState::FatalError, "fenced"},
    {TxnState::Committing, TxnState::FatalError, ""},
}};

QColor warningColor(TxnState state)
{
    if (state == TxnState::FatalError)
        return kFatalColor;
    if (state == TxnState::AbortableError)
        return kAbortableColor;
    return {};
}

// Where the segment from the centre of `box` towards `target` leaves the box.
QPointF exitPoint(const QRectF &box, const QPointF &target)
{
    const QPointF c = box.center();
    const QPointF d = target - c;
    if (qFuzzyIsNull(d.x()) && qFuzzyIsNull(d.y()))
        return c;
    const qreal sx = qFuzzyIsNull(d.x()) ? 1e9 : (box.width() / 2) / qAbs(d.x());
    const qreal sy = qFuzzyIsNull(d.y()) ? 1e9 : (box.height() / 2) / qAbs(d.y());
    return c + d * qMin(sx, sy);
}

} // namespace

TxnStateDiagram::TxnStateDiagram(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("txnStateDiagram"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setAccessibleName(tr("Transaction state machine"));
    setState(TxnState::Uninitialized);
}

void TxnStateDiagram::setState(TxnState state)
{
    if (state != m_state)
        m_previous = m_state;
    m_state = state;
    setAccessibleDescription(tr("Current state: %1").arg(txnStateName(state)));
    setToolTip(tr("The transactional producer's state machine; the current state is %1").arg(txnStateName(state)));
    update();
}

void TxnStateDiagram::setActive(bool active)
{
    m_active = active;
    update();
}

QSize TxnStateDiagram::minimumSizeHint() const
{
    const QFontMetrics fm(boxFont());
    const int boxWidth = fm.horizontalAdvance(QStringLiteral("ABORTABLE_ERROR")) + 16;
    return {kColumns * (boxWidth + 30) + 8, kRows * (fm.height() + 12) + (kRows - 1) * 24 + 8};
}

QSize TxnStateDiagram::sizeHint() const
{
    const QSize min = minimumSizeHint();
    return {min.width() + 60, min.height() + 40};
}

QFont TxnStateDiagram::boxFont() const
{
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.92);
    return f;
}

QRectF TxnStateDiagram::boxRect(TxnState state) const
{
    const QRectF area = QRectF(rect()).adjusted(4, 4, -4, -4);
    const qreal cellW = area.width() / kColumns;
    const qreal cellH = area.height() / kRows;
    const QFontMetrics fm(boxFont());
    // Gaps of at least 44 px leave room for the arrows' labels.
    const qreal boxW = qMin(cellW - 44, qreal(fm.horizontalAdvance(QStringLiteral("ABORTABLE_ERROR")) + 28));
    const qreal boxH = qMin(cellH - 18, qreal(fm.height() + 16));
    for (const Cell &cell : kCells) {
        if (cell.state != state)
            continue;
        const QPointF centre(area.left() + (cell.column + 0.5) * cellW, area.top() + (cell.row + 0.5) * cellH);
        return {centre.x() - boxW / 2, centre.y() - boxH / 2, boxW, boxH};
    }
    return {};
}

void TxnStateDiagram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    QColor line = text;
    line.setAlphaF(m_active ? 0.55f : 0.3f);

    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);

    // Arrows first, so the boxes sit on top of their ends.
    for (const Edge &edge : kEdges) {
        const QRectF a = boxRect(edge.from);
        const QRectF b = boxRect(edge.to);
        const QPointF start = exitPoint(a, b.center());
        const QPointF end = exitPoint(b, a.center());
        // The transition just taken is drawn like the state it led to.
        const bool taken = m_active && edge.to == m_state && edge.from == m_previous;
        QColor colour = taken ? pal.color(QPalette::Highlight) : line;
        if (edge.to == TxnState::FatalError || edge.to == TxnState::AbortableError)
            colour = taken ? warningColor(edge.to)
                           : QColor(warningColor(edge.to).red(), warningColor(edge.to).green(),
                                    warningColor(edge.to).blue(), m_active ? 150 : 80);
        QPen pen(colour, taken ? 2.2 : 1.3);
        if (edge.to == TxnState::FatalError || edge.to == TxnState::AbortableError)
            pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.drawLine(start, end);
        // Arrow head.
        const QLineF l(end, start);
        const qreal angle = qDegreesToRadians(l.angle());
        const qreal size = 8;
        const QPointF h1 = end + QPointF(qCos(angle + M_PI / 7) * size, -qSin(angle + M_PI / 7) * size);
        const QPointF h2 = end + QPointF(qCos(angle - M_PI / 7) * size, -qSin(angle - M_PI / 7) * size);
        p.setPen(Qt::NoPen);
        p.setBrush(colour);
        p.drawPolygon(QPolygonF({end, h1, h2}));
        if (edge.label[0] != '\0') {
            p.setFont(small);
            p.setPen(colour);
            const QPointF mid = (start + end) / 2;
            const QString label = QString::fromLatin1(edge.label);
            const QFontMetricsF fm(small);
            QRectF r(0, 0, fm.horizontalAdvance(label) + 6, fm.height());
            r.moveCenter(mid);
            // Labels sit beside the line, not on it.
            if (qFuzzyCompare(start.x(), end.x()))
                r.moveLeft(mid.x() + 4);
            else
                r.moveBottom(mid.y() - 1);
            p.drawText(r, Qt::AlignCenter, label);
        }
    }

    for (const Cell &cell : kCells) {
        const QRectF r = boxRect(cell.state);
        const bool current = m_active && cell.state == m_state;
        const QColor warn = warningColor(cell.state);
        QColor border = warn.isValid() ? warn : line;
        QColor fill = pal.color(QPalette::Base);
        QColor label = m_active ? text : pal.color(QPalette::Disabled, QPalette::WindowText);
        if (warn.isValid())
            label = m_active ? warn.darker(115) : warn.lighter(130);
        if (current) {
            fill = warn.isValid() ? warn : pal.color(QPalette::Highlight);
            label = warn.isValid() ? QColor(Qt::white) : pal.color(QPalette::HighlightedText);
            border = fill.darker(130);
        }
        p.setPen(QPen(border, current ? 2.5 : 1.2));
        p.setBrush(fill);
        p.drawRoundedRect(r, 6, 6);
        QFont f = boxFont();
        f.setBold(current);
        p.setFont(f);
        p.setPen(label);
        p.drawText(r, Qt::AlignCenter, txnStateName(cell.state));
    }
}

} // namespace kpw
