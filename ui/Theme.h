#pragma once

#include <QString>

class QsciScintilla;

namespace kpw::theme {

// The window's palette: the system's choice (dark when the desktop prefers
// dark: the platform palette is dark, GTK_THEME ends in ":dark", or GNOME's
// color-scheme is 'prefer-dark'), or light or dark whatever the system says.
enum class Choice { System, Light, Dark };

Choice fromString(const QString &name); // "system" (also unknown), "light", "dark"
QString toString(Choice choice);

// Whether the desktop asks for dark (see above). Asks gsettings at most once.
bool systemPrefersDark();

// Applies CHOICE to the application (Fusion style with a light or dark
// palette) and restyles every code editor. Call once the QApplication exists.
void apply(Choice choice);
bool isDark();

// Colours a QScintilla editor (and its lexer) for the current palette: paper,
// text, margins, caret line, brace matching and, for JSON and Protobuf, the
// syntax colours. Call after setLexer(); apply() calls it on every editor.
void styleEditor(QsciScintilla *editor);

} // namespace kpw::theme
