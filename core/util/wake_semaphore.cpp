// SPDX-License-Identifier: Apache-2.0
#include "core/util/wake_semaphore.hpp"

#include <cerrno>
#include <system_error>

namespace xl {

WakeSemaphore::WakeSemaphore() {
  if (::sem_init(&m_semaphore, 0, 0) != 0) {
    throw std::system_error(errno, std::generic_category(), "create a semaphore");
  }
}

WakeSemaphore::~WakeSemaphore() { ::sem_destroy(&m_semaphore); }

void WakeSemaphore::release(std::size_t count) noexcept {
  // sem_post fails only past SEM_VALUE_MAX tokens, which one per job never reaches.
  for (std::size_t i = 0; i < count; ++i) {
    (void)::sem_post(&m_semaphore);
  }
}

void WakeSemaphore::acquire() noexcept {
  // A signal handler may interrupt the wait (EINTR): wait again.
  while (::sem_wait(&m_semaphore) != 0 && errno == EINTR) {
  }
}

}  // namespace xl
