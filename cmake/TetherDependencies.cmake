# Every third-party dependency is a Debian 12 package; see scripts/setup.sh for the package names.
find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(nlohmann_json 3.10 CONFIG REQUIRED)

if(TETHER_FUZZ)
  return()
endif()

find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Boost 1.74 CONFIG REQUIRED)              # headers only: Beast and Asio
find_package(msgpack CONFIG REQUIRED)                 # Debian's msgpack-cxx 4.x: target msgpackc-cxx
find_package(Protobuf REQUIRED)                       # FindProtobuf module; Debian ships no config
find_package(gRPC CONFIG REQUIRED)                    # needs protobuf-compiler-grpc for its plugin checks
if(TETHER_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  find_package(benchmark CONFIG REQUIRED)
endif()
