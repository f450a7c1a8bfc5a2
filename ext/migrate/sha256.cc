#include "ext/migrate/sha256.h"

#include <nettle/sha2.h>

#include <cstdint>

namespace doctor::migrate {
namespace {

static_assert(sizeof(sha256_ctx) <= 128, "Sha256::state_ too small for nettle's sha256_ctx");

sha256_ctx* Ctx(unsigned char* state) { return reinterpret_cast<sha256_ctx*>(state); }

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

Sha256::Sha256() { sha256_init(Ctx(state_)); }

void Sha256::Update(absl::string_view bytes) {
  sha256_update(Ctx(state_), bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data()));
}

std::string Sha256::HexDigest() {
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(Ctx(state_), SHA256_DIGEST_SIZE, digest);  // also re-initializes the context
  return Hex(digest, SHA256_DIGEST_SIZE);
}

std::string Sha256Hex(absl::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.HexDigest();
}

}  // namespace doctor::migrate
