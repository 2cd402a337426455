// The native JSON API under /api/v1: the model registry (list, show, log,
// diff, promote, rollback) and the prediction service (JSON rows or a CSV
// file in, predictions out, validated against the bundle's input schema),
// plus the OpenAPI document generated from the registered models' schemas.
// Every prediction response names the model and version that answered.
#pragma once

#include <memory>
#include <string>

#include "registry/registry.h"
#include "serve/http.h"
#include "serve/model_host.h"

namespace refinery::serve {

struct ModelApiOptions {
  size_t max_batch_rows = 10000;  // rows per JSON array or CSV file
  std::string server_url;         // for the OpenAPI document's servers entry
};

class ModelApi {
 public:
  // Borrows both.
  ModelApi(registry::Registry* models, ModelHost* host, ModelApiOptions options);

  // Handles any path under /api/v1.
  HttpResponse Handle(const HttpRequest& request);
  // The metrics route label for a path ("/api/v1/models/{name}/predict", ...).
  static std::string RouteOf(const std::string& path);

 private:
  HttpResponse HandleModel(const HttpRequest& request, const std::vector<std::string>& parts);
  HttpResponse Predict(const HttpRequest& request, const std::string& name, int version, bool csv);
  HttpResponse ChangeStage(const HttpRequest& request, const std::string& name, bool rollback);
  HttpResponse OpenApi();

  registry::Registry* models_;
  ModelHost* host_;
  ModelApiOptions options_;
};

// The input schema of a loaded model as JSON Schema (for OpenAPI and the
// prediction page): one property per input with its type, categories and
// the range seen in training.
nlohmann::json InputSchema(const nlohmann::json& pipeline);

}  // namespace refinery::serve
