// SHA-256 of a byte string as lowercase hex, the form Drizzle stores in __drizzle_migrations.hash
// (Node's crypto.createHash("sha256").update(text).digest("hex")). Pure, no SQLite.
//
// Backed by OpenSSL's libcrypto (Apache-2.0; Debian's libssl-dev ships a PIC static archive,
// linked into doctor.so so it stays self-contained: only the sha256 code, ~30 KB).
#ifndef DOCTOR_MIGRATIONS_SHA256_H_
#define DOCTOR_MIGRATIONS_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace doctor::migrations {

// Example: Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
std::string Sha256Hex(absl::string_view bytes);

// Incremental form for data that arrives in pieces.
class Sha256 {
 public:
  Sha256();
  void Update(absl::string_view bytes);
  std::string HexDigest();  // finishes; the object is reset afterwards

 private:
  alignas(16) unsigned char state_[128];
};

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_SHA256_H_
