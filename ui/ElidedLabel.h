#pragma once

#include <QLabel>

namespace kpw {

// A one-line label for a path or a long line in a narrow column: shows as
// much as fits with an ellipsis (in the middle by default: the end of a path
// is the part that tells folders apart) and keeps the whole text in
// fullText() and, unless the label has a tooltip of its own, in its tooltip.
// QLabel alone cuts the text at the edge with no sign it was cut.
class ElidedLabel final : public QLabel
{
    Q_OBJECT

public:
    explicit ElidedLabel(QWidget *parent = nullptr, Qt::TextElideMode mode = Qt::ElideMiddle);

    // With OWNTOOLTIP the tooltip is left alone (the caller sets one that
    // explains the line rather than repeats it).
    void setFullText(const QString &text, bool ownTooltip = false);
    QString fullText() const { return m_full; }

    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void refresh();

    QString m_full;
    Qt::TextElideMode m_mode;
};

} // namespace kpw
