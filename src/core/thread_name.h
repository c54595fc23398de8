#pragma once
// Thread names, as `top -H`, perf and /proc/PID/task/*/comm show them (the
// benchmarks find the ledger's writer by its name).
#include <pthread.h>

namespace ff::core {

// Names the calling thread; Linux keeps the first 15 characters.
inline void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace ff::core
