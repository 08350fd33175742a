#include "cli/completion_model.h"

namespace fwc::cli::completion {

namespace {

// The choices of an option checked with CLI::IsMember: the last "{a,b}" of
// its type name.
std::vector<std::string> choices_of(const CLI::Option& o) {
  std::string type = o.get_type_name();
  size_t open = type.rfind('{');
  size_t close = type.rfind('}');
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::string list = type.substr(open + 1, close - open - 1);
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::vector<OptionInfo> options_of(const CLI::App& app) {
  std::vector<OptionInfo> out;
  for (const CLI::Option* o : app.get_options()) {
    OptionInfo info;
    for (const auto& s : o->get_snames()) info.names.push_back("-" + s);
    for (const auto& l : o->get_lnames()) info.names.push_back("--" + l);
    info.positional = o->get_positional() && info.names.empty();
    info.takes_value = o->get_items_expected_max() > 0;
    info.choices = choices_of(*o);
    if (o->check_lname("node")) info.policy_names = "nodes";
    if (o->check_lname("role")) info.policy_names = "roles";
    info.description = o->get_description();
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<const CLI::App*> subcommands_of(const CLI::App& app) {
  // A subcommand without a group is hidden from --help, and from completion.
  return app.get_subcommands([](const CLI::App* s) {
    return !s->get_name().empty() && !s->get_disabled() && !s->get_group().empty();
  });
}

void walk(const CLI::App& app, const std::string& path,
          const std::function<void(const CLI::App&, const std::string&)>& visit) {
  visit(app, path);
  for (const CLI::App* sub : subcommands_of(app))
    walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), visit);
}

std::string function_name(const std::string& parent, const std::string& sub) {
  std::string out = parent + "_" + sub;
  for (char& c : out)
    if (c == '-') c = '_';
  return out;
}

std::string join(const std::vector<std::string>& words, const char* sep) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace fwc::cli::completion
