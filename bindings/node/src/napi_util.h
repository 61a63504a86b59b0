// Small helpers over the Node-API C interface: reading arguments, making values, throwing. Every
// reader returns std::nullopt after throwing a TypeError that names the argument, so a caller
// just returns nullptr; nothing here throws C++ exceptions.
//
// Threading: JavaScript thread only (they take the napi_env of a call).
#ifndef TETHER_BINDINGS_NODE_NAPI_UTIL_H_
#define TETHER_BINDINGS_NODE_NAPI_UTIL_H_

#include <node_api.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tether/http.h"

namespace tether::node {

// The arguments and `this` of a call.
struct CallArgs {
  napi_value self = nullptr;
  std::vector<napi_value> argv;
  void* data = nullptr;
};
CallArgs GetArgs(napi_env env, napi_callback_info info, std::size_t max_args);

// Throws a TypeError (or Error) with `message`; returns nullptr for `return Throw...(...)`.
napi_value ThrowType(napi_env env, const std::string& message);
napi_value ThrowError(napi_env env, const std::string& message);
// Throws if a Node-API call failed with an exception pending or a status; true if it did.
bool Failed(napi_env env, napi_status status);

napi_valuetype TypeOf(napi_env env, napi_value value);
bool IsNullish(napi_env env, napi_value value);

// Readers: `what` names the argument in the TypeError ("kvGet: actorId").
std::optional<std::string> GetString(napi_env env, napi_value value, std::string_view what);
std::optional<double> GetNumber(napi_env env, napi_value value, std::string_view what);
std::optional<std::uint32_t> GetUint32(napi_env env, napi_value value, std::string_view what);
std::optional<bool> GetBool(napi_env env, napi_value value, std::string_view what);
// Uint8Array, Buffer, any TypedArray/DataView, or ArrayBuffer: its bytes.
std::optional<std::string> GetBytes(napi_env env, napi_value value, std::string_view what);
std::optional<std::vector<napi_value>> GetArray(napi_env env, napi_value value, std::string_view what);
// [[name, value], ...] of strings.
std::optional<HttpHeaders> GetHeaders(napi_env env, napi_value value, std::string_view what);
// Property `name` of an object (undefined if absent).
napi_value GetProperty(napi_env env, napi_value object, const char* name);

// Makers: nullptr after a pending exception.
napi_value MakeString(napi_env env, std::string_view text);
napi_value MakeNumber(napi_env env, double number);
napi_value MakeBool(napi_env env, bool value);
napi_value MakeBigInt(napi_env env, std::int64_t value);
napi_value MakeNull(napi_env env);
napi_value MakeUndefined(napi_env env);
napi_value MakeArrayBuffer(napi_env env, std::string_view bytes);
napi_value MakeUint8Array(napi_env env, std::string_view bytes);
napi_value MakeArray(napi_env env, const std::vector<napi_value>& items);
napi_value MakeHeaders(napi_env env, const HttpHeaders& headers);
napi_value MakeObject(napi_env env, std::initializer_list<std::pair<const char*, napi_value>> fields);

}  // namespace tether::node

#endif  // TETHER_BINDINGS_NODE_NAPI_UTIL_H_
