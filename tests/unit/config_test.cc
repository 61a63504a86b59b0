// Unit tests of tether/config.h: log levels, endpoint URLs, RunnerConfig::Validate and FromEnv.
#include "tether/config.h"

#include <stdlib.h>  // setenv, unsetenv
#include <unistd.h>  // environ

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tether {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Empties the RIVET_* part of the environment for one test and restores the whole environment
// the test touched afterwards, so tests neither see the developer's variables nor leak their own.
class ScopedRivetEnv {
 public:
  ScopedRivetEnv() {
    for (const std::string& name : RivetNames()) {
      Save(name);
      unsetenv(name.c_str());
    }
  }
  ~ScopedRivetEnv() {
    for (const std::string& name : RivetNames()) unsetenv(name.c_str());
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }
  ScopedRivetEnv(const ScopedRivetEnv&) = delete;
  ScopedRivetEnv& operator=(const ScopedRivetEnv&) = delete;

  void Set(const std::string& name, const std::string& value) {
    Save(name);
    setenv(name.c_str(), value.c_str(), 1);
  }

 private:
  // Collected first: unsetenv while walking environ would skip entries.
  static std::vector<std::string> RivetNames() {
    std::vector<std::string> names;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string text(*entry);
      if (text.starts_with("RIVET_")) names.push_back(text.substr(0, text.find('=')));
    }
    return names;
  }

  // Remembers the value from before the test, the first time a name is touched.
  void Save(const std::string& name) {
    if (saved_.contains(name)) return;
    const char* value = getenv(name.c_str());
    saved_.emplace(name, value == nullptr ? std::nullopt : std::optional<std::string>(value));
  }

  std::map<std::string, std::optional<std::string>> saved_;
};

template <typename T>
std::string ErrorOf(const absl::StatusOr<T>& result) {
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(result.status().message());
}

std::string ErrorOf(const absl::Status& status) {
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

// ---------------------------------------------------------------------------------------------
// ParseLogLevel

TEST(ParseLogLevelTest, AcceptsEveryLevelInAnyCase) {
  EXPECT_EQ(ParseLogLevel("trace").value(), LogLevel::kTrace);
  EXPECT_EQ(ParseLogLevel("DEBUG").value(), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("Info").value(), LogLevel::kInfo);
  EXPECT_EQ(ParseLogLevel("warn").value(), LogLevel::kWarn);
  EXPECT_EQ(ParseLogLevel("WARNING").value(), LogLevel::kWarn);
  EXPECT_EQ(ParseLogLevel("error").value(), LogLevel::kError);
}

TEST(ParseLogLevelTest, RejectsOtherWordsNamingThem) {
  EXPECT_THAT(ErrorOf(ParseLogLevel("verbose")), HasSubstr("\"verbose\""));
  ErrorOf(ParseLogLevel(""));
  ErrorOf(ParseLogLevel(" info"));
}

// ---------------------------------------------------------------------------------------------
// ParseEndpoint

TEST(ParseEndpointTest, DefaultPortsFollowTheScheme) {
  const Endpoint http = ParseEndpoint("http://localhost").value();
  EXPECT_FALSE(http.tls);
  EXPECT_EQ(http.host, "localhost");
  EXPECT_EQ(http.port, 80);
  EXPECT_EQ(http.path_prefix, "");
  EXPECT_EQ(http.namespace_name, "");
  EXPECT_EQ(http.token, "");

  EXPECT_EQ(ParseEndpoint("ws://h").value().port, 80);
  EXPECT_FALSE(ParseEndpoint("ws://h").value().tls);
  EXPECT_EQ(ParseEndpoint("https://h").value().port, 443);
  EXPECT_TRUE(ParseEndpoint("https://h").value().tls);
  EXPECT_EQ(ParseEndpoint("wss://h").value().port, 443);
  EXPECT_TRUE(ParseEndpoint("wss://h").value().tls);
}

TEST(ParseEndpointTest, SchemeIsCaseInsensitive) {
  EXPECT_TRUE(ParseEndpoint("HTTPS://h").value().tls);
  EXPECT_FALSE(ParseEndpoint("Ws://h").value().tls);
}

TEST(ParseEndpointTest, RejectsOtherOrMissingSchemes) {
  EXPECT_THAT(ErrorOf(ParseEndpoint("ftp://h")), HasSubstr("\"ftp\""));
  EXPECT_THAT(ErrorOf(ParseEndpoint("localhost:6420")), HasSubstr("no scheme"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("://h")), HasSubstr("malformed scheme"));
}

TEST(ParseEndpointTest, ExplicitPort) {
  EXPECT_EQ(ParseEndpoint("http://127.0.0.1:6420").value().port, 6420);
  EXPECT_EQ(ParseEndpoint("https://h:1").value().port, 1);
  EXPECT_EQ(ParseEndpoint("https://h:65535").value().port, 65535);
  // An empty port means the default, as for WHATWG URLs (and so RivetKit).
  EXPECT_EQ(ParseEndpoint("https://h:/x").value().port, 443);
}

TEST(ParseEndpointTest, RejectsBadPorts) {
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://h:0")), HasSubstr("port 0"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://h:65536")), HasSubstr("port 65536"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://h:99999999999")), HasSubstr("not in 1..65535"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://h:abc")), HasSubstr("port is not a decimal number"));
  ErrorOf(ParseEndpoint("http://h:-1"));
  ErrorOf(ParseEndpoint("http://h:+80"));
  ErrorOf(ParseEndpoint("http://h: 80"));
  ErrorOf(ParseEndpoint("http://h:0x50"));
}

TEST(ParseEndpointTest, RejectsEmptyOrMalformedHost) {
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://")), HasSubstr("host is empty"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://:6420")), HasSubstr("host is empty"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http:///rivet")), HasSubstr("host is empty"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://ns:tok@")), HasSubstr("host is empty"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://ho st")), HasSubstr("invalid character in host"));
}

TEST(ParseEndpointTest, Ipv6HostsAreBracketed) {
  const Endpoint with_port = ParseEndpoint("http://[::1]:6420/rivet").value();
  EXPECT_EQ(with_port.host, "::1");
  EXPECT_EQ(with_port.port, 6420);
  EXPECT_EQ(with_port.path_prefix, "/rivet");
  EXPECT_EQ(ParseEndpoint("https://[2001:db8::7]").value().port, 443);
  EXPECT_EQ(ParseEndpoint("https://[::ffff:10.0.0.1]").value().host, "::ffff:10.0.0.1");

  EXPECT_THAT(ErrorOf(ParseEndpoint("http://::1:6420")), HasSubstr("must be in brackets"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://[::1")), HasSubstr("no closing ']'"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://[]")), HasSubstr("malformed IPv6 host"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://[zz::1]")), HasSubstr("malformed IPv6 host"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://[::1]x")), HasSubstr("after the IPv6 host"));
}

TEST(ParseEndpointTest, KeepsPathPrefixWithoutTrailingSlash) {
  EXPECT_EQ(ParseEndpoint("http://h/").value().path_prefix, "");
  EXPECT_EQ(ParseEndpoint("http://h/rivet").value().path_prefix, "/rivet");
  EXPECT_EQ(ParseEndpoint("http://h:1/a/b/").value().path_prefix, "/a/b");
  EXPECT_EQ(ParseEndpoint("http://h/a//").value().path_prefix, "/a");
  EXPECT_EQ(ParseEndpoint("http://h/a%20b").value().path_prefix, "/a%20b");
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://h/a b")), HasSubstr("invalid character in path"));
}

TEST(ParseEndpointTest, RejectsQueryAndFragmentSayingWhich) {
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://h/x?namespace=a")), HasSubstr("query"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://h?")), HasSubstr("query"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://h/x#top")), HasSubstr("fragment"));
  EXPECT_THAT(ErrorOf(ParseEndpoint("http://h#")), HasSubstr("fragment"));
}

TEST(ParseEndpointTest, UserInfoGivesNamespaceAndToken) {
  const Endpoint both = ParseEndpoint("https://my-ns:s3cret@api.example.com/rivet").value();
  EXPECT_EQ(both.namespace_name, "my-ns");
  EXPECT_EQ(both.token, "s3cret");
  EXPECT_EQ(both.host, "api.example.com");
  EXPECT_EQ(both.path_prefix, "/rivet");

  const Endpoint name_only = ParseEndpoint("https://my-ns@h").value();
  EXPECT_EQ(name_only.namespace_name, "my-ns");
  EXPECT_EQ(name_only.token, "");

  const Endpoint token_only = ParseEndpoint("https://:tok@h").value();
  EXPECT_EQ(token_only.namespace_name, "");
  EXPECT_EQ(token_only.token, "tok");
}

TEST(ParseEndpointTest, UserInfoIsPercentDecoded) {
  const Endpoint endpoint = ParseEndpoint("http://my%2dns:a%40b%3Ac%2F%25@h:8080").value();
  EXPECT_EQ(endpoint.namespace_name, "my-ns");
  EXPECT_EQ(endpoint.token, "a@b:c/%");
  EXPECT_EQ(endpoint.port, 8080);
  // The last '@' ends the user info, so an unescaped '@' in the token still works.
  EXPECT_EQ(ParseEndpoint("http://ns:a@b@h").value().token, "a@b");
}

TEST(ParseEndpointTest, BadPercentEncodingIsAnErrorThatHidesTheToken) {
  for (const char* url : {"http://ns:sec%zzret@h", "http://ns:secret%4@h", "http://ns:secret%@h"}) {
    const std::string error = ErrorOf(ParseEndpoint(url));
    EXPECT_THAT(error, HasSubstr("percent-encoding")) << url;
    EXPECT_THAT(error, Not(HasSubstr("sec"))) << url;
  }
}

TEST(ParseEndpointTest, PortErrorDoesNotEchoATokenWithAnUnescapedSlash) {
  EXPECT_THAT(ErrorOf(ParseEndpoint("https://ns:secret/x@h")), Not(HasSubstr("secret")));
}

TEST(EndpointTest, WebSocketBase) {
  EXPECT_EQ(ParseEndpoint("http://127.0.0.1:6420").value().WebSocketBase(), "ws://127.0.0.1:6420");
  EXPECT_EQ(ParseEndpoint("https://ns:t@api.example.com/rivet/").value().WebSocketBase(),
            "wss://api.example.com:443/rivet");
  EXPECT_EQ(ParseEndpoint("ws://[::1]:7000/p").value().WebSocketBase(), "ws://[::1]:7000/p");
  EXPECT_EQ(ParseEndpoint("wss://h").value().WebSocketBase(), "wss://h:443");
}

// ---------------------------------------------------------------------------------------------
// RunnerConfig::Validate

TEST(ValidateTest, DefaultsAreValid) { EXPECT_TRUE(RunnerConfig().Validate().ok()); }

TEST(ValidateTest, EndpointMustParse) {
  RunnerConfig config;
  config.endpoint = "http://h?x=1";
  const std::string error = ErrorOf(config.Validate());
  EXPECT_THAT(error, HasSubstr("endpoint (RIVET_ENDPOINT)"));
  EXPECT_THAT(error, HasSubstr("query"));
}

TEST(ValidateTest, NamespaceFollowsTheEngineRules) {
  for (const std::string& good : std::vector<std::string>{"default", "a", "my-ns-1", "0", std::string(64, 'x')}) {
    RunnerConfig config;
    config.namespace_name = good;
    EXPECT_TRUE(config.Validate().ok()) << good;
  }
  const std::pair<std::string, std::string> bad[] = {
      {"", "must not be empty"},
      {std::string(65, 'x'), "longer than 64"},
      {"Default", "only a-z, 0-9 and '-'"},
      {"my_ns", "only a-z, 0-9 and '-'"},
      {"my ns", "only a-z, 0-9 and '-'"},
      {"-ns", "start or end with '-'"},
      {"ns-", "start or end with '-'"},
      {"my--ns", "\"--\""},
  };
  for (const auto& [name, why] : bad) {
    RunnerConfig config;
    config.namespace_name = name;
    const std::string error = ErrorOf(config.Validate());
    EXPECT_THAT(error, HasSubstr("namespace_name (RIVET_NAMESPACE)")) << name;
    EXPECT_THAT(error, HasSubstr(why)) << name;
  }
}

TEST(ValidateTest, NamespaceFromTheUrlUserInfoWins) {
  RunnerConfig config;
  config.namespace_name = "";  // overridden by the URL, so not checked
  config.endpoint = "http://good-ns@h";
  EXPECT_TRUE(config.Validate().ok());

  config.namespace_name = "default";
  config.endpoint = "http://Bad_NS:tok@h";
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("namespace in the user info of endpoint (RIVET_ENDPOINT)"));

  // A token without a namespace leaves namespace_name in charge.
  config.namespace_name = "";
  config.endpoint = "http://:tok@h";
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("namespace_name (RIVET_NAMESPACE)"));
}

TEST(ValidateTest, RunnerName) {
  RunnerConfig config;
  config.runner_name = std::string(128, 'r');
  EXPECT_TRUE(config.Validate().ok());
  config.runner_name = "";
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("runner_name (RIVET_POOL) must not be empty"));
  config.runner_name = std::string(129, 'r');
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("runner_name (RIVET_POOL) is 129 characters"));
}

TEST(ValidateTest, RunnerKey) {
  RunnerConfig config;
  config.runner_key = std::string(128, 'k');
  EXPECT_TRUE(config.Validate().ok());
  config.runner_key = " ~printable ascii 0123 !";
  EXPECT_TRUE(config.Validate().ok());
  config.runner_key = std::string(129, 'k');
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("runner_key (RIVET_RUNNER_KEY) is 129 characters"));
  config.runner_key = "ab\ncd";
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("not printable ASCII at offset 2"));
  config.runner_key = "caf\xc3\xa9";
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("not printable ASCII at offset 3"));
  config.runner_key = std::string("a\x7f", 2);
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("offset 1"));
}

TEST(ValidateTest, TotalSlots) {
  RunnerConfig config;
  config.total_slots = 0;
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("total_slots (RIVET_TOTAL_SLOTS) must be > 0"));
}

TEST(ValidateTest, MetadataIsEmptyOrAJsonObject) {
  RunnerConfig config;
  for (const char* good : {"", "{}", R"({"region": "eu", "n": [1, 2]})"}) {
    config.metadata_json = good;
    EXPECT_TRUE(config.Validate().ok()) << good;
  }
  for (const char* bad : {"[]", "1", "\"s\"", "null", "{", "not json", "{} {}"}) {
    config.metadata_json = bad;
    EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("metadata_json")) << bad;
  }
}

TEST(ValidateTest, PrepopulatedActorMetadataIsAJsonObject) {
  RunnerConfig config;
  config.prepopulate_actor_names = {{"counter", "{}"}, {"chat", R"({"metadata": {"a": 1}})"}};
  EXPECT_TRUE(config.Validate().ok());
  config.prepopulate_actor_names["broken"] = "";
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("prepopulate_actor_names[\"broken\"] must be a JSON object"));
  config.prepopulate_actor_names["broken"] = "[1]";
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("prepopulate_actor_names[\"broken\"]"));
}

TEST(ValidateTest, ReconnectDelays) {
  using std::chrono::milliseconds;
  RunnerConfig config;
  config.reconnect.initial_delay = milliseconds(5);
  config.reconnect.max_delay = milliseconds(5);
  config.reconnect.give_up_after = milliseconds(0);
  EXPECT_TRUE(config.Validate().ok());

  config.reconnect.initial_delay = milliseconds(0);
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("reconnect.initial_delay must be positive"));
  config.reconnect.initial_delay = milliseconds(-1);
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("reconnect.initial_delay must be positive"));
  config.reconnect.initial_delay = milliseconds(1);
  config.reconnect.max_delay = milliseconds(0);
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("reconnect.max_delay must be positive"));
  config.reconnect.initial_delay = milliseconds(2000);
  config.reconnect.max_delay = milliseconds(1000);
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("greater than reconnect.max_delay"));
  config.reconnect.initial_delay = milliseconds(1000);
  config.reconnect.give_up_after = milliseconds(-1);
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("reconnect.give_up_after"));
}

TEST(ValidateTest, TimeoutsAndThreads) {
  using std::chrono::milliseconds;
  RunnerConfig config;
  config.kv_timeout = milliseconds(0);
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("kv_timeout must be positive"));
  config = RunnerConfig();
  config.drain_timeout = milliseconds(-5);
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("drain_timeout must be positive"));
  config = RunnerConfig();
  config.actor_threads = -1;
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("actor_threads must not be negative"));
  config.actor_threads = 4;
  EXPECT_TRUE(config.Validate().ok());
}

class CaFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tether-config-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(CaFileTest, ReadableFileIsAccepted) {
  const std::filesystem::path pem = dir_ / "ca.pem";
  std::ofstream(pem) << "-----BEGIN CERTIFICATE-----\n";
  RunnerConfig config;
  config.tls.extra_ca_file = pem.string();
  EXPECT_TRUE(config.Validate().ok());
}

TEST_F(CaFileTest, MissingFileOrDirectoryIsRejected) {
  RunnerConfig config;
  config.tls.extra_ca_file = (dir_ / "missing.pem").string();
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("tls.extra_ca_file"));
  config.tls.extra_ca_file = dir_.string();
  EXPECT_THAT(ErrorOf(config.Validate()), HasSubstr("is not a regular file"));
}

TEST(ValidateTest, NeverEchoesTheToken) {
  RunnerConfig config;
  config.token = "tok-secret-1";
  config.namespace_name = "tok-secret-1--";  // a token pasted into the wrong field
  EXPECT_THAT(ErrorOf(config.Validate()), Not(HasSubstr("tok-secret-1")));

  config = RunnerConfig();
  config.endpoint = "http://Urlsecret:Urlsecret@h";  // an invalid namespace equal to the URL token
  EXPECT_THAT(ErrorOf(config.Validate()), Not(HasSubstr("Urlsecret")));
}

// ---------------------------------------------------------------------------------------------
// RunnerConfig::FromEnv

class FromEnvTest : public ::testing::Test {
 protected:
  ScopedRivetEnv env_;
  std::vector<std::string> warnings_;
};

TEST_F(FromEnvTest, NoVariablesGiveTheDefaults) {
  const RunnerConfig config = RunnerConfig::FromEnv(&warnings_).value();
  const RunnerConfig defaults;
  EXPECT_EQ(config.endpoint, defaults.endpoint);
  EXPECT_EQ(config.token, "");
  EXPECT_EQ(config.namespace_name, "default");
  EXPECT_EQ(config.runner_name, "default");
  EXPECT_EQ(config.runner_key, "");
  EXPECT_EQ(config.version, 1u);
  EXPECT_EQ(config.total_slots, 1000u);
  EXPECT_EQ(config.log_level, LogLevel::kInfo);
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(FromEnvTest, ReadsEveryVariable) {
  env_.Set("RIVET_ENDPOINT", "https://engine.example.com/rivet");
  env_.Set("RIVET_TOKEN", "t0ken");
  env_.Set("RIVET_NAMESPACE", "prod");
  env_.Set("RIVET_POOL", "workers");
  env_.Set("RIVET_RUNNER_KEY", "host-1");
  env_.Set("RIVET_RUNNER_VERSION", "4294967295");
  env_.Set("RIVET_TOTAL_SLOTS", "25");
  env_.Set("RIVET_LOG_LEVEL", "Debug");
  const RunnerConfig config = RunnerConfig::FromEnv(&warnings_).value();
  EXPECT_EQ(config.endpoint, "https://engine.example.com/rivet");
  EXPECT_EQ(config.token, "t0ken");
  EXPECT_EQ(config.namespace_name, "prod");
  EXPECT_EQ(config.runner_name, "workers");
  EXPECT_EQ(config.runner_key, "host-1");
  EXPECT_EQ(config.version, 4294967295u);
  EXPECT_EQ(config.total_slots, 25u);
  EXPECT_EQ(config.log_level, LogLevel::kDebug);
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(FromEnvTest, EmptyVariablesCountAsUnset) {
  for (const char* name : {"RIVET_ENDPOINT", "RIVET_TOKEN", "RIVET_NAMESPACE", "RIVET_POOL", "RIVET_RUNNER_KEY",
                           "RIVET_RUNNER_VERSION", "RIVET_TOTAL_SLOTS", "RIVET_LOG_LEVEL", "RIVET_UNKNOWN"}) {
    env_.Set(name, "");
  }
  const RunnerConfig config = RunnerConfig::FromEnv(&warnings_).value();
  EXPECT_EQ(config.endpoint, RunnerConfig().endpoint);
  EXPECT_EQ(config.namespace_name, "default");
  EXPECT_EQ(config.runner_name, "default");
  EXPECT_EQ(config.version, 1u);
  EXPECT_EQ(config.total_slots, 1000u);
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(FromEnvTest, RunnerVersionZeroIsAllowed) {
  env_.Set("RIVET_RUNNER_VERSION", "0");
  EXPECT_EQ(RunnerConfig::FromEnv().value().version, 0u);
}

TEST_F(FromEnvTest, MalformedNumbersNameTheVariableAndValue) {
  for (const char* name : {"RIVET_RUNNER_VERSION", "RIVET_TOTAL_SLOTS"}) {
    for (const char* value : {"abc", "-1", "+1", " 1", "1 ", "1.5", "0x10", "4294967296", "99999999999999999999"}) {
      env_.Set(name, value);
      const std::string error = ErrorOf(RunnerConfig::FromEnv());
      EXPECT_THAT(error, HasSubstr(name)) << value;
      EXPECT_THAT(error, HasSubstr(std::string("\"") + value + "\"")) << value;
    }
    unsetenv(name);
  }
}

TEST_F(FromEnvTest, TotalSlotsMustBePositive) {
  env_.Set("RIVET_TOTAL_SLOTS", "0");
  const std::string error = ErrorOf(RunnerConfig::FromEnv());
  EXPECT_THAT(error, HasSubstr("RIVET_TOTAL_SLOTS \"0\""));
  EXPECT_THAT(error, HasSubstr("from 1 to 4294967295"));
}

TEST_F(FromEnvTest, MalformedLogLevelNamesTheVariableAndValue) {
  env_.Set("RIVET_LOG_LEVEL", "loud");
  const std::string error = ErrorOf(RunnerConfig::FromEnv());
  EXPECT_THAT(error, HasSubstr("RIVET_LOG_LEVEL \"loud\""));
}

TEST_F(FromEnvTest, MalformedEndpointNamesTheVariableAndValue) {
  env_.Set("RIVET_ENDPOINT", "http://h#frag");
  const std::string error = ErrorOf(RunnerConfig::FromEnv());
  EXPECT_THAT(error, HasSubstr("RIVET_ENDPOINT \"http://h#frag\""));
  EXPECT_THAT(error, HasSubstr("fragment"));
}

TEST_F(FromEnvTest, EndpointUserInfoFillsNamespaceAndToken) {
  env_.Set("RIVET_ENDPOINT", "https://team-a:abc%2Edef@api.example.com");
  const RunnerConfig config = RunnerConfig::FromEnv().value();
  EXPECT_EQ(config.namespace_name, "team-a");
  EXPECT_EQ(config.token, "abc.def");
  EXPECT_EQ(config.endpoint, "https://team-a:abc%2Edef@api.example.com");
}

TEST_F(FromEnvTest, UserInfoTokenAloneKeepsTheNamespaceVariable) {
  env_.Set("RIVET_ENDPOINT", "https://:tok@h");
  env_.Set("RIVET_NAMESPACE", "ns");
  const RunnerConfig config = RunnerConfig::FromEnv().value();
  EXPECT_EQ(config.namespace_name, "ns");
  EXPECT_EQ(config.token, "tok");
}

TEST_F(FromEnvTest, SameValuesInUserInfoAndVariablesAgree) {
  env_.Set("RIVET_ENDPOINT", "https://ns:tok@h");
  env_.Set("RIVET_NAMESPACE", "ns");
  env_.Set("RIVET_TOKEN", "tok");
  const RunnerConfig config = RunnerConfig::FromEnv().value();
  EXPECT_EQ(config.namespace_name, "ns");
  EXPECT_EQ(config.token, "tok");
}

TEST_F(FromEnvTest, ConflictingNamespaceNamesBothSources) {
  env_.Set("RIVET_ENDPOINT", "https://ns-a:tok@h");
  env_.Set("RIVET_NAMESPACE", "ns-b");
  const std::string error = ErrorOf(RunnerConfig::FromEnv());
  EXPECT_THAT(error, HasSubstr("RIVET_ENDPOINT"));
  EXPECT_THAT(error, HasSubstr("RIVET_NAMESPACE"));
  EXPECT_THAT(error, HasSubstr("\"ns-a\""));
  EXPECT_THAT(error, HasSubstr("\"ns-b\""));
}

TEST_F(FromEnvTest, ConflictingTokenNamesBothSourcesButNoToken) {
  env_.Set("RIVET_ENDPOINT", "https://ns:url-secret@h");
  env_.Set("RIVET_TOKEN", "env-secret");
  const std::string error = ErrorOf(RunnerConfig::FromEnv());
  EXPECT_THAT(error, HasSubstr("RIVET_ENDPOINT"));
  EXPECT_THAT(error, HasSubstr("RIVET_TOKEN"));
  EXPECT_THAT(error, Not(HasSubstr("secret")));
}

TEST_F(FromEnvTest, RivetEngineIsTheEndpointWhenRivetEndpointIsUnset) {
  env_.Set("RIVET_ENGINE", "http://engine:6420");
  EXPECT_EQ(RunnerConfig::FromEnv(&warnings_).value().endpoint, "http://engine:6420");
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(FromEnvTest, RivetEngineUserInfoAndErrorsNameRivetEngine) {
  env_.Set("RIVET_ENGINE", "http://ns-a@engine");
  env_.Set("RIVET_NAMESPACE", "ns-b");
  EXPECT_THAT(ErrorOf(RunnerConfig::FromEnv()), HasSubstr("user info of RIVET_ENGINE"));
  env_.Set("RIVET_ENGINE", "gopher://engine");
  EXPECT_THAT(ErrorOf(RunnerConfig::FromEnv()), HasSubstr("invalid RIVET_ENGINE"));
}

TEST_F(FromEnvTest, RivetEndpointWinsOverADifferentRivetEngineWithAWarning) {
  env_.Set("RIVET_ENDPOINT", "http://a:1");
  env_.Set("RIVET_ENGINE", "http://b:2");
  EXPECT_EQ(RunnerConfig::FromEnv(&warnings_).value().endpoint, "http://a:1");
  ASSERT_THAT(warnings_, ElementsAre(HasSubstr("RIVET_ENGINE ignored")));

  warnings_.clear();
  env_.Set("RIVET_ENGINE", "http://a:1");
  EXPECT_TRUE(RunnerConfig::FromEnv(&warnings_).ok());
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(FromEnvTest, UnknownRivetVariablesAreWarnedAbout) {
  env_.Set("RIVET_FOO", "1");
  env_.Set("RIVET_TOTAL_SLOT", "5");  // a typo of RIVET_TOTAL_SLOTS
  env_.Set("RIVETFOO", "1");          // not the RIVET_ prefix
  env_.Set("NOT_RIVET_X", "1");
  EXPECT_TRUE(RunnerConfig::FromEnv(&warnings_).ok());
  EXPECT_THAT(warnings_, ElementsAre("unknown environment variable RIVET_FOO ignored",
                                     "unknown environment variable RIVET_TOTAL_SLOT ignored"));
}

TEST_F(FromEnvTest, OldRunnerNameVariablePointsToRivetPool) {
  env_.Set("RIVET_RUNNER", "workers");
  EXPECT_EQ(RunnerConfig::FromEnv(&warnings_).value().runner_name, "default");
  EXPECT_THAT(warnings_, ElementsAre("unknown environment variable RIVET_RUNNER ignored (the runner name is read "
                                     "from RIVET_POOL)"));
}

TEST_F(FromEnvTest, RivetKitClientVariablesAndEngineSettingsAreNotWarnedAbout) {
  env_.Set("RIVET_PUBLIC_ENDPOINT", "https://ns@public.example.com");
  env_.Set("RIVET_PUBLIC_TOKEN", "pk");
  env_.Set("RIVET__AUTH__ADMIN_TOKEN", "admin");
  EXPECT_TRUE(RunnerConfig::FromEnv(&warnings_).ok());
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(FromEnvTest, WarningsAreReportedEvenWhenAValueIsMalformed) {
  env_.Set("RIVET_FOO", "1");
  env_.Set("RIVET_TOTAL_SLOTS", "many");
  EXPECT_FALSE(RunnerConfig::FromEnv(&warnings_).ok());
  EXPECT_THAT(warnings_, ElementsAre(HasSubstr("RIVET_FOO")));
}

TEST_F(FromEnvTest, WarningsMayBeDiscarded) {
  env_.Set("RIVET_FOO", "1");
  EXPECT_TRUE(RunnerConfig::FromEnv().ok());
}

TEST_F(FromEnvTest, EndsWithValidate) {
  env_.Set("RIVET_POOL", std::string(129, 'p'));
  EXPECT_THAT(ErrorOf(RunnerConfig::FromEnv()), HasSubstr("runner_name (RIVET_POOL)"));
  env_.Set("RIVET_POOL", "ok");
  env_.Set("RIVET_NAMESPACE", "Bad");
  EXPECT_THAT(ErrorOf(RunnerConfig::FromEnv()), HasSubstr("namespace_name (RIVET_NAMESPACE) \"Bad\""));
}

// The token must not reach any message, whichever variable a mistaken copy of it ends up in.
TEST_F(FromEnvTest, NeverEchoesTheToken) {
  const std::string token = "Sup3r_Secret";
  env_.Set("RIVET_TOKEN", token);
  const std::pair<const char*, std::string> misplaced[] = {
      {"RIVET_NAMESPACE", token},        {"RIVET_LOG_LEVEL", token},
      {"RIVET_TOTAL_SLOTS", token},      {"RIVET_RUNNER_VERSION", token},
      {"RIVET_RUNNER_KEY", token + "\n"}, {"RIVET_ENDPOINT", "http://h:" + token},
      {"RIVET_ENDPOINT", token},         {"RIVET_ENDPOINT", "http://ns:" + token + "@h?q"},
  };
  for (const auto& [name, value] : misplaced) {
    env_.Set(name, value);
    EXPECT_THAT(ErrorOf(RunnerConfig::FromEnv()), Not(HasSubstr(token))) << name << "=" << value;
    unsetenv(name);
  }
}

TEST_F(FromEnvTest, NeverEchoesTheEndpointToken) {
  const std::string token = "UrlSecret";
  for (const std::string& url : {"http://ns:" + token + "@h:99999", "http://ns:" + token + "@h/a b",
                                 "ftp://ns:" + token + "@h", "http://" + token + "--:" + token + "@h",
                                 "http://ns:" + token + "/x@h:bad"}) {
    env_.Set("RIVET_ENDPOINT", url);
    EXPECT_THAT(ErrorOf(RunnerConfig::FromEnv()), Not(HasSubstr(token))) << url;
  }
}

TEST(ValidateTokenTest, RefusesCharactersASubprotocolCannotCarry) {
  RunnerConfig config;
  config.token = "good-token_123.x~";
  EXPECT_TRUE(config.Validate().ok());
  for (const char* bad : {"has space", "a,b", "new\nline", "sl/ash"}) {
    config.token = bad;
    const absl::Status status = config.Validate();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("token (RIVET_TOKEN)")) << bad;
  }
}

}  // namespace
}  // namespace tether

