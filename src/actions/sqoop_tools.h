// Internal to actions/: the <sqoop> tools other than import — eval,
// list-tables, list-databases, and export (sqoop_export.cc). Each logs what
// Sqoop would print and returns the action data as Properties.
#pragma once

#include <memory>

#include "actions/action.h"
#include "actions/sqoop_command.h"
#include "data/sql_source.h"

namespace refinery::actions::internal {

// The <sqoop> action itself (sqoop_action.cc).
std::unique_ptr<Action> MakeSqoopAction();

Result<Properties> RunEval(ActionContext& context, const SqoopOptions& options, const data::ConnectionSpec& spec);
Result<Properties> RunListTables(ActionContext& context, const data::ConnectionSpec& spec);
Result<Properties> RunListDatabases(ActionContext& context, const data::ConnectionSpec& spec);
Result<Properties> RunExport(ActionContext& context, const SqoopOptions& options, const data::ConnectionSpec& spec);

}  // namespace refinery::actions::internal
