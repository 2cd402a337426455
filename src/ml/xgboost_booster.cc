#include "ml/xgboost_booster.h"

#include <xgboost/c_api.h>

#include <cstdio>
#include <utility>

namespace refinery::ml {
namespace {

// The single check every C API call goes through.
Status Check(int rc, const char* call) {
  if (rc == 0) return Status::Ok();
  return Status::Internal(std::string("XGBoost ") + call + " failed: " + XGBGetLastError(), kXGBoostErrorCode);
}

#define XGB_CHECK(call) REFINERY_RETURN_IF_ERROR(Check((call), #call))

std::vector<const char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<const char*> out;
  out.reserve(strings.size());
  for (const std::string& s : strings) out.push_back(s.c_str());
  return out;
}

std::vector<DMatrixHandle> Handles(const std::vector<const DMatrix*>& matrices) {
  std::vector<DMatrixHandle> out;
  for (const DMatrix* m : matrices) out.push_back(m->handle());
  return out;
}

}  // namespace

std::string XGBoostVersion() {
  int major = 0, minor = 0, patch = 0;
  ::XGBoostVersion(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

// ---- DMatrix ----

Result<DMatrix> DMatrix::FromDense(const float* data, uint64_t rows, uint64_t cols,
                                   const std::vector<std::string>& feature_names,
                                   const std::vector<std::string>& feature_types, int nthread) {
  char interface[256];
  std::snprintf(interface, sizeof(interface),
                R"({"data":[%llu,true],"shape":[%llu,%llu],"typestr":"<f4","version":3})",
                static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(data)),
                static_cast<unsigned long long>(rows), static_cast<unsigned long long>(cols));
  const std::string config = R"({"missing":NaN,"nthread":)" + std::to_string(nthread) + "}";
  DMatrixHandle handle = nullptr;
  XGB_CHECK(XGDMatrixCreateFromDense(interface, config.c_str(), &handle));
  DMatrix matrix(handle);
  if (!feature_names.empty()) {
    std::vector<const char*> names = CStrings(feature_names);
    XGB_CHECK(XGDMatrixSetStrFeatureInfo(handle, "feature_name", names.data(), names.size()));
  }
  if (!feature_types.empty()) {
    std::vector<const char*> types = CStrings(feature_types);
    XGB_CHECK(XGDMatrixSetStrFeatureInfo(handle, "feature_type", types.data(), types.size()));
  }
  return matrix;
}

DMatrix::~DMatrix() {
  if (handle_ != nullptr) XGDMatrixFree(handle_);
}
DMatrix::DMatrix(DMatrix&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
DMatrix& DMatrix::operator=(DMatrix&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

Status DMatrix::SetLabels(const std::vector<float>& labels) {
  XGB_CHECK(XGDMatrixSetFloatInfo(handle_, "label", labels.data(), labels.size()));
  return Status::Ok();
}

// ---- Booster ----

Result<Booster> Booster::Create(const std::vector<const DMatrix*>& cache) {
  std::vector<DMatrixHandle> handles = Handles(cache);
  BoosterHandle handle = nullptr;
  XGB_CHECK(XGBoosterCreate(handles.data(), handles.size(), &handle));
  return Booster(handle);
}

Result<Booster> Booster::LoadJson(const std::string& json) {
  BoosterHandle handle = nullptr;
  XGB_CHECK(XGBoosterCreate(nullptr, 0, &handle));
  Booster booster(handle);
  XGB_CHECK(XGBoosterLoadModelFromBuffer(handle, json.data(), json.size()));
  return booster;
}

Booster::~Booster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
}
Booster::Booster(Booster&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
Booster& Booster::operator=(Booster&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGBoosterFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

Status Booster::SetParam(const std::string& name, const std::string& value) {
  XGB_CHECK(XGBoosterSetParam(handle_, name.c_str(), value.c_str()));
  return Status::Ok();
}

Status Booster::UpdateOneIter(int iteration, const DMatrix& train) {
  XGB_CHECK(XGBoosterUpdateOneIter(handle_, iteration, train.handle()));
  return Status::Ok();
}

Result<std::string> Booster::EvalOneIter(int iteration, const std::vector<const DMatrix*>& matrices,
                                         const std::vector<std::string>& names) {
  std::vector<DMatrixHandle> handles = Handles(matrices);
  std::vector<const char*> c_names = CStrings(names);
  const char* out = nullptr;
  XGB_CHECK(XGBoosterEvalOneIter(handle_, iteration, handles.data(), c_names.data(), handles.size(), &out));
  return std::string(out);
}

Result<int> Booster::BoostedRounds() const {
  int rounds = 0;
  XGB_CHECK(XGBoosterBoostedRounds(handle_, &rounds));
  return rounds;
}

Result<Booster> Booster::Slice(int begin, int end) const {
  BoosterHandle out = nullptr;
  XGB_CHECK(XGBoosterSlice(handle_, begin, end, 1, &out));
  return Booster(out);
}

Result<Prediction> Booster::Predict(const DMatrix& matrix, PredictKind kind) const {
  const std::string config = R"({"type":)" + std::to_string(static_cast<int>(kind)) +
                             R"(,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* values = nullptr;
  XGB_CHECK(XGBoosterPredictFromDMatrix(handle_, matrix.handle(), config.c_str(), &shape, &dim, &values));
  Prediction prediction;
  uint64_t total = dim == 0 ? 0 : 1;
  for (bst_ulong i = 0; i < dim; ++i) {
    prediction.shape.push_back(shape[i]);
    total *= shape[i];
  }
  prediction.values.assign(values, values + total);
  return prediction;
}

Result<std::string> Booster::SaveJson() const {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  XGB_CHECK(XGBoosterSaveModelToBuffer(handle_, R"({"format":"json"})", &length, &bytes));
  return std::string(bytes, length);
}

Result<std::map<std::string, double>> Booster::FeatureGain() const {
  bst_ulong n_features = 0, dim = 0;
  const char** names = nullptr;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  XGB_CHECK(XGBoosterFeatureScore(handle_, R"({"importance_type":"total_gain"})", &n_features, &names, &dim,
                                  &shape, &scores));
  std::map<std::string, double> gain;
  for (bst_ulong i = 0; i < n_features; ++i) gain[names[i]] = scores[i];
  return gain;
}

}  // namespace refinery::ml
