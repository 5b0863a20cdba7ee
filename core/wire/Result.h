#pragma once

#include <QMetaType>
#include <QString>

#include <cstdint>
#include <utility>
#include <variant>

namespace kpw {

// An error as a value: a Kafka (or client-side) error code from KafkaError
// plus a message for a person.
struct Error
{
    std::int16_t code = -1;
    QString message;
};

// Either a value or an Error (std::expected is C++23; this is the part we use).
template <typename T> class Result final
{
public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error error) : m_v(std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T &value() { return std::get<0>(m_v); }
    const T &value() const { return std::get<0>(m_v); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() { return value(); }
    const T &operator*() const { return value(); }
    const Error &error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

} // namespace kpw

Q_DECLARE_METATYPE(kpw::Error)
