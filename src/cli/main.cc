// flashfirst: run DeepSeek V4 Flash and Pro at the lowest bill that holds quality.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/completion.h"

int main(int argc, char** argv) {
  // mimalloc (linked in release builds) keeps its own decommit policy: memory
  // freed goes back to the OS 25 ms after it was last used. The dashboard's
  // reader used to free a poll's rows and SQLite pages every 250 ms, and the
  // decommits that followed stalled the gateway's thread; it now reads into the
  // same rows and pages (bench/README.md, "the p99 at 1 connection").
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
    ff::cli::register_eval(app, exit_code);
    ff::cli::register_serve(app, exit_code);
    ff::cli::register_demo(app, exit_code);
    ff::cli::register_sim(app, exit_code);
    // `flashfirst help [COMMAND]`, and a misspelt command named with the nearest one.
    if (argc >= 2 && argv[1][0] != '-') {
      const std::string_view first = argv[1];
      std::vector<std::string> names;
      for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
      if (first == "help") {
        const CLI::App* sub = nullptr;
        for (const CLI::App* c : app.get_subcommands({})) {
          if (argc >= 3 && c->get_name() == argv[2]) sub = c;
        }
        std::fputs((sub ? sub->help() : app.help()).c_str(), stdout);
        return argc >= 3 && sub == nullptr ? ff::cli::kExitUsage : ff::cli::kExitOk;
      }
      // `flashfirst completion bash`: the completion script, from the commands above.
      if (first == "completion") {
        if (argc != 3 || std::string_view(argv[2]) != "bash") {
          std::fputs("flashfirst completion: say which shell: `flashfirst completion bash`\n", stderr);
          return ff::cli::kExitUsage;
        }
        std::fputs(ff::cli::bash_completion(app).c_str(), stdout);
        return ff::cli::kExitOk;
      }
      if (std::find(names.begin(), names.end(), first) == names.end()) {
        std::string known, nearest;
        std::size_t best = SIZE_MAX;
        for (const std::string& n : names) {
          known += (known.empty() ? "" : ", ") + n;
          if (const std::size_t d = ff::cli::edit_distance(first, n); d < best) best = d, nearest = n;
        }
        std::string hint = best <= 2 ? fmt::format(" Did you mean '{}'?", nearest) : "";
        fmt::print(stderr,
                   "flashfirst: unknown command '{}'.{}\nCommands: {}. `flashfirst help COMMAND` for one's flags.\n",
                   first, hint, known);
        return ff::cli::kExitUsage;
      }
    }
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
