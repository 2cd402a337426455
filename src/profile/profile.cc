// The streaming pass. The reader's thread copies rows into batches (one
// contiguous buffer per batch, no allocation per field) and counts duplicate
// rows; column workers each own a fixed set of columns and see every batch,
// so no accumulator is shared or merged and the result does not depend on
// the number of threads. Queues are bounded, so memory is too.
#include "profile/profile.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "profile/drift.h"
#include "profile/rules.h"

namespace refinery::profile {
namespace {

using nlohmann::json;

constexpr size_t kBatchRows = 8192;
constexpr size_t kBatchBytes = 4 << 20;
constexpr size_t kQueueDepth = 4;

struct Batch {
  std::string bytes;
  std::vector<uint32_t> ends;    // per field, row-major: end offset in `bytes`
  std::vector<uint32_t> starts;  // per field
  std::vector<uint8_t> nulls;
  std::vector<uint32_t> files;  // per row: index in DatasetReader::files()
  std::vector<int64_t> lines;   // per row: line its first byte is on
  int64_t first_row = 1;
  size_t rows = 0;
};

// A bounded single-producer queue of shared batches; Close() ends it.
class BatchQueue {
 public:
  void Push(std::shared_ptr<const Batch> batch) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [this] { return queue_.size() < kQueueDepth; });
    queue_.push_back(std::move(batch));
    not_empty_.notify_one();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  // Null when closed and drained.
  std::shared_ptr<const Batch> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [this] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return nullptr;
    auto batch = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return batch;
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<std::shared_ptr<const Batch>> queue_;
  bool closed_ = false;
};

void Accumulate(const Batch& batch, size_t column_count, const std::vector<size_t>& columns,
                std::vector<ColumnAccumulator>* accumulators) {
  for (size_t column : columns) {
    ColumnAccumulator& accumulator = (*accumulators)[column];
    for (size_t row = 0; row < batch.rows; ++row) {
      const size_t field = row * column_count + column;
      const std::string_view text(batch.bytes.data() + batch.starts[field], batch.ends[field] - batch.starts[field]);
      const ValueOrigin origin{batch.first_row + static_cast<int64_t>(row), batch.files[row], batch.lines[row]};
      accumulator.Add(text, batch.nulls[field] != 0, origin);
    }
  }
}

class ProfileSink : public data::RowSink {
 public:
  ProfileSink(const ProfileOptions& options, std::vector<ColumnAccumulator>* accumulators,
              std::vector<bool> is_id, const std::function<bool()>& cancelled)
      : options_(options),
        accumulators_(accumulators),
        is_id_(std::move(is_id)),
        has_ids_(std::find(is_id_.begin(), is_id_.end(), true) != is_id_.end()),
        cancelled_(cancelled),
        duplicates_(options.duplicate_capacity) {}

  ~ProfileSink() override { Stop(); }

  void Start() {
    const size_t workers = std::min<size_t>(std::max(options_.threads, 1), accumulators_->size());
    if (options_.threads <= 1 || workers == 0) return;
    std::vector<std::vector<size_t>> columns(workers);
    for (size_t i = 0; i < accumulators_->size(); ++i) columns[i % workers].push_back(i);
    queues_ = std::vector<BatchQueue>(workers);
    for (size_t w = 0; w < workers; ++w) {
      threads_.emplace_back([this, w, mine = columns[w]] {
        while (auto batch = queues_[w].Pop()) Accumulate(*batch, accumulators_->size(), mine, accumulators_);
      });
    }
  }

  Status OnColumns(const std::vector<data::Column>& columns) override {
    if (columns.size() != accumulators_->size()) {
      return Status::InvalidArgument("a file has " + std::to_string(columns.size()) + " columns where the schema has " +
                                         std::to_string(accumulators_->size()),
                                     data::kBadSidecarCode);
    }
    return Status::Ok();
  }

  Status OnRow(const std::vector<data::Field>& row) override { return OnRowAt(row, {}); }

  Status OnRowAt(const std::vector<data::Field>& row, const data::RowPosition& position) override {
    if (!batch_) NewBatch();
    batch_->files.push_back(static_cast<uint32_t>(position.file_index));
    batch_->lines.push_back(position.line);
    const size_t row_start = batch_->bytes.size();
    const size_t first_field = batch_->starts.size();
    // The row's shape (field lengths, nulls) seeds the hash of its bytes, so
    // "a,bc" and "ab,c" differ; one pass over the bytes instead of one per
    // field. Id columns take no part.
    uint64_t shape = 0x51ED2701;
    for (size_t i = 0; i < row.size(); ++i) {
      const data::Field& field = row[i];
      batch_->starts.push_back(static_cast<uint32_t>(batch_->bytes.size()));
      batch_->bytes.append(field.text);
      batch_->ends.push_back(static_cast<uint32_t>(batch_->bytes.size()));
      batch_->nulls.push_back(field.is_null ? 1 : 0);
      if (is_id_[i]) continue;
      shape = (shape ^ (field.text.size() + (field.is_null ? 0x100000000ull : 0))) * 0x9E3779B97F4A7C15ull;
    }
    duplicates_.Add(RowHash(row_start, first_field, shape));
    ++rows_;
    if (++batch_->rows >= kBatchRows || batch_->bytes.size() >= kBatchBytes) return Flush();
    return Status::Ok();
  }

  Status Flush() {
    if (!batch_ || batch_->rows == 0) return Status::Ok();
    std::shared_ptr<const Batch> batch = std::move(batch_);
    batch_.reset();
    if (threads_.empty()) {
      std::vector<size_t> all(accumulators_->size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = i;
      Accumulate(*batch, accumulators_->size(), all, accumulators_);
    } else {
      for (BatchQueue& queue : queues_) queue.Push(batch);
    }
    if (cancelled_ && cancelled_()) return Status::Cancelled("the profile was cancelled");
    return Status::Ok();
  }

  // Waits for the workers to drain their queues.
  void Stop() {
    for (BatchQueue& queue : queues_) queue.Close();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    queues_.clear();
  }

  int64_t rows() const { return rows_; }
  const DuplicateCounter& duplicates() const { return duplicates_; }
  void ReserveRows(int64_t rows) { duplicates_.Reserve(rows); }

 private:
  // Hash of the row's bytes outside id columns, seeded with its shape.
  uint64_t RowHash(size_t row_start, size_t first_field, uint64_t shape) const {
    const std::string_view bytes(batch_->bytes);
    if (!has_ids_) return HashBytes(bytes.substr(row_start), shape);
    uint64_t hash = shape;
    size_t segment = row_start;
    for (size_t i = 0; i < is_id_.size(); ++i) {
      if (!is_id_[i]) continue;
      hash = HashBytes(bytes.substr(segment, batch_->starts[first_field + i] - segment), hash);
      segment = batch_->ends[first_field + i];
    }
    return HashBytes(bytes.substr(segment), hash);
  }

  void NewBatch() {
    batch_ = std::make_shared<Batch>();
    batch_->first_row = rows_ + 1;
    const size_t fields = kBatchRows * accumulators_->size();
    batch_->starts.reserve(fields);
    batch_->ends.reserve(fields);
    batch_->nulls.reserve(fields);
    batch_->files.reserve(kBatchRows);
    batch_->lines.reserve(kBatchRows);
    batch_->bytes.reserve(kBatchBytes + 4096);
  }

  const ProfileOptions& options_;
  std::vector<ColumnAccumulator>* accumulators_;
  std::vector<bool> is_id_;
  bool has_ids_;
  const std::function<bool()>& cancelled_;
  DuplicateCounter duplicates_;
  std::shared_ptr<Batch> batch_;
  std::vector<BatchQueue> queues_;
  std::vector<std::thread> threads_;
  int64_t rows_ = 0;
};

Result<std::vector<bool>> IdFlags(const data::DatasetSchema& schema, const std::vector<std::string>& id_columns) {
  std::vector<bool> flags(schema.columns.size(), false);
  for (const std::string& name : id_columns) {
    auto it = std::find_if(schema.columns.begin(), schema.columns.end(),
                           [&](const data::Column& column) { return column.name == name; });
    if (it == schema.columns.end()) {
      std::string valid;
      for (const auto& column : schema.columns) valid += (valid.empty() ? "" : ", ") + column.name;
      return Status::InvalidArgument("id column \"" + name + "\" is not a column of the dataset; columns: " + valid,
                                     kBadRuleCode);
    }
    flags[static_cast<size_t>(it - schema.columns.begin())] = true;
  }
  return flags;
}

// Fractions of the current values over each previous numeric column's edges.
CurrentBins BinsOnPreviousEdges(const std::vector<ColumnAccumulator>& accumulators, const json& previous) {
  CurrentBins bins;
  if (!previous.contains("columns") || !previous["columns"].is_array()) return bins;
  for (const json& column : previous["columns"]) {
    if (!column.is_object() || !column.contains("psi_bins")) continue;
    const std::string name = column.value("name", "");
    for (const ColumnAccumulator& accumulator : accumulators) {
      if (accumulator.column().name != name || accumulator.kind() != ColumnKind::kNumeric) continue;
      try {
        bins[name] = accumulator.FractionsIn(column["psi_bins"]["edges"].get<std::vector<double>>());
      } catch (const json::exception&) {
        // A malformed previous profile only loses this column's PSI.
      }
    }
  }
  return bins;
}

}  // namespace

Result<json> ProfileDataset(const data::DatasetReader& reader, const ProfileOptions& options, const json* previous,
                            const ProgressFn& progress, const std::function<bool()>& cancelled) {
  const data::DatasetSchema& schema = reader.schema();
  REFINERY_ASSIGN_OR_RETURN(std::vector<bool> is_id, IdFlags(schema, options.id_columns));
  std::vector<ColumnAccumulator> accumulators;
  accumulators.reserve(schema.columns.size());
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    accumulators.emplace_back(schema.columns[i], i + 1, is_id[i], &options.null_tokens, options.limits);
  }
  ProfileSink sink(options, &accumulators, is_id, cancelled);
  // The sidecar's row count, else a guess of 64 bytes a row.
  sink.ReserveRows(schema.rows >= 0 ? schema.rows : reader.total_bytes() / 64);
  sink.Start();
  const double total = static_cast<double>(std::max<int64_t>(reader.total_bytes(), 1));
  Status status = reader.ReadAll(&sink, [&](int64_t bytes) {
    if (progress) progress(std::min(1.0, static_cast<double>(bytes) / total), std::to_string(sink.rows()) + " rows");
  });
  if (status.ok()) status = sink.Flush();
  sink.Stop();
  REFINERY_RETURN_IF_ERROR(status);

  json profile;
  profile["format_version"] = kFormatVersion;
  profile["rows"] = sink.rows();
  profile["files"] = reader.files().size();
  profile["bytes"] = reader.total_bytes();
  profile["duplicate_rows"] = sink.duplicates().Duplicates();
  profile["duplicate_rows_exact"] = sink.duplicates().exact();
  profile["duplicate_fraction"] =
      sink.rows() == 0 ? 0.0 : static_cast<double>(sink.duplicates().Duplicates()) / static_cast<double>(sink.rows());
  profile["null_tokens"] = options.null_tokens;
  profile["id_columns"] = options.id_columns;
  json columns = json::array();
  for (ColumnAccumulator& accumulator : accumulators) {
    accumulator.Finish();
    columns.push_back(accumulator.ToJson(reader.files()));
  }
  profile["columns"] = std::move(columns);
  if (previous != nullptr && previous->is_object()) {
    try {
      profile["drift"] = CompareProfiles(profile, *previous, BinsOnPreviousEdges(accumulators, *previous));
    } catch (const json::exception& e) {
      return Status::InvalidArgument(std::string("the previous profile.json cannot be compared with: ") + e.what() +
                                     "; delete it to start afresh");
    }
  } else {
    profile["drift"] = nullptr;
  }
  if (progress) progress(1.0, std::to_string(sink.rows()) + " rows");
  return profile;
}

std::string FormatProfileJson(const json& profile) {
  return profile.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace refinery::profile
