// InProcessSim: `flashfirst sim` on a loopback port inside this process, on its
// own thread, for `serve --upstream sim` and `demo`. Stopped and joined when
// destroyed.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "core/result.h"
#include "core/thread_name.h"
#include "net/http_server.h"
#include "pricing/price_book.h"
#include "sim/quality_model.h"
#include "sim/simulator.h"
#include "tokenizer/tokenizer.h"

namespace ff::cli {

class InProcessSim {
 public:
  static constexpr const char* kKey = "flashfirst-in-process-sim";

  InProcessSim(const pricing::PriceBook& book, const sim::QualityModel& quality, double speed,
               std::uint64_t seed = sim::SimOptions().seed) {
    sim::SimOptions options;
    options.seed = seed;
    options.keys = {kKey};
    options.speed = speed;
    simulator_ = std::make_unique<sim::Simulator>(book, tokenizer::BpeTokenizer::deepseek(), quality, options,
                                                  core::system_clock());
    net::ServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    so.server_name = "flashfirst-sim";
    server_ = std::make_unique<net::HttpServer>(so, [this](const net::Request& r) { return simulator_->handle(r); });
  }
  ~InProcessSim() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }
  core::Status start() {
    if (auto s = server_->listen(); !s.ok()) return s;
    thread_ = std::thread([this] {
      core::name_this_thread("ff-sim");
      server_->run(false);
    });
    return core::Status::Ok();
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", server_->port()); }

 private:
  std::unique_ptr<sim::Simulator> simulator_;
  std::unique_ptr<net::HttpServer> server_;
  std::thread thread_;
};

}  // namespace ff::cli
