#include "ui/SerdePanel.h"

#include "ui/SerdePicker.h"

#include <QHBoxLayout>
#include <QSplitter>

namespace kpw {

SerdePanel::SerdePanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("serdePanel"));
    m_key = new SerdePicker(tr("Key"), this);
    m_value = new SerdePicker(tr("Value"), this);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("serdeSplitter"));
    split->setChildrenCollapsible(false);
    split->addWidget(m_key);
    split->addWidget(m_value);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
}

} // namespace kpw
