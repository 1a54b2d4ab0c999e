#include "vending/sts/key_wrap.h"

#include <algorithm>
#include <array>
#include <memory>

#include <openssl/evp.h>

#include "common/crypto.h"

namespace pintar::sts {
namespace {

constexpr uint8_t kVersion = 0x01;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// The authenticated data: the version byte, then the caller's context.
bool add_aad(EVP_CIPHER_CTX* ctx, std::string_view context) {
  int length = 0;
  return EVP_CipherUpdate(ctx, nullptr, &length, &kVersion, 1) == 1 &&
         EVP_CipherUpdate(ctx, nullptr, &length, reinterpret_cast<const uint8_t*>(context.data()),
                          static_cast<int>(context.size())) == 1;
}

}  // namespace

Result<std::vector<uint8_t>> wrap_key(const Secret& kek, std::span<const uint8_t> key, std::string_view context) {
  if (kek.size() != kKekSize) return Status::invalid_argument("the key-encryption key must be 32 bytes (AES-256)");
  std::vector<uint8_t> out(1 + kNonceSize + key.size() + kTagSize);
  out[0] = kVersion;
  PINTAR_RETURN_IF_ERROR(crypto::random_bytes(std::span(out).subspan(1, kNonceSize)));
  uint8_t* nonce = out.data() + 1;
  uint8_t* body = nonce + kNonceSize;

  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, kek.bytes().data(), nonce) != 1 ||
      !add_aad(ctx.get(), context) ||
      EVP_EncryptUpdate(ctx.get(), body, &length, key.data(), static_cast<int>(key.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, body + key.size()) != 1) {
    return Status::internal("AES-256-GCM key wrapping failed in OpenSSL");
  }
  return out;
}

Result<Secret> unwrap_key(const Secret& kek, std::span<const uint8_t> wrapped, std::string_view context) {
  if (kek.size() != kKekSize) return Status::invalid_argument("the key-encryption key must be 32 bytes (AES-256)");
  if (wrapped.size() < 1 + kNonceSize + kTagSize || wrapped[0] != kVersion) {
    return Status::corruption("the wrapped key is truncated or of an unknown version");
  }
  const uint8_t* nonce = wrapped.data() + 1;
  const uint8_t* body = nonce + kNonceSize;
  const size_t body_size = wrapped.size() - 1 - kNonceSize - kTagSize;
  std::vector<uint8_t> plain(body_size);
  std::array<uint8_t, kTagSize> tag;
  std::copy(body + body_size, body + body_size + kTagSize, tag.begin());

  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0;
  const bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, kek.bytes().data(), nonce) == 1 &&
                  add_aad(ctx.get(), context) &&
                  EVP_DecryptUpdate(ctx.get(), plain.data(), &length, body, static_cast<int>(body_size)) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
                  EVP_DecryptFinal_ex(ctx.get(), plain.data() + length, &length) == 1;
  if (!ok) {
    crypto::cleanse(plain);
    return Status::corruption("the wrapped key does not authenticate (wrong KEK, wrong record, or altered)");
  }
  return Secret(std::move(plain));
}

}  // namespace pintar::sts
