#pragma once

#include <QColor>
#include <QList>
#include <QWidget>

namespace kpw {

// A small line chart drawn with QPainter (no Qt Charts): one or more series
// of the latest samples, scaled to the largest value shown, newest on the
// right. Used by the MetricsBar for records/s and latency over the last
// minutes.
class Sparkline final : public QWidget
{
    Q_OBJECT

public:
    explicit Sparkline(int capacity, QWidget *parent = nullptr);

    // Adds a series drawn in `color`; returns its index.
    int addSeries(const QString &name, const QColor &color);
    void append(int series, double value);
    void clear();

    int capacity() const { return m_capacity; }
    const QList<double> &samples(int series) const { return m_series.at(series).values; }
    double maximum() const;

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Series
    {
        QString name;
        QColor color;
        QList<double> values;
    };
    int m_capacity;
    QList<Series> m_series;
};

} // namespace kpw
