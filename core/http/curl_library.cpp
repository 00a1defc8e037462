// SPDX-License-Identifier: Apache-2.0
#include "core/http/curl_library.hpp"

#include "core/util/shared_library.hpp"

#include <curl/curl.h>

#include <cstdarg>

namespace xl::http {

namespace {

// The real functions, looked up in libcurl.
struct CurlFunctions {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_free) free = nullptr;
  decltype(&::curl_getdate) getdate = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_reset) easy_reset = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_multi_init) multi_init = nullptr;
  decltype(&::curl_multi_setopt) multi_setopt = nullptr;
  decltype(&::curl_multi_add_handle) multi_add_handle = nullptr;
  decltype(&::curl_multi_remove_handle) multi_remove_handle = nullptr;
  decltype(&::curl_multi_perform) multi_perform = nullptr;
  decltype(&::curl_multi_poll) multi_poll = nullptr;
  decltype(&::curl_multi_wakeup) multi_wakeup = nullptr;
  decltype(&::curl_multi_info_read) multi_info_read = nullptr;
  decltype(&::curl_multi_cleanup) multi_cleanup = nullptr;
  decltype(&::curl_url) url = nullptr;
  decltype(&::curl_url_set) url_set = nullptr;
  decltype(&::curl_url_get) url_get = nullptr;
  decltype(&::curl_url_cleanup) url_cleanup = nullptr;
};

const LibraryNeed k_libcurl{k_libcurl_soname, "libcurl", "to reach the hub",
                            "install libcurl 4 (Debian and Ubuntu: apt-get install libcurl4)", ExitCode::download};

CurlFunctions load(void* library, const LibraryNeed& need) {
  CurlFunctions f;
  find_function(library, need, "curl_global_init", f.global_init);
  find_function(library, need, "curl_free", f.free);
  find_function(library, need, "curl_getdate", f.getdate);
  find_function(library, need, "curl_slist_append", f.slist_append);
  find_function(library, need, "curl_slist_free_all", f.slist_free_all);
  find_function(library, need, "curl_easy_strerror", f.easy_strerror);
  find_function(library, need, "curl_easy_init", f.easy_init);
  find_function(library, need, "curl_easy_setopt", f.easy_setopt);
  find_function(library, need, "curl_easy_getinfo", f.easy_getinfo);
  find_function(library, need, "curl_easy_perform", f.easy_perform);
  find_function(library, need, "curl_easy_reset", f.easy_reset);
  find_function(library, need, "curl_easy_cleanup", f.easy_cleanup);
  find_function(library, need, "curl_multi_init", f.multi_init);
  find_function(library, need, "curl_multi_setopt", f.multi_setopt);
  find_function(library, need, "curl_multi_add_handle", f.multi_add_handle);
  find_function(library, need, "curl_multi_remove_handle", f.multi_remove_handle);
  find_function(library, need, "curl_multi_perform", f.multi_perform);
  find_function(library, need, "curl_multi_poll", f.multi_poll);
  find_function(library, need, "curl_multi_wakeup", f.multi_wakeup);
  find_function(library, need, "curl_multi_info_read", f.multi_info_read);
  find_function(library, need, "curl_multi_cleanup", f.multi_cleanup);
  find_function(library, need, "curl_url", f.url);
  find_function(library, need, "curl_url_set", f.url_set);
  find_function(library, need, "curl_url_get", f.url_get);
  find_function(library, need, "curl_url_cleanup", f.url_cleanup);
  return f;
}

// Opened and looked up once, on the first call, from whichever thread makes it (a
// function-local static is initialised once, and a throw leaves it for the next call to try
// again). The library stays open until the process ends, as a linked one would.
const CurlFunctions& curl() {
  static const CurlFunctions functions = load(open_shared_library(k_libcurl), k_libcurl);
  return functions;
}

// setopt's one value is a long, a pointer (data or callback) or a curl_off_t; the option's
// number says which (CURLOPTTYPE_* in <curl/curl.h>, the same ranges for multi options).
// Each is read with its own type and passed on as that type.
template <typename Handle, typename Option, typename Setopt>
auto forward_setopt(Setopt setopt, Handle* handle, Option option, va_list values) {
  const long number = static_cast<long>(option);
  if (number < CURLOPTTYPE_OBJECTPOINT) {
    return setopt(handle, option, va_arg(values, long));
  }
  if (number < CURLOPTTYPE_FUNCTIONPOINT) {
    return setopt(handle, option, va_arg(values, void*));
  }
  if (number < CURLOPTTYPE_OFF_T) {
    return setopt(handle, option, va_arg(values, void (*)()));
  }
  if (number < CURLOPTTYPE_BLOB) {
    return setopt(handle, option, va_arg(values, curl_off_t));
  }
  return setopt(handle, option, va_arg(values, void*));  // struct curl_blob*
}

}  // namespace

void* open_curl_library(const char* soname) {
  // Every function is there, or the error names the first missing one.
  return open_checked_library(k_libcurl, soname, load);
}

}  // namespace xl::http

// libcurl's API, with its exact signatures, forwarding to the loaded library.
//
// The variadic ones name an enum as their last fixed parameter, as libcurl's own definitions do.
// clang warns that va_start after a parameter that undergoes promotion is undefined; these
// enums are int-sized, so nothing is promoted (checked here), and the signatures are not ours.
static_assert(sizeof(CURLoption) == sizeof(int) && sizeof(CURLMoption) == sizeof(int) &&
              sizeof(CURLINFO) == sizeof(int));
#ifdef __clang__
#pragma clang diagnostic ignored "-Wvarargs"
#endif
extern "C" {

using xl::http::curl;

CURLcode curl_global_init(long flags) { return curl().global_init(flags); }
void curl_free(void* pointer) { curl().free(pointer); }
time_t curl_getdate(const char* text, const time_t* unused) { return curl().getdate(text, unused); }
curl_slist* curl_slist_append(curl_slist* list, const char* data) { return curl().slist_append(list, data); }
void curl_slist_free_all(curl_slist* list) { curl().slist_free_all(list); }
const char* curl_easy_strerror(CURLcode code) { return curl().easy_strerror(code); }

CURL* curl_easy_init() { return curl().easy_init(); }
CURLcode curl_easy_setopt(CURL* handle, CURLoption option, ...) {
  va_list values;
  va_start(values, option);
  const CURLcode code = xl::http::forward_setopt(curl().easy_setopt, handle, option, values);
  va_end(values);
  return code;
}
CURLcode curl_easy_getinfo(CURL* handle, CURLINFO info, ...) {
  // Every CURLINFO_* takes a pointer to where the answer goes.
  va_list values;
  va_start(values, info);
  void* destination = va_arg(values, void*);
  va_end(values);
  return curl().easy_getinfo(handle, info, destination);
}
CURLcode curl_easy_perform(CURL* handle) { return curl().easy_perform(handle); }
void curl_easy_reset(CURL* handle) { curl().easy_reset(handle); }
void curl_easy_cleanup(CURL* handle) { curl().easy_cleanup(handle); }

CURLM* curl_multi_init() { return curl().multi_init(); }
CURLMcode curl_multi_setopt(CURLM* multi, CURLMoption option, ...) {
  va_list values;
  va_start(values, option);
  const CURLMcode code = xl::http::forward_setopt(curl().multi_setopt, multi, option, values);
  va_end(values);
  return code;
}
CURLMcode curl_multi_add_handle(CURLM* multi, CURL* handle) { return curl().multi_add_handle(multi, handle); }
CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* handle) { return curl().multi_remove_handle(multi, handle); }
CURLMcode curl_multi_perform(CURLM* multi, int* running) { return curl().multi_perform(multi, running); }
CURLMcode curl_multi_poll(CURLM* multi, curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms, int* ret) {
  return curl().multi_poll(multi, extra_fds, extra_nfds, timeout_ms, ret);
}
CURLMcode curl_multi_wakeup(CURLM* multi) { return curl().multi_wakeup(multi); }
CURLMsg* curl_multi_info_read(CURLM* multi, int* queued) { return curl().multi_info_read(multi, queued); }
CURLMcode curl_multi_cleanup(CURLM* multi) { return curl().multi_cleanup(multi); }

CURLU* curl_url() { return curl().url(); }
CURLUcode curl_url_set(CURLU* url, CURLUPart part, const char* value, unsigned int flags) {
  return curl().url_set(url, part, value, flags);
}
CURLUcode curl_url_get(CURLU* url, CURLUPart part, char** value, unsigned int flags) {
  return curl().url_get(url, part, value, flags);
}
void curl_url_cleanup(CURLU* url) { curl().url_cleanup(url); }

}  // extern "C"
