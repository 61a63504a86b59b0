#include "test_certificates.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

namespace tether::net::testing {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;
using Extensions = std::vector<std::pair<int, const char*>>;

Key NewKey() { return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free); }

bool AddExtension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context{};
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// Self-signed when `issuer` is null.
Certificate NewCertificate(EVP_PKEY* key, const char* common_name, long serial, X509* issuer, EVP_PKEY* issuer_key,
                           const Extensions& extensions) {
  Certificate certificate(X509_new(), X509_free);
  X509* cert = certificate.get();
  X509* signer = issuer != nullptr ? issuer : cert;
  X509_NAME* subject = X509_get_subject_name(cert);
  const bool built =
      X509_set_version(cert, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(cert), serial) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600) != nullptr && X509_set_pubkey(cert, key) == 1 &&
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1,
                                 -1, 0) == 1 &&
      X509_set_issuer_name(cert, X509_get_subject_name(signer)) == 1;
  if (!built) return Certificate(nullptr, X509_free);
  for (const auto& [nid, value] : extensions) {
    if (!AddExtension(cert, signer, nid, value)) return Certificate(nullptr, X509_free);
  }
  if (X509_sign(cert, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    return Certificate(nullptr, X509_free);
  }
  return certificate;
}

template <class Write>
bool WritePem(const std::string& path, Write write) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return false;
  const bool written = write(file) == 1;
  return std::fclose(file) == 0 && written;
}

bool WriteCertificate(const std::string& path, X509* certificate) {
  return WritePem(path, [&](FILE* file) { return PEM_write_X509(file, certificate); });
}

bool WriteKey(const std::string& path, EVP_PKEY* key) {
  return WritePem(path,
                  [&](FILE* file) { return PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

std::optional<ServerTls> MakeServerCertificate(const std::string& dir, const std::string& name, const char* alt_names,
                                               long serial, X509* ca, EVP_PKEY* ca_key) {
  const Key key = NewKey();
  if (!key) return std::nullopt;
  const Certificate certificate =
      NewCertificate(key.get(), name.c_str(), serial, ca, ca_key,
                     {{NID_basic_constraints, "critical,CA:FALSE"},
                      {NID_key_usage, "critical,digitalSignature"},
                      {NID_ext_key_usage, "serverAuth"},
                      {NID_subject_alt_name, alt_names},
                      {NID_authority_key_identifier, "keyid"}});
  ServerTls files{dir + "/" + name + ".crt", dir + "/" + name + ".key"};
  if (!certificate || !WriteCertificate(files.cert_file, certificate.get()) || !WriteKey(files.key_file, key.get())) {
    return std::nullopt;
  }
  return files;
}

}  // namespace

std::optional<TestCertificates> MakeTestCertificates(const std::string& dir) {
  const Key ca_key = NewKey();
  if (!ca_key) return std::nullopt;
  const Certificate ca = NewCertificate(ca_key.get(), "tether test CA", 1, nullptr, nullptr,
                                        {{NID_basic_constraints, "critical,CA:TRUE"},
                                         {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                         {NID_subject_key_identifier, "hash"}});
  TestCertificates certificates;
  certificates.ca_file = dir + "/ca.crt";
  if (!ca || !WriteCertificate(certificates.ca_file, ca.get())) return std::nullopt;

  std::optional<ServerTls> localhost =
      MakeServerCertificate(dir, "localhost", "DNS:localhost,IP:127.0.0.1", 2, ca.get(), ca_key.get());
  std::optional<ServerTls> other_host =
      MakeServerCertificate(dir, "other.example", "DNS:other.example", 3, ca.get(), ca_key.get());
  if (!localhost || !other_host) return std::nullopt;
  certificates.localhost = *std::move(localhost);
  certificates.other_host = *std::move(other_host);
  return certificates;
}

}  // namespace tether::net::testing
