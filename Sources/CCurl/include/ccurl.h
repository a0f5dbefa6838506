// Fixed-arity wrappers around libcurl's variadic entry points, which Swift cannot call.
// Including curl.h here also exports its types and constants to Swift through this module.
#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

// Macros that are casts or expressions do not import into Swift; expose them as functions.
size_t ccurl_writefunc_error(void);
long ccurl_global_default(void);

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_write_callback(CURL *handle, curl_write_callback callback);
CURLcode ccurl_easy_setopt_header_callback(CURL *handle, curl_write_callback callback);
CURLcode ccurl_easy_setopt_xferinfo_callback(CURL *handle, curl_xferinfo_callback callback);

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
// The string is owned by the handle and valid until it is reset or cleaned up.
CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value);

#endif
