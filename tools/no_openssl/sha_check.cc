// Prints the SHA-256 of 300 pseudo-random inputs (0..299 bytes, each fed in two pieces). Built
// once against tools/no_openssl and once against OpenSSL, the two outputs must be equal
// (`tools/windows test` does this).
#include <cstdio>
#include <random>
#include <string>

#include "openssl/sha.h"

int main() {
  std::mt19937 random(1);
  for (size_t length = 0; length < 300; ++length) {
    std::string bytes;
    for (size_t i = 0; i < length; ++i) bytes += static_cast<char>(random());
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    const size_t first = length / 3;
    SHA256_Update(&ctx, bytes.data(), first);
    SHA256_Update(&ctx, bytes.data() + first, length - first);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256_Final(digest, &ctx);
    for (unsigned char b : digest) std::printf("%02x", b);
    std::printf("\n");
  }
}
