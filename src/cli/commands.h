// The subcommands of `flashfirst`. Each register_* adds its subcommand and
// options to the app; the callback it installs runs the command and stores the
// process exit code in `exit_code`.
#pragma once

namespace CLI {
class App;
}

namespace ff::cli {

void register_cost(CLI::App& app, int& exit_code);
void register_prices(CLI::App& app, int& exit_code);
void register_tokens(CLI::App& app, int& exit_code);
void register_sim(CLI::App& app, int& exit_code);
void register_advise(CLI::App& app, int& exit_code);
void register_simulate(CLI::App& app, int& exit_code);
void register_route(CLI::App& app, int& exit_code);
void register_eval(CLI::App& app, int& exit_code);
// `route train`, a subcommand of `route`.
void register_route_train(CLI::App& route, int& exit_code);
void register_serve(CLI::App& app, int& exit_code);
void register_demo(CLI::App& app, int& exit_code);

}  // namespace ff::cli
