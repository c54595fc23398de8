// Shell completion generated from the command line's own definition (CLI11's
// tree of commands and options), so it cannot fall out of step with it.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace ff::cli {

// A bash completion script for `app` (`flashfirst completion bash`): commands,
// a command's subcommands, and each one's long and short options; file names
// for anything else.
std::string bash_completion(const CLI::App& app);

}  // namespace ff::cli
