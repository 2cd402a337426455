// Evaluation of a coordinator's <input-logic> (coordinator 0.5, Oozie's
// CoordInputLogicEvaluator): whether an action's inputs are ready under the
// logic rather than "every instance of every input-event", and which URIs
// each named element stands for, so coord:dataIn('name') of an <or> gives the
// branch that was satisfied.
//
//   <data-in dataset="X" min="n" wait="m"/>  X is a data-in of <input-events>.
//       Ready when every instance of X exists; with `min`, when at least n do
//       and `wait` minutes have passed since the action began waiting (no
//       `wait`: at once). It stands for the instances that exist.
//   <or>       ready when one child is (the first ready one, in order, wins).
//   <and>      ready when every child is; stands for all their URIs.
//   <combine>  over data-in children: instance i is there when any child has
//       it (the first that does supplies it); ready as a data-in is.
// `min` and `wait` on <and>, <or> apply to each data-in beneath that sets none.
// Pure: existence is asked through a callback.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/coordinator.h"

namespace refinery::coordinator {

struct InputLogicOutcome {
  bool ready = false;
  // Named elements (and named data-ins) that were satisfied, with the URIs
  // (and instances) they stand for: store them among the action's inputs so
  // coord:dataIn(name) resolves to them.
  std::vector<DataInstances> resolved;
  std::vector<std::string> missing;    // URIs (or unresolved EL) looked for and not there
  std::optional<TimePoint> wait_ends;  // when not ready: the earliest `wait` still running out
};

// `exists(input, uri)`: whether the instance `uri` of `input` is available
// (done flag included). `waiting_since`: when the action began waiting for
// its data (the later of its nominal and creation times).
InputLogicOutcome EvaluateInputLogic(const InputLogicNode& root, const MaterializedAction& action,
                                     TimePoint waiting_since, TimePoint now,
                                     const std::function<bool(const DataInstances&, const std::string&)>& exists);

// Stores `resolved` among `inputs`: an entry with the same name is replaced,
// others are added.
void MergeResolvedInputs(const std::vector<DataInstances>& resolved, std::vector<DataInstances>* inputs);

}  // namespace refinery::coordinator
