// flashfirst: run DeepSeek V4 Flash and Pro at the lowest bill that holds quality.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"

#ifdef FF_WITH_MIMALLOC
#include <mimalloc.h>
#endif

int main(int argc, char** argv) {
#ifdef FF_WITH_MIMALLOC
  // Pages freed whole go back to the OS at once rather than after 25 ms: the
  // gateway's memory at 1,000 open connections stays near what glibc's malloc
  // takes (46 instead of 48-50 MB), at one madvise per 15 or so requests.
  mi_option_set(mi_option_decommit_delay, 0);
#endif
  int exit_code = ff::cli::kExitOk;
  try {
    CLI::App app(
        "flashfirst: default every DeepSeek request to Flash, make Pro prove itself, and account for every token "
        "and cent exactly.",
        "flashfirst");
    app.set_version_flag("--version", "flashfirst 0.1.0");
    app.require_subcommand(1);
    ff::cli::register_cost(app, exit_code);
    ff::cli::register_prices(app, exit_code);
    ff::cli::register_tokens(app, exit_code);
    ff::cli::register_advise(app, exit_code);
    ff::cli::register_simulate(app, exit_code);
    ff::cli::register_route(app, exit_code);
    ff::cli::register_serve(app, exit_code);
    ff::cli::register_demo(app, exit_code);
    ff::cli::register_sim(app, exit_code);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      int code = app.exit(e);
      return code == 0 ? 0 : ff::cli::kExitUsage;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flashfirst: internal error: %s\n", e.what());
    return ff::cli::kExitFailure;
  }
  return exit_code;
}
