#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png from the app itself: the default scenario (Mistral 7B at
# 32K on an H100 80 GB, baseline vs NTK), one PNG per tab plus compare/single variants; and
# docs/report-page1.png, the first page of that scenario's PDF report (pdftoppm, poppler-utils).
# Usage: docs/update-screenshots.sh [BUILD_DIR]   (default: build; built first if needed)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
if [ ! -x "$build/app/sinkscope" ]; then
  SINKSCOPE_BUILD_TARGET=sinkscope "$root/scripts/setup.sh" "$build"
fi
out="$root/docs/screenshots"
mkdir -p "$out"
# The Measured tab opens this checkpoint when present (the real stories260K model, trained at 512).
# A path relative to the checkout, so the screenshot shows no machine-specific folder.
cd "$root"
sample="../shared/models/stories260K.gguf"
[ -f "$sample" ] && export SINKSCOPE_SAMPLE_GGUF="$sample"
# Offscreen rendering needs no display; the window is grabbed with QWidget::grab().
QT_QPA_PLATFORM=offscreen "$build/app/sinkscope" --screenshots "$out"
pdf=$(mktemp --suffix=.pdf)
rm -f "$pdf"
trap 'rm -f "$pdf"' EXIT
QT_QPA_PLATFORM=offscreen "$build/app/sinkscope" report --model mistral-7b-v0.1 --hardware h100-sxm-80gb --context 32768 --out "$pdf" >/dev/null
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$pdf" "$root/docs/report-page1"
echo "screenshots in $out; report page 1 in $root/docs/report-page1.png"
