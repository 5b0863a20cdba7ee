#include "serde/RegistryResolve.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace kpw {

QString recordNameOf(const QString &schema, const QString &schemaType, const QString &messageType)
{
    const QString type = RegistryClient::normaliseSchemaType(schemaType);
    if (type == QLatin1StringView("AVRO")) {
        const auto o = QJsonDocument::fromJson(schema.toUtf8()).object();
        QString name = o.value(QStringLiteral("name")).toString(); // not const: returned by move
        if (name.isEmpty() || name.contains(QLatin1Char('.')))
            return name;
        const QString ns = o.value(QStringLiteral("namespace")).toString();
        return ns.isEmpty() ? name : ns + QLatin1Char('.') + name;
    }
    if (type == QLatin1StringView("JSON"))
        return QJsonDocument::fromJson(schema.toUtf8()).object().value(QStringLiteral("title")).toString();
    if (type == QLatin1StringView("PROTOBUF")) {
        static const QRegularExpression package(QStringLiteral(R"(^\s*package\s+([\w.]+)\s*;)"),
                                                QRegularExpression::MultilineOption);
        const QString pkg = package.match(schema).captured(1);
        QString message = messageType;
        if (message.isEmpty()) {
            // The first message declared at brace depth 0 (comments aside).
            static const QRegularExpression comments(QStringLiteral(R"(//[^\n]*|/\*.*?\*/)"),
                                                     QRegularExpression::DotMatchesEverythingOption);
            QString text = schema;
            text.remove(comments);
            static const QRegularExpression token(QStringLiteral(R"([{}]|\bmessage\s+(\w+))"));
            int depth = 0;
            for (auto it = token.globalMatch(text); it.hasNext();) {
                const auto m = it.next();
                if (m.captured(0) == QLatin1StringView("{"))
                    ++depth;
                else if (m.captured(0) == QLatin1StringView("}"))
                    --depth;
                else if (depth == 0) {
                    message = m.captured(1);
                    break;
                }
            }
        }
        if (message.isEmpty())
            return {};
        if (message.contains(QLatin1Char('.')) || pkg.isEmpty())
            return message;
        return pkg + QLatin1Char('.') + message;
    }
    return {};
}

Result<QList<int>> protobufMessageIndexes(const QString &protoText, const QString &messageType)
{
    if (messageType.isEmpty())
        return QList<int>{0};
    // Comments and string literals out, so braces and words in them do not count.
    static const QRegularExpression noise(
        QStringLiteral(R"(//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"),
        QRegularExpression::DotMatchesEverythingOption);
    QString text = protoText;
    text.replace(noise, QStringLiteral(" "));
    static const QRegularExpression package(QStringLiteral(R"(\bpackage\s+([\w.]+)\s*;)"));
    const QString pkg = package.match(text).captured(1);
    QString wanted = messageType;
    if (wanted.startsWith(QLatin1Char('.')))
        wanted.remove(0, 1);

    struct Scope
    {
        bool isMessage;
        QString name;     // full name (messages)
        QList<int> path;  // index path (messages)
        int children = 0; // messages declared directly inside
    };
    QList<Scope> stack{{true, pkg, {}, 0}}; // the file itself
    static const QRegularExpression token(QStringLiteral(R"(\bmessage\s+(\w+)\s*\{|\{|\})"));
    for (auto it = token.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        if (m.captured(0) == QLatin1StringView("}")) {
            if (stack.size() > 1)
                stack.removeLast();
            continue;
        }
        if (m.captured(1).isEmpty()) {
            stack.append({false, {}, {}, 0}); // enum, oneof, service, option value ...
            continue;
        }
        // The nearest enclosing message (or the file) owns this one.
        qsizetype owner = stack.size() - 1;
        while (owner > 0 && !stack[owner].isMessage)
            --owner;
        Scope child{true, {}, stack[owner].path, 0};
        child.path.append(stack[owner].children++);
        child.name = stack[owner].name.isEmpty() ? m.captured(1) : stack[owner].name + QLatin1Char('.') + m.captured(1);
        if (child.name == wanted || (!pkg.isEmpty() && child.name == pkg + QLatin1Char('.') + wanted))
            return child.path;
        stack.append(child);
    }
    return Error{-1, QStringLiteral("message type '%1' is not declared in the schema").arg(messageType)};
}

Result<ResolvedSchema> resolveSchemaSync(RegistryClient &client, const SchemaSelection &sel)
{
    ResolvedSchema out;
    if (sel.schemaId >= 0) {
        auto s = client.getSchemaByIdSync(sel.schemaId);
        if (!s)
            return s.error();
        out.id = sel.schemaId;
        out.schema = *s;
        return out;
    }
    QString subject = sel.subject;
    if (subject.isEmpty()) {
        QString record = sel.recordName;
        if (record.isEmpty() && !sel.localSchema.isEmpty())
            record = recordNameOf(sel.localSchema, sel.localSchemaType);
        auto name = subjectName(sel.strategy, sel.topic, sel.isKey, record);
        if (!name)
            return Error{-1, name.error().message +
                                 QStringLiteral(" (give the subject, or a schema file that names its record)")};
        subject = *name;
    }
    const QString type = sel.localSchemaType.isEmpty() ? QStringLiteral("AVRO") : sel.localSchemaType;
    if (sel.autoRegister) {
        if (sel.localSchema.isEmpty())
            return Error{-1, QStringLiteral("auto-register needs a schema file to register under '%1'").arg(subject)};
        auto id = client.registerSchemaSync(subject, sel.localSchema, type, sel.references);
        if (!id)
            return id.error();
        out.id = *id;
        out.subject = subject;
        out.schema.id = *id;
        out.schema.subject = subject;
        out.schema.schema = sel.localSchema;
        out.schema.schemaType = RegistryClient::normaliseSchemaType(type);
        out.schema.references = sel.references;
        return out;
    }
    if (!sel.localSchema.isEmpty()) {
        auto s = client.lookupSchemaSync(subject, sel.localSchema, type, sel.references);
        if (!s) {
            Error e = s.error();
            if (e.code == 404)
                e.message += QStringLiteral(" (the schema file is not registered under '%1'; register it or use "
                                            "auto-register)")
                                 .arg(subject);
            return e;
        }
        out.id = s->id;
        out.subject = subject;
        out.version = s->version;
        out.schema = *s;
        return out;
    }
    auto s = client.getSchemaSync(subject, sel.version.isEmpty() ? QStringLiteral("latest") : sel.version);
    if (!s)
        return s.error();
    out.id = s->id;
    out.subject = subject;
    out.version = s->version;
    out.schema = *s;
    if (out.id < 0)
        return Error{-1, QStringLiteral("the registry's answer for subject '%1' has no schema id").arg(subject)};
    return out;
}

} // namespace kpw
