// SPDX-License-Identifier: Apache-2.0
#include "core/util/thread_name.hpp"

#include <string>

#ifdef __linux__
#include <pthread.h>
#endif

namespace xl {

void name_this_thread(std::string_view name) {
#ifdef __linux__
  constexpr std::size_t k_linux_name_limit = 15;  // TASK_COMM_LEN less the terminating zero
  const std::string kept(name.substr(0, k_linux_name_limit));
  (void)::pthread_setname_np(::pthread_self(), kept.c_str());
#else
  (void)name;
#endif
}

}  // namespace xl
