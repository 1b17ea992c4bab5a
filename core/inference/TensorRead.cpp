#include "inference/TensorRead.h"

#include "common/Error.h"
#include "inference/TensorTypes.h"

namespace sinkscope {

bool ggmlTypeCanDequantize(GgmlType type) {
  return tensorTypeTraits(type) != nullptr;
}

namespace {

void requireRows(const GgufFile& file, const GgufTensorInfo& info, qint64 firstRow, qint64 rows) {
  if (firstRow < 0 || rows < 0 || firstRow > info.rowCount() || rows > info.rowCount() - firstRow)
    throwBadInput(file.source(), QStringLiteral("tensor '%1'").arg(info.name),
                  QStringLiteral("rows [%1, %2) outside 0..%3")
                      .arg(firstRow)
                      .arg(firstRow + rows)
                      .arg(info.rowCount()));
}

const std::byte* rowStart(const GgufFile& file, const GgufTensorInfo& info, const TensorTypeTraits& traits,
                          qint64 row) {
  return file.tensorBytes(info).data() + quint64(row) * quint64(traits.rowBytes(info.rowLength()));
}

}  // namespace

void dequantizeRows(const GgufFile& file, const GgufTensorInfo& info, qint64 firstRow, qint64 rows,
                    float* out) {
  const TensorTypeTraits* traits = tensorTypeTraits(info.type);
  if (!traits)
    throwBadInput(file.source(), QStringLiteral("tensor '%1' type").arg(info.name),
                  QStringLiteral("%1 is not supported for computation (supported: %2)")
                      .arg(ggmlTypeName(info.type), computableTensorTypeNames()));
  requireRows(file, info, firstRow, rows);
  requireFiniteScales(file, info, firstRow, rows);
  traits->dequantize(rowStart(file, info, *traits, firstRow), out, rows * info.rowLength());
}

std::vector<float> dequantize(const GgufFile& file, const GgufTensorInfo& info) {
  std::vector<float> values(size_t(info.elementCount()));
  dequantizeRows(file, info, 0, info.rowCount(), values.data());
  return values;
}

void requireFiniteScales(const GgufFile& file, const GgufTensorInfo& info, qint64 firstRow, qint64 rows) {
  const TensorTypeTraits* traits = tensorTypeTraits(info.type);
  if (!traits || !traits->firstNonFiniteBlock) return;  // an unknown type is refused elsewhere, naming it
  if (rows < 0) rows = info.rowCount() - firstRow;
  requireRows(file, info, firstRow, rows);
  // A NaN or infinite block scale would spread through every product it enters (docs/tensor-types.md).
  if (const qint64 bad =
          traits->firstNonFiniteBlock(rowStart(file, info, *traits, firstRow), rows * info.rowLength());
      bad >= 0)
    throwBadInput(file.source(), QStringLiteral("tensor '%1'").arg(info.name),
                  QStringLiteral("%1 block %2 has a NaN or infinite scale")
                      .arg(QLatin1String(traits->name))
                      .arg(firstRow * (info.rowLength() / traits->blockValues) + bad));
}

}  // namespace sinkscope
