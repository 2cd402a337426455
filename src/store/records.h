// How WorkflowJobRecord and WorkflowActionRecord map to table columns. Each
// record's columns are declared once (records.cc); the upsert SQL, the select
// lists, binding and reading all derive from that one table, so a field
// cannot be written and then forgotten on read.
#pragma once

#include <string>

#include "store/sqlite_db.h"
#include "store/store.h"

namespace refinery::store {

// "id, app_name, ..." in declaration order, for SELECT lists.
const std::string& JobColumnList();
const std::string& ActionColumnList();

// INSERT ... ON CONFLICT(id) DO UPDATE: an update in place, so an action
// keeps its insertion order (seq) and no delete cascades to children.
const std::string& JobUpsertSql();
const std::string& ActionUpsertSql();

// Bind all columns as ?1..?N. The record must outlive the next Step().
void BindJob(sqlite::Statement& stmt, const WorkflowJobRecord& job);
void BindAction(sqlite::Statement& stmt, const WorkflowActionRecord& action);

const std::string& CoordinatorJobColumnList();
const std::string& CoordinatorActionColumnList();
const std::string& CoordinatorJobUpsertSql();
const std::string& CoordinatorActionUpsertSql();
void BindCoordinatorJob(sqlite::Statement& stmt, const CoordinatorJobRecord& job);
void BindCoordinatorAction(sqlite::Statement& stmt, const CoordinatorActionRecord& action);
CoordinatorJobRecord ReadCoordinatorJob(const sqlite::Statement& stmt);
CoordinatorActionRecord ReadCoordinatorAction(const sqlite::Statement& stmt);

const std::string& BundleJobColumnList();
const std::string& BundleJobUpsertSql();
void BindBundleJob(sqlite::Statement& stmt, const BundleJobRecord& job);
BundleJobRecord ReadBundleJob(const sqlite::Statement& stmt);

// Read a row selected with the matching column list, starting at column 0.
WorkflowJobRecord ReadJob(const sqlite::Statement& stmt);
WorkflowActionRecord ReadAction(const sqlite::Statement& stmt);

}  // namespace refinery::store
