// Paths for a test program's files in the test temp directory, removed when the
// program ends, so that runs do not pile files up there (the long-line tests
// write about 250 MB a run).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ff::test {

// TempDir()/PID-name: one name per process, since ctest runs tests in parallel,
// each in a process of its own. The file, and an SQLite database's -wal and
// -shm beside it, are removed (if they exist) when it is handed out and at exit.
inline std::string temp_path(const std::string& name) {
  struct Paths {
    std::mutex mu;
    std::vector<std::string> all;
    const pid_t owner = ::getpid();  // a forked child that exits leaves them
    static void remove(const std::string& p) {
      std::error_code ignored;
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p + suffix, ignored);
    }
    ~Paths() {
      if (::getpid() != owner) return;
      for (const std::string& p : all) remove(p);
    }
  };
  static Paths paths;
  std::string path = ::testing::TempDir() + "/" + std::to_string(::getpid()) + "-" + name;
  Paths::remove(path);
  std::lock_guard<std::mutex> lock(paths.mu);
  paths.all.push_back(path);
  return path;
}

}  // namespace ff::test
