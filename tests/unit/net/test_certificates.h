// A throwaway PKI for the wss:// tests, generated with OpenSSL's C API at test time.
#ifndef TETHER_TESTS_UNIT_NET_TEST_CERTIFICATES_H_
#define TETHER_TESTS_UNIT_NET_TEST_CERTIFICATES_H_

#include <optional>
#include <string>

#include "test_server.h"

namespace tether::net::testing {

struct TestCertificates {
  std::string ca_file;    // the CA certificate that signed both server certificates
  ServerTls localhost;    // subjectAltName DNS:localhost, IP:127.0.0.1
  ServerTls other_host;   // subjectAltName DNS:other.example only
};

// Writes PEM files into the existing directory `dir`; nullopt if OpenSSL failed.
std::optional<TestCertificates> MakeTestCertificates(const std::string& dir);

}  // namespace tether::net::testing

#endif  // TETHER_TESTS_UNIT_NET_TEST_CERTIFICATES_H_
