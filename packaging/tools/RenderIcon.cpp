// Build-time tool: renders the scalable SVG icon to a square PNG of a given size (hicolor theme).
// Not part of the application; the package ships its output, not this program.
#include <QCoreApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <cstdio>

int main(int argc, char* argv[]) {
  QCoreApplication app(argc, argv);  // raster painting into a QImage needs no display
  const QStringList args = app.arguments();
  if (args.size() != 4) {
    std::fprintf(stderr, "usage: sinkscope_render_icon ICON.svg SIZE_PX OUT.png\n");
    return 2;
  }
  bool sizeOk = false;
  const int sizePixels = args.at(2).toInt(&sizeOk);
  if (!sizeOk || sizePixels < 8 || sizePixels > 1024) {
    std::fprintf(stderr, "error: size '%s' is not a whole number in [8, 1024]\n", qPrintable(args.at(2)));
    return 2;
  }
  QSvgRenderer renderer(args.at(1));
  if (!renderer.isValid()) {
    std::fprintf(stderr, "error: %s: not a valid SVG\n", qPrintable(args.at(1)));
    return 3;
  }
  QImage image(sizePixels, sizePixels, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  renderer.render(&painter);
  painter.end();
  if (!image.save(args.at(3), "PNG")) {
    std::fprintf(stderr, "error: %s: cannot be written\n", qPrintable(args.at(3)));
    return 3;
  }
  return 0;
}
