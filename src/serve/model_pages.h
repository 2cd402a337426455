// The web UI's Models pages (/ui/models): the registered models; a model's
// versions with their metrics over time, the production version's ROC and
// PR curves and feature importance, the deployment log, and promote and
// rollback for token holders; and the prediction page, a form generated from
// the model's input schema that answers with the probability and bars for
// the contributing factors, plus CSV upload and download of scored leads.
#pragma once

#include "registry/registry.h"
#include "serve/model_host.h"
#include "serve/web_ui.h"

namespace refinery::serve {

// The handler for everything under /ui/models. Borrows both.
WebPageHandler MakeModelPages(registry::Registry* models, ModelHost* host);

}  // namespace refinery::serve
