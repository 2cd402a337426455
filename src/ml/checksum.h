// SHA-256 through OpenSSL's libcrypto, for the bundle's lineage: the
// checksum of each input's rows and the hash of the action's spec. Buffered,
// so feeding it one field at a time costs no more than a memcpy.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace refinery::ml {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // One field of a row, unambiguously: its length (8 bytes, little endian;
  // all ones for null) then its bytes.
  void UpdateField(std::string_view text, bool is_null);
  // "sha256:" + 64 lowercase hex digits. Call once; the object is spent.
  std::string Finish();

 private:
  void Flush();
  struct State;
  std::unique_ptr<State> state_;
  std::string buffer_;
};

// Sha256 of `text` in one call, as "sha256:<hex>".
std::string Sha256Of(std::string_view text);

}  // namespace refinery::ml
