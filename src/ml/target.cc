// The target column: task inference, label mapping and the holdout split.
#include <algorithm>
#include <cctype>
#include <map>
#include <random>

#include "ml/trainer.h"
#include "ml/trainer_internal.h"

namespace refinery::ml {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The positive label of a two-valued target: the declared one, a
// conventional one (yes/true/1/y/t), or else the rarer value.
Result<size_t> PositiveIndex(const std::vector<std::string>& values, const std::vector<int64_t>& counts,
                             const std::string& declared, const std::string& target) {
  if (!declared.empty()) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] == declared) return i;
    }
    return Status::InvalidArgument("positive label [" + declared + "] does not occur in target '" + target +
                                       "'; its values are [" + values[0] + "] and [" + values[1] + "]",
                                   kBadSpecCode);
  }
  static const char* kPositive[] = {"yes", "true", "1", "y", "t"};
  for (size_t i = 0; i < values.size(); ++i) {
    for (const char* p : kPositive) {
      if (Lower(values[i]) == p) return i;
    }
  }
  if (counts[0] != counts[1]) return counts[0] < counts[1] ? size_t{0} : size_t{1};
  return values[0] < values[1] ? size_t{1} : size_t{0};
}

bool AllNumbers(const std::vector<std::string>& values, bool* integers) {
  *integers = true;
  for (const std::string& v : values) {
    double number = 0;
    if (!ParseNumber(v, &number)) return false;
    if (number != static_cast<double>(static_cast<int64_t>(number))) *integers = false;
  }
  return true;
}

}  // namespace

const char* TaskName(Task task) {
  switch (task) {
    case Task::kAuto: return "auto";
    case Task::kBinary: return "binary";
    case Task::kMulticlass: return "multiclass";
    case Task::kRegression: return "regression";
  }
  return "?";
}

Result<Task> ParseTask(const std::string& name) {
  if (name.empty() || name == "auto") return Task::kAuto;
  for (Task t : {Task::kBinary, Task::kMulticlass, Task::kRegression}) {
    if (name == TaskName(t)) return t;
  }
  return Status::InvalidArgument("unknown task [" + name + "]; valid: binary, multiclass, regression (or omit it)",
                                 kBadSpecCode);
}

nlohmann::json TargetInfo::ToJson() const {
  nlohmann::json j = {{"name", name}, {"task", TaskName(task)}};
  if (task != Task::kRegression) j["labels"] = labels;
  return j;
}

Result<TargetInfo> TargetInfo::FromJson(const nlohmann::json& json) {
  TargetInfo info;
  try {
    info.name = json.at("name").get<std::string>();
    REFINERY_ASSIGN_OR_RETURN(info.task, ParseTask(json.at("task").get<std::string>()));
    if (json.contains("labels")) info.labels = json.at("labels").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("target JSON: ") + e.what(), kBadSpecCode);
  }
  return info;
}

namespace internal {

Result<LabeledRows> LabelRows(const Frame& frame, const TrainSpec& spec) {
  const FrameColumn& column = frame.columns[frame.Find(spec.target)];
  std::vector<int64_t> counts(column.dictionary.size(), 0);
  for (int32_t code : column.codes) {
    if (code >= 0) ++counts[code];
  }
  std::vector<std::string> values;
  std::vector<int64_t> present_counts;
  for (size_t code = 0; code < counts.size(); ++code) {
    if (counts[code] == 0) continue;
    values.push_back(column.dictionary[code]);
    present_counts.push_back(counts[code]);
  }
  if (values.size() < 2) {
    return Status::InvalidArgument("target '" + spec.target + "' has " +
                                       (values.empty() ? std::string("no values") : "the single value [" + values[0] + "]") +
                                       " in every row; a model needs at least two outcomes",
                                   kTrainDataCode);
  }
  bool integers = false;
  const bool numeric = AllNumbers(values, &integers);
  LabeledRows out;
  out.target.name = spec.target;
  out.target.task = spec.task;
  if (out.target.task == Task::kAuto) {
    if (values.size() == 2) {
      out.target.task = Task::kBinary;
    } else if (numeric && (!integers || values.size() > 20)) {
      out.target.task = Task::kRegression;
    } else if (values.size() <= 100) {
      out.target.task = Task::kMulticlass;
    } else {
      return Status::InvalidArgument("target '" + spec.target + "' has " + std::to_string(values.size()) +
                                         " distinct text values; declare the task, or choose another target",
                                     kTrainDataCode);
    }
  }
  std::vector<float> label_of_code(column.dictionary.size(), 0);
  switch (out.target.task) {
    case Task::kBinary: {
      if (values.size() != 2) {
        return Status::InvalidArgument("task binary needs a target with two values; '" + spec.target + "' has " +
                                           std::to_string(values.size()) + "; use multiclass or regression",
                                       kTrainDataCode);
      }
      REFINERY_ASSIGN_OR_RETURN(size_t positive, PositiveIndex(values, present_counts, spec.positive_label, spec.target));
      out.target.labels = {values[1 - positive], values[positive]};
      break;
    }
    case Task::kMulticlass:
      out.target.labels = values;
      if (numeric) {
        std::sort(out.target.labels.begin(), out.target.labels.end(), [](const std::string& a, const std::string& b) {
          double x = 0, y = 0;
          ParseNumber(a, &x);
          ParseNumber(b, &y);
          return x < y;
        });
      } else {
        std::sort(out.target.labels.begin(), out.target.labels.end());
      }
      break;
    case Task::kRegression:
      if (!numeric) {
        return Status::InvalidArgument("task regression needs a numeric target; '" + spec.target +
                                           "' holds text such as [" + values[0] + "]",
                                       kTrainDataCode);
      }
      break;
    case Task::kAuto: break;
  }
  for (size_t code = 0; code < column.dictionary.size(); ++code) {
    if (out.target.task == Task::kRegression) {
      double number = 0;
      ParseNumber(column.dictionary[code], &number);
      label_of_code[code] = static_cast<float>(number);
      continue;
    }
    const auto found = std::find(out.target.labels.begin(), out.target.labels.end(), column.dictionary[code]);
    label_of_code[code] = static_cast<float>(found - out.target.labels.begin());
  }
  for (size_t row = 0; row < frame.rows; ++row) {
    const int32_t code = column.codes[row];
    if (code < 0) continue;
    out.rows.push_back(static_cast<uint32_t>(row));
    out.labels.push_back(label_of_code[code]);
  }
  out.dropped = static_cast<int64_t>(frame.rows - out.rows.size());
  return out;
}

// Stratified for classification: each class keeps its share in the holdout.
void SplitHoldout(const LabeledRows& labeled, double fraction, uint64_t seed, std::vector<size_t>* train,
                  std::vector<size_t>* holdout) {
  std::map<float, std::vector<size_t>> strata;
  for (size_t i = 0; i < labeled.rows.size(); ++i) {
    strata[labeled.target.task == Task::kRegression ? 0.0f : labeled.labels[i]].push_back(i);
  }
  std::mt19937_64 random(seed);
  for (auto& [label, members] : strata) {
    std::shuffle(members.begin(), members.end(), random);
    const size_t count = static_cast<size_t>(static_cast<double>(members.size()) * fraction + 0.5);
    holdout->insert(holdout->end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(count));
    train->insert(train->end(), members.begin() + static_cast<std::ptrdiff_t>(count), members.end());
  }
  std::sort(train->begin(), train->end());
  std::sort(holdout->begin(), holdout->end());
}

}  // namespace internal
}  // namespace refinery::ml
