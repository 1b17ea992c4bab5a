// Build-time tool: writes the sinkscope(1) man page from the program's own --help texts, so the
// page follows the code. Not part of the application; the package ships its output only.
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>
#include <QTextStream>
#include <cstdio>

namespace {

struct HelpRun {
  int exitCode = -1;
  QString text;
};

HelpRun runHelp(const QString& program, const QStringList& arguments) {
  QProcess process;
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  process.setProcessEnvironment(environment);
  process.start(program, arguments);
  if (!process.waitForFinished(60000)) return {};
  // QCommandLineParser's usage line names the program by its full path: the page says "sinkscope".
  QString text = QString::fromUtf8(process.readAllStandardOutput());
  for (const QString& path : {program, QFileInfo(program).canonicalFilePath()})
    if (!path.isEmpty()) text.replace(path, QStringLiteral("sinkscope"));
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, text};
}

// roff: backslashes, minus signs (so options copy as ASCII '-'), and control characters at line start.
QString escaped(QString text) {
  text.replace(QLatin1Char('\\'), QStringLiteral("\\e")).replace(QLatin1Char('-'), QStringLiteral("\\-"));
  if (text.startsWith(QLatin1Char('.')) || text.startsWith(QLatin1Char('\'')))
    text.prepend(QStringLiteral("\\&"));
  return text;
}

// The commands listed in the top-level help: indented lines after the "Commands" heading.
QStringList commandNames(const QString& topHelp) {
  QStringList names;
  bool inCommands = false;
  for (const QString& line : topHelp.split(QLatin1Char('\n'))) {
    if (line.contains(QLatin1String("Commands")) && !line.startsWith(QLatin1Char(' '))) {
      inCommands = true;
    } else if (inCommands && line.trimmed().isEmpty()) {
      break;
    } else if (inCommands && line.startsWith(QLatin1String("  "))) {
      names << line.trimmed().section(QLatin1Char(' '), 0, 0);
    }
  }
  return names;
}

// Turns a --help text into roff: indented "term  description" rows become tagged paragraphs,
// deeper-indented lines continue the row above, blank lines start a new paragraph.
QString helpToRoff(const QString& help) {
  static const QRegularExpression row(QStringLiteral("^  (\\S+(?: \\S+)*)(?: {2,}(\\S.*))?$"));
  static const QRegularExpression continuation(QStringLiteral("^ {3,}(\\S.*)$"));
  QString roff;
  bool inRow = false;
  for (const QString& line : help.split(QLatin1Char('\n'))) {
    QRegularExpressionMatch match;
    if (line.trimmed().isEmpty()) {
      roff += QStringLiteral(".PP\n");
      inRow = false;
    } else if (inRow && (match = continuation.match(line)).hasMatch()) {
      roff += escaped(match.captured(1)) + QLatin1Char('\n');
    } else if ((match = row.match(line)).hasMatch()) {
      roff += QStringLiteral(".TP\n\\fB") + escaped(match.captured(1)) + QStringLiteral("\\fR\n");
      if (!match.captured(2).isEmpty()) roff += escaped(match.captured(2)) + QLatin1Char('\n');
      inRow = true;
    } else if (line.startsWith(QLatin1String("Usage:"))) {
      roff += QStringLiteral(".PP\n\\fB") + escaped(line) + QStringLiteral("\\fR\n.br\n");
      inRow = false;
    } else {
      if (inRow) roff += QStringLiteral(".PP\n");
      roff += escaped(line.trimmed()) + QLatin1Char('\n');
      inRow = false;
    }
  }
  return roff;
}

}  // namespace

int main(int argc, char* argv[]) {
  QCoreApplication app(argc, argv);
  const QStringList args = app.arguments();
  if (args.size() != 5) {
    std::fprintf(stderr, "usage: sinkscope_man_page SINKSCOPE_EXECUTABLE VERSION DATE OUT.1\n");
    return 2;
  }
  const QString program = args.at(1);
  const HelpRun top = runHelp(program, {QStringLiteral("--help")});
  if (top.exitCode != 0 || top.text.isEmpty()) {
    std::fprintf(stderr, "error: '%s --help' failed (exit %d)\n", qPrintable(program), top.exitCode);
    return 3;
  }
  QString page = QStringLiteral(".TH SINKSCOPE 1 \"%1\" \"SinkScope %2\" \"User Commands\"\n")
                     .arg(args.at(3), args.at(2));
  page += QStringLiteral(".SH NAME\nsinkscope \\- long\\-context attention analyzer\n");
  page += QStringLiteral(".SH SYNOPSIS\n.B sinkscope\n[\\fICOMMAND\\fR] [\\fIOPTIONS\\fR]\n");
  QString description = top.text;
  if (description.startsWith(QLatin1String("Usage:")))
    description = description.section(QLatin1Char('\n'), 1);
  page += QStringLiteral(".SH DESCRIPTION\n") + helpToRoff(description);
  page += QStringLiteral(".SH COMMANDS\nEach command runs without a display.\n");
  for (const QString& name : commandNames(top.text)) {
    const HelpRun help = runHelp(program, {name, QStringLiteral("--help")});
    page += QStringLiteral(".SS \"sinkscope %1\"\n").arg(name);
    if (help.exitCode == 0 && !help.text.trimmed().isEmpty()) {
      page += helpToRoff(help.text);
    } else {
      std::fprintf(stderr, "warning: 'sinkscope %s --help' failed (exit %d); its section says so\n",
                   qPrintable(name), help.exitCode);
      page += QStringLiteral("This build of sinkscope has no help text for this command.\n");
    }
  }
  page += QStringLiteral(".SH EXIT STATUS\n0 success, 2 usage error, 3 bad input, 4 internal failure.\n");
  QFile file(args.at(4));
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(page.toUtf8()) < 0) {
    std::fprintf(stderr, "error: %s: cannot be written\n", qPrintable(args.at(4)));
    return 3;
  }
  return 0;
}
