// Bounded-memory summaries the column accumulators are built from. Each one
// is exact while its input is small and switches, once, to a documented
// estimate when a bound is reached (doc/formats/profile.md says which bound
// and which error). None is thread-safe; the profiler gives each column to
// one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace refinery::profile {

// A fast 64-bit hash of bytes (multiply-xorshift over 8-byte words, then the
// splitmix64 finalizer). Not cryptographic; collisions are negligible at the
// row counts a profile sees.
uint64_t HashBytes(std::string_view bytes, uint64_t seed = 0);
uint64_t MixHash(uint64_t value);  // splitmix64 finalizer

// A set of 64-bit hashes with open addressing (0 is stored as 1).
class HashSet {
 public:
  // Returns true when `hash` was new.
  bool Insert(uint64_t hash);
  size_t size() const { return size_; }
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (uint64_t slot : slots_) {
      if (slot != 0) fn(slot);
    }
  }
  void Clear();

 private:
  void Grow();
  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

// HyperLogLog with 2^14 registers: standard error about 0.8 %.
class HyperLogLog {
 public:
  HyperLogLog();
  void Add(uint64_t hash);
  double Estimate() const;

 private:
  std::vector<uint8_t> registers_;
};

// Counts distinct hashes exactly up to `exact_limit`, then by HyperLogLog.
class DistinctCounter {
 public:
  explicit DistinctCounter(size_t exact_limit = 1 << 17) : exact_limit_(exact_limit) {}
  void Add(uint64_t hash);
  int64_t Count() const;
  bool exact() const { return exact_; }

 private:
  size_t exact_limit_;
  bool exact_ = true;
  HashSet exact_set_;
  HyperLogLog estimate_;
};

// Keeps every value up to `exact_limit`, then a uniform reservoir sample of
// that size (Li's algorithm L, fixed seed so reruns agree). Quantiles of
// the sample have a rank error of about 1/sqrt(exact_limit).
class QuantileSample {
 public:
  explicit QuantileSample(size_t exact_limit = 100000) : exact_limit_(exact_limit) {}
  void Add(double value);
  bool exact() const { return seen_ <= static_cast<int64_t>(exact_limit_); }
  // Sorts the kept values; call once after the last Add.
  void Finish();
  const std::vector<double>& sorted() const { return values_; }
  // Linear interpolation between closest ranks (pandas' default), q in [0,1].
  double Quantile(double q) const;

 private:
  double Random();
  void Skip();
  size_t exact_limit_;
  int64_t seen_ = 0;
  uint64_t rng_ = 0x9E3779B97F4A7C15ull;
  double weight_ = 1.0;  // algorithm L's W
  int64_t next_ = 0;     // the next value (by seen_) that enters the sample
  std::vector<double> values_;
};

// Value counts: exact while at most `capacity` distinct values were seen,
// then Misra-Gries over a pseudo-random 1/kSampleEvery of the values, counts
// scaled back up
// (estimates: a value more frequent than about n/capacity is kept). The
// sampling keeps mostly-unique columns from churning the table.
class FrequentValues {
 public:
  explicit FrequentValues(size_t capacity = 10000) : capacity_(capacity) {}
  void Add(uint64_t hash, std::string_view value);
  bool exact() const { return exact_; }
  struct Item {
    std::string value;
    int64_t count = 0;
  };
  // Highest counts first, ties by value; at most `limit` (0 = all).
  std::vector<Item> Top(size_t limit) const;
  size_t size() const { return counts_.size(); }
  template <typename Fn>
  void ForEachHash(Fn fn) const {
    for (const auto& entry : counts_) fn(entry.first);
  }

 private:
  static constexpr int64_t kSampleEvery = 8;
  void Decrement();
  size_t capacity_;
  bool exact_ = true;
  int64_t seen_after_full_ = 0;
  std::unordered_map<uint64_t, Item> counts_;
};

// Duplicate rows by row hash, with bounded memory: exact while the distinct
// row hashes fit `capacity`; then only hashes in a shrinking fraction 2^-level
// of the hash space are kept, and duplicates are counted there and scaled up
// (copies of a row share a hash, so they are kept or dropped together).
class DuplicateCounter {
 public:
  explicit DuplicateCounter(size_t capacity = size_t{1} << 21) : capacity_(capacity) {}
  // Sizes the table for about `rows` rows up front (no rehashing on the way).
  void Reserve(int64_t rows);
  void Add(uint64_t row_hash);
  int64_t Duplicates() const;
  bool exact() const { return level_ == 0; }

 private:
  bool Kept(uint64_t hash) const { return level_ == 0 || (hash >> (64 - level_)) == 0; }
  void Raise();
  void Rehash(size_t slots);
  bool Insert(uint64_t hash);  // true when new
  size_t capacity_;
  int level_ = 0;
  std::vector<uint64_t> hashes_;
  std::unordered_map<uint64_t, int64_t> extra_;  // occurrences beyond the first
  size_t size_ = 0;
  int64_t kept_rows_ = 0;
};

}  // namespace refinery::profile
