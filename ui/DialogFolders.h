// Where file dialogs open: the folder last used for the same purpose (remembered in QSettings),
// else the user's Documents folder, never the program's working folder. Not a dialog itself.
#pragma once

#include <QString>

namespace sinkscope::ui {

// The purposes that remember separate folders.
enum class DialogPurpose { Import, Measure, Export, Scenario };

// The folder a dialog for `purpose` starts in; with fileName, that name inside it.
QString dialogStartPath(DialogPurpose purpose, const QString& fileName = QString());
// Remembers the folder of a path the user chose (empty paths, a cancelled dialog, are ignored).
void rememberDialogFolder(DialogPurpose purpose, const QString& chosenPath);

}  // namespace sinkscope::ui
