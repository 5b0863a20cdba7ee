#pragma once

#include "serde/Serializer.h"

#include <QList>

#include <functional>
#include <memory>
#include <optional>

namespace kpw::serde {

// A JSON Schema validator built on valijson. valijson 1.0 implements drafts
// 3, 4 and 7; draft 6 schemas are read with the draft 7 rules (6 is a subset
// of 7 apart from nothing valijson checks), and 2019-09 / 2020-12 schemas with
// the draft 7 rules too, so their new keywords ($defs references aside) are
// not enforced. The draft comes from "$schema" unless one is forced.
class JsonSchemaValidator
{
public:
    enum class Draft { Auto, Draft3, Draft4, Draft6, Draft7, Draft2019_09, Draft2020_12 };
    // Fetches a document a "$ref" names by URI (without its fragment);
    // nullopt when it cannot.
    using Fetch = std::function<std::optional<QByteArray>(const QString &uri)>;

    ~JsonSchemaValidator();

    static SerdeResult<std::shared_ptr<const JsonSchemaValidator>> create(const QByteArray &schemaJson,
                                                                          Draft draft = Draft::Auto, Fetch fetch = {});

    // Every violation (path and reason); empty when the document is valid.
    // A JSON syntax error comes back as the only entry, with line and column.
    QList<SerdeError> validate(QByteArrayView json) const;

    Draft draft() const;
    // "draft-07" etc.: what the schema was read as.
    QString draftName() const;

    struct Impl;

private:
    explicit JsonSchemaValidator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace kpw::serde
