#include "planner/line_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace ff::planner {

namespace {
// Big enough that per-read overhead vanishes, small enough to stay in L2/L3.
constexpr size_t kReadBytes = 4u << 20;
}  // namespace

struct LineSource::Impl {
  gzFile gz = nullptr;
  int fd = -1;
  std::vector<char> buf;   // [0, filled) holds data; carry-over first
  size_t filled = 0;       // bytes of data in buf
  size_t emitted_end = 0;  // end of the last chunk handed out
  std::int64_t next_line = 1;
  bool eof = false;
  bool skipping_long_line = false;  // dropping the rest of an over-long line
  std::int64_t pending_dropped = 0;

  ~Impl() {
    if (gz != nullptr) gzclose(gz);
  }
};

LineSource::~LineSource() = default;

core::Result<std::unique_ptr<LineSource>> LineSource::open(const std::string& path) {
  std::unique_ptr<LineSource> src(new LineSource());
  src->impl_ = std::make_unique<Impl>();
  src->name_ = path == "-" ? "<stdin>" : path;
  int fd = path == "-" ? dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::make_error(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  struct stat st {};
  if (fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      close(fd);
      return core::make_error(fmt::format("'{}' is a directory, not a usage log", path));
    }
    if (S_ISREG(st.st_mode)) src->total_bytes_ = static_cast<std::uint64_t>(st.st_size);
  }
  // gzdopen reads plain files transparently, so one path serves both.
  src->impl_->fd = fd;
  src->impl_->gz = gzdopen(fd, "rb");
  if (src->impl_->gz == nullptr) {
    close(fd);
    return core::make_error(fmt::format("cannot read '{}': out of memory", path));
  }
  gzbuffer(src->impl_->gz, 1u << 20);
  src->impl_->buf.resize(kReadBytes + kPadding);
  return src;
}

std::uint64_t LineSource::bytes_consumed() const {
  return impl_->gz != nullptr ? static_cast<std::uint64_t>(gzoffset(impl_->gz)) : 0;
}

core::Result<std::optional<LineSource::Chunk>> LineSource::next() {
  Impl& s = *impl_;
  // Move the unfinished tail of the previous read to the front.
  if (s.emitted_end > 0) {
    std::memmove(s.buf.data(), s.buf.data() + s.emitted_end, s.filled - s.emitted_end);
    s.filled -= s.emitted_end;
    s.emitted_end = 0;
  }
  while (true) {
    if (s.eof) {
      if (s.filled == 0) {
        if (s.pending_dropped == 0) return std::optional<Chunk>();
        // The input ended inside an over-long line: report it with no text.
        Chunk c{std::string_view(s.buf.data(), 0), s.next_line, s.buf.size(), s.pending_dropped};
        s.pending_dropped = 0;
        return std::optional<Chunk>(c);
      }
      // The last line has no newline: hand it out as it is.
      std::memset(s.buf.data() + s.filled, 0, kPadding);
      Chunk c{std::string_view(s.buf.data(), s.filled), s.next_line, s.buf.size(), s.pending_dropped};
      s.pending_dropped = 0;
      s.emitted_end = s.filled;
      s.next_line += 1;
      return std::optional<Chunk>(c);
    }
    if (s.buf.size() - kPadding - s.filled < kReadBytes / 2) {
      // Everything buffered is one unfinished line (whole lines were handed out).
      if (s.filled >= kMaxLineBytes) {
        // Too long to be a usage record: drop it up to its newline.
        s.skipping_long_line = true;
        s.pending_dropped = s.next_line;
        s.filled = 0;
      } else {
        s.buf.resize(std::min(s.buf.size() * 2, kMaxLineBytes + kReadBytes + kPadding));
      }
    }
    int n = gzread(s.gz, s.buf.data() + s.filled, static_cast<unsigned>(s.buf.size() - kPadding - s.filled));
    if (n < 0) {
      int err = 0;
      const char* msg = gzerror(s.gz, &err);
      return core::make_error(fmt::format("cannot read '{}': {}", name_, err == Z_ERRNO ? std::strerror(errno) : msg));
    }
    if (n == 0) {
      // zlib ends a gzip stream cut short like a whole one, and says so only here.
      int err = Z_OK;
      gzerror(s.gz, &err);
      if (err == Z_BUF_ERROR && gzdirect(s.gz) == 0) {
        return core::make_error(
            fmt::format("cannot read '{}': the compressed data is truncated (it ends at byte {} "
                        "of the file, inside a gzip stream)",
                        name_, static_cast<std::int64_t>(gzoffset(s.gz))));
      }
      s.eof = true;
      if (s.skipping_long_line) {
        s.filled = 0;
        s.skipping_long_line = false;
      }
      continue;
    }
    size_t start = s.filled;
    s.filled += static_cast<size_t>(n);
    if (s.skipping_long_line) {
      const char* nl = static_cast<const char*>(std::memchr(s.buf.data() + start, '\n', s.filled - start));
      if (nl == nullptr) {
        s.filled = 0;
        continue;
      }
      size_t keep_from = static_cast<size_t>(nl - s.buf.data()) + 1;
      std::memmove(s.buf.data(), s.buf.data() + keep_from, s.filled - keep_from);
      s.filled -= keep_from;
      s.skipping_long_line = false;
      s.next_line += 1;
      start = 0;
    }
    // Hand out everything up to the last newline.
    const char* base = s.buf.data();
    const char* last_nl = nullptr;
    for (const char* p = base + s.filled; p > base + start;) {
      --p;
      if (*p == '\n') {
        last_nl = p;
        break;
      }
    }
    if (last_nl == nullptr) {
      // Still inside one line: the newline may lie before `start` only if the
      // carry-over had one, which cannot be (it was the tail after the last one).
      continue;
    }
    size_t end = static_cast<size_t>(last_nl - base) + 1;
    Chunk c{std::string_view(base, end), s.next_line, s.buf.size(), s.pending_dropped};
    s.pending_dropped = 0;
    // Count lines for the next chunk's first line number.
    std::int64_t lines = 0;
    for (const char* p = base; p < base + end;) {
      const char* q = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(base + end - p)));
      if (q == nullptr) break;
      ++lines;
      p = q + 1;
    }
    s.next_line += lines;
    s.emitted_end = end;
    return std::optional<Chunk>(c);
  }
}

}  // namespace ff::planner
