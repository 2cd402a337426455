// The train and score actions as the binary knows them: their settings
// tables and a Run that loads the `ml` plugin (XGBoost) on first use, so
// workflows that never train or score never load XGBoost.
#include <cstdlib>
#include <mutex>

#include "actions/action_util.h"
#include "core/plugin.h"
#include "ml/params.h"

namespace refinery::actions::internal {
namespace {

std::vector<SettingSpec> TrainSettings() {
  std::vector<SettingSpec> settings = {
      {"input", "", "0 or more", "a dataset directory (part files + _schema.properties) or a CSV file"},
      {"table", "", "0 or 1", "a table of the SQL metastore to train on (instead of, or with <sql> beside, <input>)"},
      {"sql", "", "", "a SELECT over `input` (`input_2`, ...) and metastore tables; its rows are the training data"},
      {"validation", "", "time-column= cutoff=|fraction=", "validate on the rows after a time cut-off instead of a random holdout"},
      {"refinery.hive.metastore.dir", "/user/hive/metastore", "", "where <table> and <sql> find metastore.db"},
      {"target", "", "", "the column to predict"},
      {"task", "", "binary|multiclass|regression", "inferred from the target when omitted"},
      {"positive-label", "", "", "binary: the target value that means 1 (inferred: yes/true/1, else the rarer value)"},
      {"exclude", "", "", "comma-separated columns that are not features (ids, leaks)"},
      {"model-dir", "", "", "where versions v1, v2, ... of the bundle are published"},
  };
  for (const ml::ParamSpec& p : ml::TrainParams()) {
    settings.push_back({"param:" + p.name, p.default_value, ml::BoundsText(p), p.help});
  }
  return settings;
}

std::vector<SettingSpec> ScoreSettings() {
  return {
      {"input", "", "", "the dataset directory or CSV file to score"},
      {"model-dir", "", "", "where the train action published its versions"},
      {"version", "", "1..", "the bundle version to use; default: the latest"},
      {"output", "", "", "the dataset directory to write (replaced atomically)"},
      {"id-column", "", "0 or more", "input columns copied to the output to identify rows"},
      {"contributions", "", "1..100", "also write the N features that moved each prediction most"},
  };
}

// libgomp (XGBoost's OpenMP) reads OMP_WAIT_POLICY once, when loading the
// plugin loads it. Its default, spinning waits, made two-thread training 10
// to 40 times slower whenever the cores were shared with other work (as a
// workflow server's are): the bank example took 12.3 s instead of 0.29 s.
// So Refinery asks for passive waits unless the user chose otherwise.
void PreferPassiveOpenMpWaits() {
  static std::once_flag once;
  std::call_once(once, [] { ::setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0); });
}

// An action whose Run lives in the `ml` plugin under `entry`.
class MlPluginAction : public Action {
 public:
  MlPluginAction(std::string type, const char* entry, std::vector<SettingSpec> settings)
      : type_(std::move(type)), entry_(entry), settings_(std::move(settings)) {}
  std::string type() const override { return type_; }
  // A rerun trains again and publishes one more version, or rewrites the
  // same scores; nothing is lost or duplicated.
  bool idempotent() const override { return true; }
  std::vector<SettingSpec> settings() const override { return settings_; }
  ActionResult Run(ActionContext& context) override {
    PreferPassiveOpenMpWaits();
    using Entry = void (*)(ActionContext*, ActionResult*);
    auto address = FindPluginSymbol("ml", entry_);
    if (!address.ok()) return FromStatus(address.status(), kPluginCode, Outcome::kFailed);
    ActionResult result;
    reinterpret_cast<Entry>(*address)(&context, &result);
    return result;
  }

 private:
  std::string type_;
  const char* entry_;
  std::vector<SettingSpec> settings_;
};

std::vector<SettingSpec> PublishSettings() {
  return {
      {"model", "", "", "the registry name of the model, e.g. bank-marketing"},
      {"bundle", "", "", "the bundle version directory to register (the train action's data: bundle)"},
      {"model-dir", "", "", "instead of <bundle>: register the latest version under this directory"},
      {"require", "", "0 or more", "a metric threshold the version must meet to be promoted, e.g. auc >= 0.75"},
      {"champion-metric", "", "auc|accuracy|rmse|...", "the metric compared with the production version (default by task)"},
      {"champion-margin", "0", ">= 0", "how much worse than production on the new holdout the new version may be"},
      {"on-reject", "ok", "ok|error", "how the action ends when the gate keeps the version a candidate"},
  };
}

}  // namespace

std::unique_ptr<Action> MakeTrainAction() {
  return std::make_unique<MlPluginAction>("train", "refinery_run_train_action", TrainSettings());
}

std::unique_ptr<Action> MakePublishAction() {
  return std::make_unique<MlPluginAction>("publish", "refinery_run_publish_action", PublishSettings());
}

std::unique_ptr<Action> MakeScoreAction() {
  return std::make_unique<MlPluginAction>("score", "refinery_run_score_action", ScoreSettings());
}

}  // namespace refinery::actions::internal
