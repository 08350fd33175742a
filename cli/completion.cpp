#include "cli/completion.h"

#include <functional>

namespace fwc::cli {

namespace {

struct OptionInfo {
  std::vector<std::string> names;    // -o, --output
  std::vector<std::string> choices;  // from an IsMember check
  std::string description;
  std::string policy_names;  // "nodes" or "roles": names read from the policy on the line
  bool takes_value = false;
  bool positional = false;
};

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

// Every command path, depth first: "" (fwc itself), "lint", ...
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

std::string join(const std::vector<std::string>& words, const char* sep = " ") {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

// Inside single quotes in a shell script.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Text inside a zsh _arguments spec or _describe entry (single-quoted).
std::string zsh_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else if (c == '[' || c == ']' || c == ':' || c == '\\') out += std::string("\\") + c;
    else out += c;
  }
  return out;
}

// What bash does after an option that takes a value: offer its choices, the
// node or role names of the policy on the line, or (nothing) file names.
std::string bash_value_arm(const OptionInfo& o, const std::string& name) {
  std::vector<std::string> quoted;
  for (const auto& n : o.names) quoted.push_back(shell_quote(n));
  std::string arm = "        " + join(quoted, "|") + ") ";
  if (!o.policy_names.empty()) return arm + "_" + name + "_policy_names " + o.policy_names + "; return ;;\n";
  if (o.choices.empty()) return arm + "return ;;\n";  // the shell's default (file names)
  return arm + "_" + name + "_reply " + shell_quote(join(o.choices)) + "; return ;;\n";
}

// One case arm per command path: values of options, then options or words.
std::string bash_path_arm(const CLI::App& app, const std::string& path, const std::string& name) {
  std::vector<std::string> flags, words;
  std::string values;
  for (const auto& o : options_of(app)) {
    if (o.positional) {
      words.insert(words.end(), o.choices.begin(), o.choices.end());
      continue;
    }
    flags.insert(flags.end(), o.names.begin(), o.names.end());
    if (o.takes_value) values += bash_value_arm(o, name);
  }
  for (const CLI::App* sub : subcommands_of(app)) words.push_back(sub->get_name());
  std::string s = "    " + shell_quote(path) + ")\n";
  if (!values.empty()) s += "      case \"$prev\" in\n" + values + "      esac\n";
  s += "      if [[ $cur == -* ]]; then\n";
  s += "        _" + name + "_reply " + shell_quote(join(flags)) + "\n";
  if (!words.empty()) s += "      else\n        _" + name + "_reply " + shell_quote(join(words)) + "\n";
  s += "      fi ;;\n";
  return s;
}

// Helpers the completion function calls. The policy whose node and role
// names are offered is the last existing *.yaml/*.yml file on the line;
// `fwc __complete` reads it and says nothing on errors.
std::string bash_helpers(const std::string& name) {
  std::string s = "_" + name + "_reply() {  # the words of $1 that start with $cur, after $prefix\n";
  s += "  COMPREPLY=($(compgen -W \"$1\" -- \"$cur\"))\n";
  s += "  if [[ -n $prefix ]]; then COMPREPLY=(\"${COMPREPLY[@]/#/$prefix}\"); fi\n}\n";
  s += "_" + name + "_policy_names() {  # $1: nodes or roles\n  local w policy=\"\"\n";
  s += "  for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n";
  s += "    if [[ ($w == *.yaml || $w == *.yml) && -f $w ]]; then policy=$w; fi\n  done\n";
  s += "  if [[ -n $policy ]]; then\n";
  s += "    _" + name +
       "_reply \"$(command \"${COMP_WORDS[0]}\" __complete \"$1\" \"$policy\" 2>/dev/null)\"\n";
  s += "  fi\n}\n";
  return s;
}

}  // namespace

std::string bash_completion(const CLI::App& root) {
  std::string name = root.get_name().empty() ? "fwc" : root.get_name();
  std::string fn = "_" + name + "_complete";
  std::string s = "# bash completion for " + name + "; generated by '" + name + " completion bash'.\n";
  s += bash_helpers(name);
  s += fn + "() {\n";
  s += "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n";
  s += "  local prefix=\"\" path=\"\" i\n";
  s += "  COMPREPLY=()\n";
  // --opt=value: split at '=' into three words (COMP_WORDBREAKS), or one.
  s += "  if [[ $cur == = ]]; then\n    cur=\"\"\n";
  s += "  elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then\n    prev=\"${COMP_WORDS[COMP_CWORD-2]}\"\n";
  s += "  elif [[ $cur == --*=* ]]; then\n";
  s += "    prev=\"${cur%%=*}\" prefix=\"${cur%%=*}=\" cur=\"${cur#*=}\"\n  fi\n";
  // Find the subcommand path from the words before the cursor.
  s += "  for ((i = 1; i < COMP_CWORD; i++)); do\n    case \"$path/${COMP_WORDS[i]}\" in\n";
  walk(root, "", [&](const CLI::App& app, const std::string& path) {
    for (const CLI::App* sub : subcommands_of(app))
      s += "      " + shell_quote(path + "/" + sub->get_name()) + ") path=" +
           shell_quote(path.empty() ? sub->get_name() : path + " " + sub->get_name()) + " ;;\n";
  });
  s += "    esac\n  done\n";
  s += "  case \"$path\" in\n";
  walk(root, "", [&](const CLI::App& app, const std::string& path) { s += bash_path_arm(app, path, name); });
  s += "  esac\n}\n";
  s += "complete -o default -F " + fn + " " + name + "\n";
  return s;
}

namespace {

// One _arguments spec. A long option that takes a value also accepts it
// after '=' (--format=json).
std::string zsh_option_spec(const OptionInfo& o, const std::string& name) {
  std::string action = !o.policy_names.empty() ? "_" + name + "_policy_names " + o.policy_names
                       : o.choices.empty()     ? "_files"
                                               : "(" + join(o.choices) + ")";
  if (o.positional) return "'*: :" + action + "'";
  std::vector<std::string> names = o.names;
  if (o.takes_value)
    for (auto& n : names)
      if (n.rfind("--", 0) == 0) n += "=";
  std::string spec;
  if (names.size() > 1) spec = "'(" + join(o.names) + ")'{" + join(names, ",") + "}'";
  else spec = "'" + names.front();
  spec += "[" + zsh_text(o.description) + "]";
  if (o.takes_value) spec += ":value:" + action;
  return spec + "'";
}

std::string zsh_function(const CLI::App& app, const std::string& fn, const std::string& name) {
  auto subs = subcommands_of(app);
  std::string body = fn + "() {\n";
  if (!subs.empty()) {
    body += "  local -a commands\n  commands=(\n";
    for (const CLI::App* sub : subs)
      body += "    '" + zsh_text(sub->get_name()) + ":" + zsh_text(sub->get_description()) + "'\n";
    body += "  )\n";
  }
  body += "  local curcontext=\"$curcontext\" state line\n  _arguments -C -s";
  for (const auto& o : options_of(app)) body += " \\\n    " + zsh_option_spec(o, name);
  if (!subs.empty()) {
    body += " \\\n    '1: :->command' \\\n    '*:: :->args'\n";
    body += "  case $state in\n    command) _describe -t commands 'command' commands ;;\n";
    body += "    args)\n      case $words[1] in\n";
    for (const CLI::App* sub : subs)
      body += "        " + sub->get_name() + ") " + function_name(fn, sub->get_name()) + " ;;\n";
    body += "      esac ;;\n  esac\n";
  } else {
    body += "\n";
  }
  return body + "}\n\n";
}

// Node or role names ($1) of the last existing *.yaml/*.yml file on the line.
std::string zsh_helpers(const std::string& name) {
  std::string s = "_" + name + "_policy_names() {\n  local w policy\n  local -a names\n";
  s += "  for w in $words; do\n";
  s += "    if [[ ($w == *.yaml || $w == *.yml) && -f $w ]]; then policy=$w; fi\n  done\n";
  s += "  [[ -n $policy ]] || return 1\n";
  s += "  names=(${(f)\"$(command ${service:-" + name + "} __complete $1 $policy 2>/dev/null)\"})\n";
  s += "  compadd -a names\n}\n\n";
  return s;
}

}  // namespace

std::string zsh_completion(const CLI::App& root) {
  std::string name = root.get_name().empty() ? "fwc" : root.get_name();
  std::string s = "#compdef " + name + "\n# zsh completion for " + name + "; generated by '" + name +
                  " completion zsh'.\n\n";
  s += zsh_helpers(name);
  std::function<void(const CLI::App&, const std::string&)> emit = [&](const CLI::App& app,
                                                                     const std::string& fn) {
    s += zsh_function(app, fn, name);
    for (const CLI::App* sub : subcommands_of(app)) emit(*sub, function_name(fn, sub->get_name()));
  };
  emit(root, "_" + name);
  s += "_" + name + " \"$@\"\n";
  return s;
}

}  // namespace fwc::cli
