#include "ext/migrations/sha256.h"

// The low-level SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, whose static
// link pulls in the provider machinery; these stay supported and link ~30 KB.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstdint>

namespace doctor::migrations {
namespace {

static_assert(sizeof(SHA256_CTX) <= 128, "Sha256::state_ too small for OpenSSL's SHA256_CTX");

SHA256_CTX* Ctx(unsigned char* state) { return reinterpret_cast<SHA256_CTX*>(state); }

std::string Hex(const uint8_t* digest, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 15];
  }
  return out;
}

}  // namespace

Sha256::Sha256() { SHA256_Init(Ctx(state_)); }

void Sha256::Update(absl::string_view bytes) {
  SHA256_Update(Ctx(state_), bytes.data(), bytes.size());
}

std::string Sha256::HexDigest() {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, Ctx(state_));
  SHA256_Init(Ctx(state_));
  return Hex(digest, SHA256_DIGEST_LENGTH);
}

std::string Sha256Hex(absl::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.HexDigest();
}

}  // namespace doctor::migrations
