#pragma once

#include <QWidget>

namespace kpw {

class SerdePicker;

// The key's and the value's serializer pickers side by side: the
// composer's "Formats" tab.
class SerdePanel final : public QWidget
{
    Q_OBJECT

public:
    explicit SerdePanel(QWidget *parent = nullptr);

    SerdePicker *keyPicker() const { return m_key; }
    SerdePicker *valuePicker() const { return m_value; }

private:
    SerdePicker *m_key = nullptr;
    SerdePicker *m_value = nullptr;
};

} // namespace kpw
