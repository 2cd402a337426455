#include "profile/sketches.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace refinery::profile {

uint64_t MixHash(uint64_t value) {
  value ^= value >> 30;
  value *= 0xBF58476D1CE4E5B9ull;
  value ^= value >> 27;
  value *= 0x94D049BB133111EBull;
  value ^= value >> 31;
  return value;
}

uint64_t HashBytes(std::string_view bytes, uint64_t seed) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = seed ^ (bytes.size() * kMul);
  const char* p = bytes.data();
  size_t n = bytes.size();
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = (h ^ word) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t word = 0;
    std::memcpy(&word, p, n);
    h = (h ^ word) * kMul;
    h ^= h >> 29;
  }
  return MixHash(h);
}

// ---- HashSet ----

bool HashSet::Insert(uint64_t hash) {
  if (hash == 0) hash = 1;
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (slots_[i] == hash) return false;
    if (slots_[i] == 0) {
      slots_[i] = hash;
      ++size_;
      return true;
    }
  }
}

void HashSet::Grow() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, 0);
  size_ = 0;
  for (uint64_t hash : old) {
    if (hash != 0) Insert(hash);
  }
}

void HashSet::Clear() {
  std::vector<uint64_t>().swap(slots_);
  size_ = 0;
}

// ---- HyperLogLog ----

namespace {
constexpr int kHllBits = 14;
constexpr size_t kHllRegisters = size_t{1} << kHllBits;
}  // namespace

HyperLogLog::HyperLogLog() : registers_(kHllRegisters, 0) {}

void HyperLogLog::Add(uint64_t hash) {
  const size_t index = hash >> (64 - kHllBits);
  const uint64_t rest = (hash << kHllBits) | (uint64_t{1} << (kHllBits - 1));
  const uint8_t rank = static_cast<uint8_t>(std::countl_zero(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

double HyperLogLog::Estimate() const {
  const double m = static_cast<double>(kHllRegisters);
  double sum = 0;
  size_t zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    if (r == 0) ++zeros;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  const double raw = alpha * m * m / sum;
  if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / static_cast<double>(zeros));  // linear counting
  return raw;
}

// ---- DistinctCounter ----

void DistinctCounter::Add(uint64_t hash) {
  if (!exact_) {
    estimate_.Add(hash);
    return;
  }
  exact_set_.Insert(hash);
  if (exact_set_.size() <= exact_limit_) return;
  exact_ = false;
  exact_set_.ForEach([this](uint64_t h) { estimate_.Add(h); });
  exact_set_.Clear();
}

int64_t DistinctCounter::Count() const {
  if (exact_) return static_cast<int64_t>(exact_set_.size());
  return std::llround(estimate_.Estimate());
}

// ---- QuantileSample ----

double QuantileSample::Random() {
  rng_ += 0x9E3779B97F4A7C15ull;
  return (static_cast<double>(MixHash(rng_) >> 11) + 0.5) * 0x1.0p-53;  // in (0, 1)
}

// Li's algorithm L: the same uniform sample as algorithm R, but the gap to
// the next replaced item is drawn at once, so most values cost one compare.
void QuantileSample::Skip() {
  const double k = static_cast<double>(exact_limit_);
  weight_ *= std::exp(std::log(Random()) / k);
  next_ = seen_ + static_cast<int64_t>(std::floor(std::log(Random()) / std::log1p(-weight_))) + 1;
}

void QuantileSample::Add(double value) {
  ++seen_;
  if (values_.size() < exact_limit_) {
    values_.push_back(value);
    if (values_.size() == exact_limit_) Skip();
    return;
  }
  if (seen_ < next_) return;
  values_[static_cast<size_t>(MixHash(rng_ += 0x9E3779B97F4A7C15ull) % exact_limit_)] = value;
  Skip();
}

void QuantileSample::Finish() { std::sort(values_.begin(), values_.end()); }

double QuantileSample::Quantile(double q) const {
  if (values_.empty()) return std::nan("");
  const double position = q * static_cast<double>(values_.size() - 1);
  const size_t lower = static_cast<size_t>(std::floor(position));
  const size_t upper = std::min(lower + 1, values_.size() - 1);
  const double fraction = position - static_cast<double>(lower);
  return values_[lower] + (values_[upper] - values_[lower]) * fraction;
}

// ---- FrequentValues ----

void FrequentValues::Add(uint64_t hash, std::string_view value) {
  if (!exact_ && (MixHash(static_cast<uint64_t>(++seen_after_full_)) % kSampleEvery) != 0) return;
  auto it = counts_.find(hash);
  if (it != counts_.end()) {
    ++it->second.count;
    return;
  }
  if (counts_.size() >= capacity_) {
    exact_ = false;
    Decrement();
    return;
  }
  counts_.emplace(hash, Item{std::string(value), 1});
}

// Misra-Gries: a new value when the table is full takes one from everyone.
void FrequentValues::Decrement() {
  for (auto it = counts_.begin(); it != counts_.end();) {
    if (--it->second.count == 0) {
      it = counts_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<FrequentValues::Item> FrequentValues::Top(size_t limit) const {
  std::vector<Item> items;
  items.reserve(counts_.size());
  for (const auto& [hash, item] : counts_) {
    items.push_back(item);
    if (!exact_) items.back().count *= kSampleEvery;
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.count != b.count ? a.count > b.count : a.value < b.value;
  });
  if (limit != 0 && items.size() > limit) items.resize(limit);
  return items;
}

// ---- DuplicateCounter ----

void DuplicateCounter::Reserve(int64_t rows) {
  const size_t wanted = std::min(static_cast<size_t>(std::max<int64_t>(rows, 0)), capacity_);
  size_t slots = 1024;
  while (slots * 7 < wanted * 10) slots *= 2;
  if (slots > hashes_.size()) Rehash(slots);
}

void DuplicateCounter::Add(uint64_t row_hash) {
  if (row_hash == 0) row_hash = 1;
  if (!Kept(row_hash)) return;
  if (!Insert(row_hash)) ++extra_[row_hash];
  ++kept_rows_;
  while (size_ > capacity_) Raise();
}

// The table holds hashes only; the rare rows seen more than once keep their
// extra occurrences in extra_, so a new row touches one 8-byte slot.
bool DuplicateCounter::Insert(uint64_t hash) {
  if ((size_ + 1) * 10 > hashes_.size() * 7) Rehash(hashes_.empty() ? 1024 : hashes_.size() * 2);
  const size_t mask = hashes_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (hashes_[i] == hash) return false;
    if (hashes_[i] == 0) {
      hashes_[i] = hash;
      ++size_;
      return true;
    }
  }
}

void DuplicateCounter::Rehash(size_t slots) {
  std::vector<uint64_t> old = std::move(hashes_);
  hashes_.assign(slots, 0);
  size_ = 0;
  for (uint64_t hash : old) {
    if (hash != 0 && Kept(hash)) Insert(hash);
  }
}

// Keeps half the hash space: entries outside it leave, with their rows.
void DuplicateCounter::Raise() {
  ++level_;
  Rehash(hashes_.size());
  kept_rows_ = static_cast<int64_t>(size_);
  for (auto it = extra_.begin(); it != extra_.end();) {
    if (Kept(it->first)) {
      kept_rows_ += it->second;
      ++it;
    } else {
      it = extra_.erase(it);
    }
  }
}

int64_t DuplicateCounter::Duplicates() const {
  const int64_t kept_duplicates = kept_rows_ - static_cast<int64_t>(size_);
  return kept_duplicates << level_;
}

}  // namespace refinery::profile
