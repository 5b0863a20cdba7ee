#include "ui/Sparkline.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace kpw {

Sparkline::Sparkline(int capacity, QWidget *parent) : QWidget(parent), m_capacity(std::max(2, capacity))
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

int Sparkline::addSeries(const QString &name, const QColor &color)
{
    m_series.append(Series{name, color, {}});
    return int(m_series.size() - 1);
}

void Sparkline::append(int series, double value)
{
    QList<double> &values = m_series[series].values;
    values.append(std::max(0.0, value));
    if (values.size() > m_capacity)
        values.remove(0, values.size() - m_capacity);
    update();
}

void Sparkline::clear()
{
    for (Series &series : m_series)
        series.values.clear();
    update();
}

double Sparkline::maximum() const
{
    double max = 0;
    for (const Series &series : m_series)
        for (double v : series.values)
            max = std::max(max, v);
    return max;
}

QSize Sparkline::sizeHint() const
{
    return {120, std::max(18, fontMetrics().height())};
}

void Sparkline::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF area = QRectF(rect()).adjusted(1, 2, -1, -2);
    QColor frame = palette().color(QPalette::Mid);
    frame.setAlpha(90);
    painter.setPen(frame);
    painter.drawLine(area.bottomLeft(), area.bottomRight());
    const double max = maximum();
    if (max <= 0)
        return;
    const double step = area.width() / double(m_capacity - 1);
    for (const Series &series : m_series) {
        if (series.values.size() < 2)
            continue;
        QPainterPath path;
        // Newest on the right edge; older samples to the left.
        const qsizetype offset = m_capacity - series.values.size();
        for (qsizetype i = 0; i < series.values.size(); ++i) {
            const QPointF point(area.left() + double(offset + i) * step,
                                area.bottom() - series.values.at(i) / max * area.height());
            if (i == 0)
                path.moveTo(point);
            else
                path.lineTo(point);
        }
        painter.setPen(QPen(series.color, 1.3));
        painter.drawPath(path);
    }
}

} // namespace kpw
