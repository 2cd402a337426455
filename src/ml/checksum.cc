#include "ml/checksum.h"

#include <openssl/evp.h>

#include <cstdint>

namespace refinery::ml {

namespace {
constexpr size_t kBufferBytes = 1 << 16;
}  // namespace

struct Sha256::State {
  EVP_MD_CTX* context = nullptr;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  state_->context = EVP_MD_CTX_new();
  if (state_->context != nullptr) EVP_DigestInit_ex(state_->context, EVP_sha256(), nullptr);
  buffer_.reserve(kBufferBytes);
}

Sha256::~Sha256() { EVP_MD_CTX_free(state_->context); }

void Sha256::Flush() {
  if (!buffer_.empty() && state_->context != nullptr) EVP_DigestUpdate(state_->context, buffer_.data(), buffer_.size());
  buffer_.clear();
}

void Sha256::Update(std::string_view bytes) {
  if (buffer_.size() + bytes.size() > kBufferBytes) Flush();
  if (bytes.size() >= kBufferBytes) {
    if (state_->context != nullptr) EVP_DigestUpdate(state_->context, bytes.data(), bytes.size());
    return;
  }
  buffer_.append(bytes);
}

void Sha256::UpdateField(std::string_view text, bool is_null) {
  const uint64_t length = is_null ? ~uint64_t{0} : text.size();
  char prefix[8];
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<char>((length >> (8 * i)) & 0xFF);
  Update(std::string_view(prefix, sizeof(prefix)));
  if (!is_null) Update(text);
}

std::string Sha256::Finish() {
  Flush();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (state_->context == nullptr || EVP_DigestFinal_ex(state_->context, digest, &size) != 1) return "sha256:error";
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::string Sha256Of(std::string_view text) {
  Sha256 hash;
  hash.Update(text);
  return hash.Finish();
}

}  // namespace refinery::ml
