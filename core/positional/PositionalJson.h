// The JSON forms of a RoPE schedule and of its phase coverage (snake_case), shared by
// `sinkscope rope --json`, the probe and reports. Not a reader: nothing parses these back.
#pragma once

#include "positional/PhaseCoverage.h"
#include "positional/RopeSchedule.h"

#include <QJsonObject>

namespace sinkscope {

// { rope_type, rotary_dim, head_dim, pair_layout, base, original_context, inv_freq: [...],
//   attention_factor, logit_scale (= attention_factor^2), softmax_scale }
QJsonObject ropeScheduleToJson(const RopeSchedule& schedule);
// { context, trained_context, critical_dims, unseen_rotary_dims, mean_unseen_share, summary,
//   pairs: [ { pair, trained_period_tokens, period_tokens, full_circle_seen, unseen_share } ] }
QJsonObject phaseCoverageToJson(const PhaseCoverage& coverage);

}  // namespace sinkscope
