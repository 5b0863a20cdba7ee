#include "ui/Theme.h"

#include "ui/QsciIncludes.h"

#include <QApplication>
#include <QLabel>
#include <QPalette>
#include <QProcess>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>
#include <QWidget>

#include <optional>

namespace kpw::theme {

namespace {

std::optional<QPalette> g_systemPalette; // the platform's, before we touch it
bool g_dark = false;

bool paletteIsDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80), highlight(0x35, 0x74, 0xf0);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
    p.setColor(QPalette::ToolTipBase, QColor(0x3c, 0x3f, 0x44));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3c));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x52));
    p.setColor(QPalette::Midlight, QColor(0x3e, 0x41, 0x46));
    p.setColor(QPalette::Mid, QColor(0x8c, 0x8f, 0x94)); // muted text ("palette(mid)") stays readable
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, QColor(0x0c, 0x0c, 0x0c));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb3, 0x8c, 0xff));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

} // namespace

Choice fromString(const QString &name)
{
    if (name == QLatin1StringView("light"))
        return Choice::Light;
    if (name == QLatin1StringView("dark"))
        return Choice::Dark;
    return Choice::System;
}

QString toString(Choice choice)
{
    switch (choice) {
    case Choice::Light: return QStringLiteral("light");
    case Choice::Dark: return QStringLiteral("dark");
    case Choice::System: break;
    }
    return QStringLiteral("system");
}

bool systemPrefersDark()
{
    static std::optional<bool> cached;
    if (cached)
        return *cached;
    bool dark = g_systemPalette ? paletteIsDark(*g_systemPalette) : paletteIsDark(QApplication::palette());
    if (!dark && qEnvironmentVariable("GTK_THEME").endsWith(QLatin1StringView(":dark"), Qt::CaseInsensitive))
        dark = true;
    if (!dark && !QStandardPaths::findExecutable(QStringLiteral("gsettings")).isEmpty() &&
        !qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) {
        QProcess gsettings;
        gsettings.start(
            QStringLiteral("gsettings"),
            {QStringLiteral("get"), QStringLiteral("org.gnome.desktop.interface"), QStringLiteral("color-scheme")});
        if (gsettings.waitForFinished(1000) && gsettings.exitCode() == 0)
            dark = gsettings.readAllStandardOutput().contains("prefer-dark");
        else
            gsettings.kill();
    }
    cached = dark;
    return dark;
}

void apply(Choice choice)
{
    if (!g_systemPalette)
        g_systemPalette = QApplication::palette();
    g_dark = choice == Choice::Dark || (choice == Choice::System && systemPrefersDark());
    if (QStyle *fusion = QStyleFactory::create(QStringLiteral("Fusion")))
        QApplication::setStyle(fusion);
    if (g_dark)
        QApplication::setPalette(darkPalette());
    else if (choice == Choice::System && !paletteIsDark(*g_systemPalette))
        QApplication::setPalette(*g_systemPalette);
    else
        QApplication::setPalette(QApplication::style()->standardPalette());
    for (QWidget *top : QApplication::topLevelWidgets()) {
        for (QsciScintilla *editor : top->findChildren<QsciScintilla *>())
            styleEditor(editor);
        // A label's rich text keeps the link colour it was laid out with:
        // lay it out again for the new palette.
        for (QLabel *label : top->findChildren<QLabel *>())
            if (label->text().contains(QLatin1StringView("<a ")))
                label->setText(label->text());
    }
}

bool isDark()
{
    return g_dark;
}

void styleEditor(QsciScintilla *editor)
{
    const QPalette palette = QApplication::palette();
    const QColor paper = palette.color(QPalette::Base);
    const QColor ink = palette.color(QPalette::Text);
    const QColor margin = g_dark ? QColor(0x26, 0x28, 0x2c) : QColor(0xf3, 0xf4, 0xf6);
    editor->setMarginsBackgroundColor(margin);
    editor->setMarginsForegroundColor(g_dark ? QColor(0x7d, 0x82, 0x8a) : QColor(0x8a, 0x8f, 0x98));
    editor->setFoldMarginColors(margin, margin);
    editor->setCaretForegroundColor(ink);
    editor->setCaretLineBackgroundColor(g_dark ? QColor(0x2a, 0x2d, 0x33) : QColor(0xf5, 0xf8, 0xff));
    editor->setMatchedBraceBackgroundColor(g_dark ? QColor(0x2f, 0x5a, 0x3a) : QColor(0xcd, 0xe8, 0xd0));
    editor->setUnmatchedBraceForegroundColor(g_dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc0, 0x1c, 0x28));
    editor->setSelectionBackgroundColor(palette.color(QPalette::Highlight));
    editor->setSelectionForegroundColor(palette.color(QPalette::HighlightedText));
    editor->setPaper(paper);
    editor->setColor(ink);

    QsciLexer *lexer = editor->lexer();
    if (!lexer)
        return;
    lexer->setDefaultPaper(paper);
    lexer->setPaper(paper, -1);
    lexer->setDefaultColor(ink);
    // Syntax colours that stay readable on either paper: one per role,
    // shared by the JSON and the Protobuf (C-like) lexers.
    const auto pick = [](QColor light, QColor dark) { return g_dark ? dark : light; };
    const QColor name = pick(QColor(0x1f, 0x4e, 0x9c), QColor(0x7c, 0xb7, 0xff));
    const QColor text = pick(QColor(0x0b, 0x6e, 0x2a), QColor(0x9c, 0xdc, 0x8a));
    const QColor number = pick(QColor(0x9a, 0x4d, 0x00), QColor(0xf0, 0xb2, 0x6b));
    const QColor keyword = pick(QColor(0x7a, 0x1f, 0xa2), QColor(0xd2, 0x9b, 0xf5));
    const QColor error = pick(QColor(0xc0, 0x1c, 0x28), QColor(0xff, 0x6b, 0x6b));
    const QColor comment = pick(QColor(0x6a, 0x73, 0x7d), QColor(0x8b, 0x94, 0x9e));
    if (qobject_cast<QsciLexerJSON *>(lexer)) {
        for (int style : {QsciLexerJSON::Default, QsciLexerJSON::Operator})
            lexer->setColor(ink, style);
        lexer->setColor(name, QsciLexerJSON::Property);
        lexer->setColor(text, QsciLexerJSON::String);
        lexer->setColor(number, QsciLexerJSON::Number);
        lexer->setColor(keyword, QsciLexerJSON::Keyword);
        for (int style : {QsciLexerJSON::UnclosedString, QsciLexerJSON::Error})
            lexer->setColor(error, style);
    } else if (qobject_cast<QsciLexerCPP *>(lexer)) {
        for (int style : {QsciLexerCPP::Default, QsciLexerCPP::Identifier, QsciLexerCPP::Operator})
            lexer->setColor(ink, style);
        lexer->setColor(name, QsciLexerCPP::Keyword);
        lexer->setColor(keyword, QsciLexerCPP::KeywordSet2);
        for (int style : {QsciLexerCPP::DoubleQuotedString, QsciLexerCPP::SingleQuotedString})
            lexer->setColor(text, style);
        lexer->setColor(number, QsciLexerCPP::Number);
        for (int style : {QsciLexerCPP::Comment, QsciLexerCPP::CommentLine, QsciLexerCPP::CommentDoc})
            lexer->setColor(comment, style);
    }
}

} // namespace kpw::theme
