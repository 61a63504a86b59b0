#include "napi_util.h"

#include <cstring>

namespace tether::node {

CallArgs GetArgs(napi_env env, napi_callback_info info, std::size_t max_args) {
  CallArgs args;
  std::size_t argc = max_args;
  args.argv.resize(max_args, nullptr);
  napi_get_cb_info(env, info, &argc, args.argv.data(), &args.self, &args.data);
  // Missing arguments read as undefined.
  napi_value undefined = MakeUndefined(env);
  for (std::size_t i = argc; i < max_args; ++i) args.argv[i] = undefined;
  return args;
}

napi_value ThrowType(napi_env env, const std::string& message) {
  napi_throw_type_error(env, nullptr, message.c_str());
  return nullptr;
}

napi_value ThrowError(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

bool Failed(napi_env env, napi_status status) {
  if (status == napi_ok) return false;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const napi_extended_error_info* info = nullptr;
    napi_get_last_error_info(env, &info);
    ThrowError(env, info != nullptr && info->error_message != nullptr ? info->error_message : "Node-API call failed");
  }
  return true;
}

napi_valuetype TypeOf(napi_env env, napi_value value) {
  napi_valuetype type = napi_undefined;
  if (value != nullptr) napi_typeof(env, value, &type);
  return type;
}

bool IsNullish(napi_env env, napi_value value) {
  const napi_valuetype type = TypeOf(env, value);
  return type == napi_undefined || type == napi_null;
}

std::optional<std::string> GetString(napi_env env, napi_value value, std::string_view what) {
  if (TypeOf(env, value) != napi_string) {
    ThrowType(env, std::string(what) + " must be a string");
    return std::nullopt;
  }
  std::size_t length = 0;
  if (Failed(env, napi_get_value_string_utf8(env, value, nullptr, 0, &length))) return std::nullopt;
  std::string text(length + 1, '\0');
  if (Failed(env, napi_get_value_string_utf8(env, value, text.data(), text.size(), &length))) return std::nullopt;
  text.resize(length);
  return text;
}

std::optional<double> GetNumber(napi_env env, napi_value value, std::string_view what) {
  double number = 0;
  if (TypeOf(env, value) != napi_number || napi_get_value_double(env, value, &number) != napi_ok) {
    ThrowType(env, std::string(what) + " must be a number");
    return std::nullopt;
  }
  return number;
}

std::optional<std::uint32_t> GetUint32(napi_env env, napi_value value, std::string_view what) {
  std::optional<double> number = GetNumber(env, value, what);
  if (!number) return std::nullopt;
  if (*number < 0 || *number > 4294967295.0 || *number != static_cast<double>(static_cast<std::uint32_t>(*number))) {
    ThrowType(env, std::string(what) + " must be an integer from 0 to 2^32-1");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*number);
}

std::optional<bool> GetBool(napi_env env, napi_value value, std::string_view what) {
  bool result = false;
  if (TypeOf(env, value) != napi_boolean || napi_get_value_bool(env, value, &result) != napi_ok) {
    ThrowType(env, std::string(what) + " must be a boolean");
    return std::nullopt;
  }
  return result;
}

std::optional<std::string> GetBytes(napi_env env, napi_value value, std::string_view what) {
  bool is = false;
  void* data = nullptr;
  std::size_t length = 0;
  if (napi_is_typedarray(env, value, &is) == napi_ok && is) {
    napi_typedarray_type type;
    std::size_t elements = 0;
    napi_value buffer = nullptr;
    std::size_t offset = 0;
    if (Failed(env, napi_get_typedarray_info(env, value, &type, &elements, &data, &buffer, &offset))) return std::nullopt;
    std::size_t element_size = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: element_size = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: element_size = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: element_size = 8; break;
      default: break;
    }
    length = elements * element_size;
  } else if (napi_is_dataview(env, value, &is) == napi_ok && is) {
    napi_value buffer = nullptr;
    std::size_t offset = 0;
    if (Failed(env, napi_get_dataview_info(env, value, &length, &data, &buffer, &offset))) return std::nullopt;
  } else if (napi_is_arraybuffer(env, value, &is) == napi_ok && is) {
    if (Failed(env, napi_get_arraybuffer_info(env, value, &data, &length))) return std::nullopt;
  } else {
    ThrowType(env, std::string(what) + " must be a Uint8Array or an ArrayBuffer");
    return std::nullopt;
  }
  return std::string(static_cast<const char*>(data), length);
}

std::optional<std::vector<napi_value>> GetArray(napi_env env, napi_value value, std::string_view what) {
  bool is = false;
  if (napi_is_array(env, value, &is) != napi_ok || !is) {
    ThrowType(env, std::string(what) + " must be an array");
    return std::nullopt;
  }
  std::uint32_t length = 0;
  if (Failed(env, napi_get_array_length(env, value, &length))) return std::nullopt;
  std::vector<napi_value> items(length);
  for (std::uint32_t i = 0; i < length; ++i) {
    if (Failed(env, napi_get_element(env, value, i, &items[i]))) return std::nullopt;
  }
  return items;
}

std::optional<HttpHeaders> GetHeaders(napi_env env, napi_value value, std::string_view what) {
  std::optional<std::vector<napi_value>> pairs = GetArray(env, value, what);
  if (!pairs) return std::nullopt;
  HttpHeaders headers;
  headers.reserve(pairs->size());
  const std::string item = std::string(what) + " entry";
  for (napi_value pair : *pairs) {
    std::optional<std::vector<napi_value>> parts = GetArray(env, pair, item);
    if (!parts) return std::nullopt;
    if (parts->size() != 2) {
      ThrowType(env, item + " must be a [name, value] pair");
      return std::nullopt;
    }
    std::optional<std::string> name = GetString(env, (*parts)[0], item + " name");
    if (!name) return std::nullopt;
    std::optional<std::string> text = GetString(env, (*parts)[1], item + " value");
    if (!text) return std::nullopt;
    headers.emplace_back(std::move(*name), std::move(*text));
  }
  return headers;
}

napi_value GetProperty(napi_env env, napi_value object, const char* name) {
  napi_value result = nullptr;
  if (TypeOf(env, object) != napi_object || napi_get_named_property(env, object, name, &result) != napi_ok) {
    return MakeUndefined(env);
  }
  return result;
}

napi_value MakeString(napi_env env, std::string_view text) {
  napi_value result = nullptr;
  napi_create_string_utf8(env, text.data(), text.size(), &result);
  return result;
}

napi_value MakeNumber(napi_env env, double number) {
  napi_value result = nullptr;
  napi_create_double(env, number, &result);
  return result;
}

napi_value MakeBool(napi_env env, bool value) {
  napi_value result = nullptr;
  napi_get_boolean(env, value, &result);
  return result;
}

napi_value MakeBigInt(napi_env env, std::int64_t value) {
  napi_value result = nullptr;
  napi_create_bigint_int64(env, value, &result);
  return result;
}

napi_value MakeNull(napi_env env) {
  napi_value result = nullptr;
  napi_get_null(env, &result);
  return result;
}

napi_value MakeUndefined(napi_env env) {
  napi_value result = nullptr;
  napi_get_undefined(env, &result);
  return result;
}

napi_value MakeArrayBuffer(napi_env env, std::string_view bytes) {
  void* data = nullptr;
  napi_value result = nullptr;
  if (napi_create_arraybuffer(env, bytes.size(), &data, &result) != napi_ok) return nullptr;
  if (!bytes.empty()) std::memcpy(data, bytes.data(), bytes.size());
  return result;
}

napi_value MakeUint8Array(napi_env env, std::string_view bytes) {
  napi_value buffer = MakeArrayBuffer(env, bytes);
  napi_value result = nullptr;
  if (buffer == nullptr || napi_create_typedarray(env, napi_uint8_array, bytes.size(), buffer, 0, &result) != napi_ok) {
    return nullptr;
  }
  return result;
}

napi_value MakeArray(napi_env env, const std::vector<napi_value>& items) {
  napi_value result = nullptr;
  if (napi_create_array_with_length(env, items.size(), &result) != napi_ok) return nullptr;
  for (std::size_t i = 0; i < items.size(); ++i) napi_set_element(env, result, static_cast<std::uint32_t>(i), items[i]);
  return result;
}

napi_value MakeHeaders(napi_env env, const HttpHeaders& headers) {
  std::vector<napi_value> pairs;
  pairs.reserve(headers.size());
  for (const auto& [name, value] : headers) pairs.push_back(MakeArray(env, {MakeString(env, name), MakeString(env, value)}));
  return MakeArray(env, pairs);
}

napi_value MakeObject(napi_env env, std::initializer_list<std::pair<const char*, napi_value>> fields) {
  napi_value result = nullptr;
  if (napi_create_object(env, &result) != napi_ok) return nullptr;
  for (const auto& [name, value] : fields) napi_set_named_property(env, result, name, value);
  return result;
}

}  // namespace tether::node
