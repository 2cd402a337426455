// The <spark> action (SparkActionExecutor + SparkMain): when a spark-submit is
// installed, builds the argument list Oozie's SparkMain hands to SparkSubmit
// and runs spark-submit as a child process in a working directory holding the
// shipped <file>/<archive> entries. Without Spark it fails naming the native
// train action, which replaces the seed's PySpark training job.
#include "actions/spark_action.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "actions/action_util.h"
#include "actions/launcher_support.h"

namespace refinery::actions::internal {

namespace stdfs = std::filesystem;

// ---- The command line (SparkOptionsSplitter, SparkArgsExtractor) ----

namespace {

constexpr char kConf[] = "--conf";
constexpr char kExecutorClassPath[] = "spark.executor.extraClassPath=";
constexpr char kDriverClassPath[] = "spark.driver.extraClassPath=";
constexpr char kExecutorJavaOptions[] = "spark.executor.extraJavaOptions=";
constexpr char kDriverJavaOptions[] = "spark.driver.extraJavaOptions=";
constexpr char kLog4jOption[] = "-Dlog4j.configuration=";
constexpr char kLog4jFile[] = "spark-log4j.properties";
constexpr char kHiveSite[] = "hive-site.xml";
constexpr char kSparkDefaults[] = "spark-defaults.conf";
constexpr char kPwdClassPath[] = "$PWD/*";
// Oozie turns these off unless spark-opts sets them (the launcher holds no
// delegation tokens to hand over).
constexpr const char* kSecurityKeys[] = {
    "spark.yarn.security.tokens.hadoopfs.enabled",      "spark.yarn.security.tokens.hive.enabled",
    "spark.yarn.security.tokens.hbase.enabled",         "spark.yarn.security.credentials.hadoopfs.enabled",
    "spark.yarn.security.credentials.hive.enabled",     "spark.yarn.security.credentials.hbase.enabled",
};

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string TrimSpaces(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

// Oozie's splitter uses Java regular expressions; they are hand-coded here
// because std::regex recurses per character and a long spark-opts value
// could exhaust the stack.
bool IsWord(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool IsKeyChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.'; }
bool IsLineEnd(char c) { return c == '\n' || c == '\r'; }

// The length of `[a-zA-Z0-9.]+=` at the start of `value`, or 0.
size_t KeyPrefix(std::string_view value) {
  size_t i = 0;
  while (i < value.size() && IsKeyChar(value[i])) ++i;
  return i > 0 && i < value.size() && value[i] == '=' ? i + 1 : 0;
}

// `[a-zA-Z0-9.]+=".+"` (Java's `.` stops at line ends).
bool QuotedAtEnds(std::string_view value) {
  const size_t key = KeyPrefix(value);
  if (key == 0 || value.size() < key + 3 || value[key] != '"' || value.back() != '"') return false;
  for (size_t i = key + 1; i + 1 < value.size(); ++i) {
    if (IsLineEnd(value[i])) return false;
  }
  return true;
}

// From `at` (just after an opening quote): `\w[\s+\w]*"`; returns the index
// after the closing quote, or npos.
size_t QuotedWords(std::string_view text, size_t at) {
  if (at >= text.size() || !IsWord(text[at])) return std::string_view::npos;
  size_t i = at + 1;
  while (i < text.size() && (IsWord(text[i]) || IsSpace(text[i]) || text[i] == '+')) ++i;
  return i < text.size() && text[i] == '"' ? i + 1 : std::string_view::npos;
}

// `[a-zA-Z0-9.]+=.*(\w\s+"\w+[\s+\w]*"|"\w+[\s+\w]*"\s+\w)+.*` for a value
// without line ends: after the key, a word then spaces then a quoted group,
// or a quoted group then spaces then a word.
bool QuotedInBetween(std::string_view value) {
  const size_t key = KeyPrefix(value);
  if (key == 0) return false;
  for (size_t i = key; i < value.size(); ++i) {
    if (IsWord(value[i])) {
      size_t j = i + 1;
      while (j < value.size() && IsSpace(value[j])) ++j;
      if (j > i + 1 && j < value.size() && value[j] == '"' && QuotedWords(value, j + 1) != std::string_view::npos) {
        return true;
      }
    }
    if (value[i] == '"') {
      size_t j = QuotedWords(value, i + 1);
      if (j == std::string_view::npos) continue;
      const size_t spaces = j;
      while (j < value.size() && IsSpace(value[j])) ++j;
      if (j > spaces && j < value.size() && IsWord(value[j])) return true;
    }
  }
  return false;
}

std::string UnquoteEntirelyQuotedValue(const std::string& value) {
  if (!QuotedAtEnds(value) || QuotedInBetween(value)) return value;
  std::string unquoted;
  for (char c : value) {
    if (c != '"') unquoted += c;
  }
  return unquoted;
}

// `\s*--[a-zA-Z0-9.]+[\-a-zA-Z0-9.]*[=]?` found from `from`: sets the match.
bool FindOptionKey(std::string_view text, size_t from, size_t* begin, size_t* end) {
  for (size_t p = from; p < text.size(); ++p) {
    size_t q = p;
    while (q < text.size() && IsSpace(text[q])) ++q;
    if (q + 2 >= text.size() || text[q] != '-' || text[q + 1] != '-' || !IsKeyChar(text[q + 2])) continue;
    q += 3;
    while (q < text.size() && (IsKeyChar(text[q]) || text[q] == '-')) ++q;
    if (q < text.size() && text[q] == '=') ++q;
    *begin = p;
    *end = q;
    return true;
  }
  return false;
}

// Path(uri).getName(): the last segment of the path, without a "#fragment".
std::string FileName(std::string_view path) {
  path = path.substr(0, path.find('#'));
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string Fragment(std::string_view path) {
  const size_t hash = path.find('#');
  return hash == std::string_view::npos ? std::string() : std::string(path.substr(hash + 1));
}

void AppendPath(const std::string& what, std::string* to) {
  if (!to->empty()) *to += ':';
  *to += what;
}

// A LinkedHashMap<String, URI>: insertion order, a repeated key replaces the
// value in place.
class OrderedUris {
 public:
  void Put(const std::string& key, const std::string& value) {
    for (auto& entry : entries_) {
      if (entry.first == key) {
        entry.second = value;
        return;
      }
    }
    entries_.emplace_back(key, value);
  }
  void PutUserList(const std::string& list) {
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      const std::string item = list.substr(start, comma - start);
      if (!item.empty()) Put(FileName(item), item);
      start = comma + 1;
    }
  }
  // JarFilter: the application jar is not shipped twice; when it is among
  // the files, the jar argument becomes that entry (its link name).
  void FilterApplicationJar(std::string* jar) {
    const std::string jar_name = FileName(*jar);
    for (auto it = entries_.begin(); it != entries_.end();) {
      const std::string fragment = Fragment(it->second);
      if (it->first == jar_name || FileName(it->second) == jar_name || fragment == jar_name) {
        *jar = fragment.empty() ? it->second : fragment;
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::string Joined() const {
    std::string out;
    for (const auto& [key, value] : entries_) out += (out.empty() ? "" : ",") + value;
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// What the spark-opts loop collects besides the arguments it passes on.
struct OptsState {
  std::string driver_class_path, executor_class_path, user_files, user_archives;
  std::map<std::string, bool> security_set;
  bool log4j_driver = false, log4j_executor = false;
};

// The value of `--files x` / `--files=x`; advances `i` past a separate value.
std::string OptionValue(const std::vector<std::string>& options, size_t* i) {
  const std::string& opt = options[*i];
  const size_t equals = opt.find('=');
  if (equals != std::string::npos) return opt.substr(equals + 1);
  if (*i + 1 >= options.size()) return "";
  return options[++*i];
}

void AppendList(const std::string& item, std::string* list) {
  if (!list->empty()) *list += ',';
  *list += item;
}

void AddSparkOpts(const std::string& spark_opts, bool yarn, OptsState* state, std::vector<std::string>* args) {
  const std::vector<std::string> options = SplitSparkOpts(spark_opts);
  for (size_t i = 0; i < options.size(); ++i) {
    std::string opt = options[i];
    bool pass_on = true;
    if (yarn && StartsWith(opt, kExecutorClassPath)) {
      AppendPath(opt.substr(sizeof(kExecutorClassPath) - 1), &state->executor_class_path);
      pass_on = false;
    }
    if (yarn && StartsWith(opt, kDriverClassPath)) {
      AppendPath(opt.substr(sizeof(kDriverClassPath) - 1), &state->driver_class_path);
      pass_on = false;
    }
    if (yarn && opt == "--driver-class-path") {
      if (i + 1 < options.size()) AppendPath(options[i + 1], &state->driver_class_path);
      ++i;
      pass_on = false;
    }
    for (const char* key : kSecurityKeys) {
      if (StartsWith(opt, key)) state->security_set[key] = true;
    }
    if (StartsWith(opt, kExecutorJavaOptions) || StartsWith(opt, kDriverJavaOptions)) {
      if (opt.find(kLog4jOption) == std::string::npos) opt += std::string(" ") + kLog4jOption + kLog4jFile;
      (StartsWith(opt, kExecutorJavaOptions) ? state->log4j_executor : state->log4j_driver) = true;
    }
    if (StartsWith(opt, "--files")) {
      AppendList(OptionValue(options, &i), &state->user_files);
      pass_on = false;
    }
    if (StartsWith(opt, "--archives")) {
      AppendList(OptionValue(options, &i), &state->user_archives);
      pass_on = false;
    }
    if (pass_on) {
      args->push_back(opt);
    } else if (!args->empty() && args->back() == kConf) {
      args->pop_back();
    }
  }
}

void AddConf(std::vector<std::string>* args, std::string value) {
  args->push_back(kConf);
  args->push_back(std::move(value));
}

// spark.oozie.* from the action's oozie.* properties, except the launcher's
// and the spark action's own.
// (Java: `^oozie\.(?!launcher|spark).+`.)
void AddOozieProperties(const Properties& action_conf, std::vector<std::string>* args) {
  for (const auto& [key, value] : action_conf.entries()) {
    const std::string_view rest = std::string_view(key).substr(std::min(key.size(), sizeof("oozie.") - 1));
    if (!StartsWith(key, "oozie.") || rest.empty() || StartsWith(rest, "launcher") || StartsWith(rest, "spark")) continue;
    if (std::any_of(rest.begin(), rest.end(), IsLineEnd)) continue;
    AddConf(args, "spark." + key + "=" + value);
  }
}

}  // namespace

std::vector<std::string> SplitSparkOpts(const std::string& spark_opts) {
  std::vector<std::string> result;
  size_t start = 0, key_start = 0, key_end = 0;
  bool seen_key = false;
  while (FindOptionKey(spark_opts, start, &key_start, &key_end)) {
    // Text before the first option is dropped, as Oozie drops it.
    if (seen_key) {
      const std::string value = TrimSpaces(std::string_view(spark_opts).substr(start, key_start - start));
      if (!value.empty()) result.push_back(UnquoteEntirelyQuotedValue(value));
    }
    std::string key = TrimSpaces(std::string_view(spark_opts).substr(key_start, key_end - key_start));
    if (!key.empty() && key.back() == '=') key.pop_back();
    result.push_back(key);
    start = key_end;
    seen_key = true;
  }
  const std::string rest = TrimSpaces(std::string_view(spark_opts).substr(start));
  if (!rest.empty()) result.push_back(UnquoteEntirelyQuotedValue(rest));
  return result;
}

std::vector<std::string> SparkSubmitArguments(const SparkJob& job, const Properties& action_conf) {
  std::vector<std::string> args = {"--master", job.master};
  if (!job.mode.empty()) args.insert(args.end(), {"--deploy-mode", job.mode});
  const bool yarn = job.master == "yarn-cluster" || job.master == "yarn-client" ||
                    (job.master == "yarn" && (job.mode == "cluster" || job.mode == "client"));
  args.insert(args.end(), {"--name", job.name});
  if (!job.class_name.empty()) args.insert(args.end(), {"--class", job.class_name});
  AddOozieProperties(action_conf, &args);

  OptsState state;
  if (!job.spark_opts.empty()) AddSparkOpts(job.spark_opts, yarn, &state, &args);
  if (yarn) {
    AppendPath(kPwdClassPath, &state.executor_class_path);
    AppendPath(kPwdClassPath, &state.driver_class_path);
    AddConf(&args, kExecutorClassPath + state.executor_class_path);
    AddConf(&args, kDriverClassPath + state.driver_class_path);
  }
  if (auto tags = action_conf.Get("mapreduce.job.tags")) AddConf(&args, "spark.yarn.tags=" + *tags);
  for (const char* key : kSecurityKeys) {
    if (!state.security_set[key]) AddConf(&args, std::string(key) + "=false");
  }
  if (!state.log4j_executor) AddConf(&args, std::string(kExecutorJavaOptions) + kLog4jOption + kLog4jFile);
  if (!state.log4j_driver) AddConf(&args, std::string(kDriverJavaOptions) + kLog4jOption + kLog4jFile);
  if (job.spark_defaults_present) args.insert(args.end(), {"--properties-file", kSparkDefaults});

  std::string jar = job.jar;
  if (yarn) {
    OrderedUris files;
    for (const ShippedEntry& entry : job.files) files.Put(FileName(entry.source), entry.link);
    files.Put(kLog4jFile, kLog4jFile);
    files.Put(kHiveSite, kHiveSite);
    files.PutUserList(state.user_files);
    files.FilterApplicationJar(&jar);
    const std::string file_list = files.Joined();
    if (!file_list.empty()) args.insert(args.end(), {"--files", file_list});
    OrderedUris archives;
    for (const ShippedEntry& entry : job.archives) archives.Put(FileName(entry.source), entry.link);
    archives.PutUserList(state.user_archives);
    const std::string archive_list = archives.Joined();
    if (!archive_list.empty()) args.insert(args.end(), {"--archives", archive_list});
  }
  if (std::find(args.begin(), args.end(), "--verbose") == args.end()) args.push_back("--verbose");
  args.push_back(jar);
  args.insert(args.end(), job.args.begin(), job.args.end());
  return args;
}

// ---- Running it ----

namespace {

constexpr char kSubmitSetting[] = "refinery.spark.submit";
constexpr char kSparkMain[] = "org.apache.oozie.action.hadoop.SparkMain";
constexpr char kTrainActionNs[] = "uri:refinery:train-action:1.0";
constexpr size_t kMaxLoggedLines = 5000;

const std::vector<SettingSpec>& SparkSettings() {
  static const std::vector<SettingSpec> kSettings = {
      {"master", "", "", "Spark master: local[*], yarn, yarn-cluster, yarn-client, spark://..."},
      {"mode", "", "client|cluster", "--deploy-mode, passed on when present"},
      {"name", "", "", "the application name (--name)"},
      {"class", "", "", "the main class of a Java/Scala application (--class)"},
      {"jar", "", "", "the application jar or .py file; a relative name is shipped from the app's lib/"},
      {"spark-opts", "", "", "more spark-submit options, split as Oozie does (double quotes group a value)"},
      {"arg", "", "", "one application argument each, passed after the jar"},
      {"file", "", "path[#link]", "copied into the working dir; passed with --files in yarn modes"},
      {"archive", "", "path[#link]", "copied into the working dir; passed with --archives in yarn modes"},
      {kSubmitSetting, "", "path", "the spark-submit to run; default: spark-submit on PATH, then $SPARK_HOME/bin"},
  };
  return kSettings;
}

bool IsExecutable(const stdfs::path& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    const std::string dir = dirs.substr(start, colon - start);
    start = colon + 1;
    if (!dir.empty() && dir[0] == '/' && IsExecutable(stdfs::path(dir) / name)) return (stdfs::path(dir) / name).string();
  }
  return "";
}

ActionResult NoSpark(const std::string& why) {
  return ActionResult::Error(kUnsupportedActionCode,
                             "action type [spark] is not supported by Refinery without Spark: " + why +
                                 "; use the native train action (<train xmlns=\"" + kTrainActionNs +
                                 "\">, doc/actions/train.md) instead of a PySpark training job, or install Spark "
                                 "and put spark-submit on PATH (or set " + kSubmitSetting + ")");
}

// The spark-submit to run: the setting, else PATH, else $SPARK_HOME/bin.
bool ResolveSparkSubmit(const ActionContext& context, std::string* program, ActionResult* error) {
  const std::string configured = SettingValue(context, SparkSettings(), kSubmitSetting);
  if (!configured.empty()) {
    *program = configured.find('/') == std::string::npos ? FindOnPath(configured) : configured;
    if (!program->empty() && IsExecutable(*program)) return true;
    *error = NoSpark("spark-submit [" + configured + "] set by " + kSubmitSetting + " is not an executable file");
    return false;
  }
  *program = FindOnPath("spark-submit");
  if (!program->empty()) return true;
  if (const char* home = std::getenv("SPARK_HOME"); home != nullptr && *home != '\0') {
    const stdfs::path candidate = stdfs::path(home) / "bin" / "spark-submit";
    if (IsExecutable(candidate)) {
      *program = candidate.string();
      return true;
    }
  }
  *error = NoSpark("spark-submit was not found on PATH nor in $SPARK_HOME/bin");
  return false;
}

bool ParseSpark(const pugi::xml_node& element, SparkJob* job, std::vector<std::string>* files,
                std::vector<std::string>* archives, ActionResult* error) {
  job->master = ChildText(element, "master");
  job->mode = ChildText(element, "mode");
  job->name = ChildText(element, "name");
  job->class_name = ChildText(element, "class");
  job->jar = ChildText(element, "jar");
  for (const pugi::xml_node& opts : Children(element, "spark-opts")) {
    const std::string text = NodeText(opts);
    if (!text.empty()) job->spark_opts += (job->spark_opts.empty() ? "" : " ") + text;
  }
  for (const pugi::xml_node& arg : Children(element, "arg")) job->args.push_back(NodeText(arg));
  for (const pugi::xml_node& file : Children(element, "file")) files->push_back(NodeText(file));
  for (const pugi::xml_node& archive : Children(element, "archive")) archives->push_back(NodeText(archive));
  for (const auto& [tag, value] : {std::pair<const char*, const std::string*>{"master", &job->master},
                                   {"name", &job->name}, {"jar", &job->jar}}) {
    if (value->empty()) {
      *error = ActionResult::Failed("E0701", std::string("XML schema error, <spark> needs a non-empty <") + tag +
                                                 "> element");
      return false;
    }
  }
  return true;
}

// Relative paths are relative to the application directory.
// Copies one `path#link` entry into `dir`.
ActionResult Ship(const ActionContext& context, const std::string& entry, const stdfs::path& dir, ShippedEntry* out) {
  const size_t hash = entry.find('#');
  out->source = Trim(entry.substr(0, hash));
  out->link = hash == std::string::npos ? FileName(out->source) : Trim(entry.substr(hash + 1));
  if (out->source.empty() || out->link.empty() || out->link == "." || out->link == ".." ||
      out->link.find('/') != std::string::npos) {
    return ActionResult::Error("JA008", "<file> entry [" + entry + "] needs a path and a plain link name "
                                        "(path#name, no '/')");
  }
  const std::string uri = AppRelative(context.app_path, out->source);
  const Status status = context.files->CopyToLocal(uri, dir / out->link);
  if (status.ok()) return ActionResult::Ok();
  if (status.code() == StatusCode::kIoError) {
    return FromStatus(Status(status.code(), "JA009", "Could not ship [" + uri + "]: " + status.message()), "JA009",
                      Outcome::kTransient);
  }
  return ActionResult::Error("JA008", "Could not ship [" + uri + "]: " + status.message());
}

// Oozie ships the application's lib/ directory with the launcher, so a
// relative <jar> such as `pi.py` is found in the working directory.
void ShipRelativeJar(const ActionContext& context, const std::string& jar, const stdfs::path& dir) {
  if (jar.empty() || jar[0] == '/' || HasScheme(jar) || jar.find(',') != std::string::npos) return;
  if (context.app_path.empty() || stdfs::exists(dir / jar)) return;
  const std::string uri = AppDirectory(context.app_path) + "/lib/" + jar;
  std::error_code ec;
  stdfs::create_directories((dir / jar).parent_path(), ec);
  if (context.files->CopyToLocal(uri, dir / jar).ok()) Report(context, "Shipped [" + uri + "] as [" + jar + "]");
}

// SparkMain writes these before it submits; --files in yarn modes names them.
Status WriteLauncherFiles(const ActionContext& context, const stdfs::path& dir) {
  const std::string level = context.action_conf.GetOr("oozie.spark.log.level", "INFO");
  const std::string log4j =
      "log4j.rootLogger=INFO, A\n"
      "log4j.logger.org.apache.spark=" + level + ", A\n"
      "log4j.additivity.org.apache.spark=false\n"
      "log4j.appender.A=org.apache.log4j.ConsoleAppender\n"
      "log4j.appender.A.layout=org.apache.log4j.PatternLayout\n"
      "log4j.appender.A.layout.ConversionPattern=%d [%t] %-5p %c %x - %m%n\n";
  if (!stdfs::exists(dir / kLog4jFile)) REFINERY_RETURN_IF_ERROR(WriteLocalFile(dir / kLog4jFile, log4j));
  Properties hive_site = context.action_conf;
  hive_site.Set("datanucleus.plugin.pluginRegistryBundleCheck", "LOG");
  hive_site.Erase("hive.querylog.location");
  hive_site.Erase("hive.exec.local.scratchdir");
  if (stdfs::exists(dir / kHiveSite)) return Status::Ok();
  return WriteLocalFile(dir / kHiveSite, FormatHadoopConfigurationXml(hive_site));
}

bool HasSparkDefaults(const stdfs::path& dir) {
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().find(kSparkDefaults) != std::string::npos) return true;
  }
  return false;
}

// PasswordMasker: the value of a key=value whose key names a password.
std::string Masked(const std::string& arg) {
  const size_t equals = arg.find('=');
  if (equals == std::string::npos) return arg;
  std::string key = arg.substr(0, equals);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key.find("password") == std::string::npos ? arg : arg.substr(0, equals + 1) + "*****";
}

class SparkAction : public Action {
 public:
  std::string type() const override { return "spark"; }
  bool idempotent() const override { return false; }  // a Spark job may write anything
  std::vector<SettingSpec> settings() const override { return SparkSettings(); }
  ActionResult Run(ActionContext& context) override;

 private:
  static ActionResult Submit(ActionContext& context, const std::string& program, const SparkJob& job,
                             const stdfs::path& dir);
};

ActionResult SparkAction::Run(ActionContext& context) {
  // Without Spark nothing else matters: say so first, naming the replacement.
  std::string program;
  ActionResult error;
  if (!ResolveSparkSubmit(context, &program, &error)) return error;
  if (MissingService(context.files, "file system", &error)) return error;
  if (MissingService(context.processes, "process runner", &error)) return error;
  pugi::xml_document doc;
  const pugi::xml_node element = ParseActionElement(context.action_xml, "spark", &doc, &error);
  if (!element) return error;
  SparkJob job;
  std::vector<std::string> files, archives;
  if (!ParseSpark(element, &job, &files, &archives, &error)) return error;
  Status status = RunPrepare(context, element);
  if (!status.ok()) return FromStatus(status, "FS009");

  WorkingDirectory dir("spark");
  status = dir.Prepare(context.scratch_dir);
  if (!status.ok()) return FromStatus(status, "JA009", Outcome::kTransient);
  for (const auto& [entries, shipped] : {std::pair{&files, &job.files}, std::pair{&archives, &job.archives}}) {
    for (const std::string& entry : *entries) {
      ShippedEntry copy;
      ActionResult result = Ship(context, entry, dir.path(), &copy);
      if (result.outcome != Outcome::kOk) return result;
      shipped->push_back(std::move(copy));
    }
  }
  ShipRelativeJar(context, job.jar, dir.path());
  status = WriteLauncherFiles(context, dir.path());
  if (!status.ok()) return FromStatus(status, "JA009", Outcome::kTransient);
  job.spark_defaults_present = HasSparkDefaults(dir.path());
  return Submit(context, program, job, dir.path());
}

ActionResult SparkAction::Submit(ActionContext& context, const std::string& program, const SparkJob& job,
                                 const stdfs::path& dir) {
  ProcessSpec process;
  process.argv.push_back(program);
  for (std::string& arg : SparkSubmitArguments(job, context.action_conf)) process.argv.push_back(std::move(arg));
  process.working_directory = dir.string();
  size_t logged_lines = 0;
  process.on_line = [&context, &logged_lines](const std::string& line, bool is_stderr) {
    if (++logged_lines > kMaxLoggedLines) return;
    if (logged_lines == kMaxLoggedLines) {
      Report(context, "(output beyond " + std::to_string(kMaxLoggedLines) + " lines is not logged)");
      return;
    }
    Report(context, std::string(is_stderr ? "stderr: " : "stdout: ") + line);
  };
  Report(context, "Launching [" + program + "] in [" + process.working_directory + "] with arguments:");
  for (size_t i = 1; i < process.argv.size(); ++i) Report(context, "    " + Masked(process.argv[i]));

  auto outcome = context.processes->Run(process, CancellationOf(context));
  if (!outcome.ok() && outcome.status().code() == StatusCode::kCancelled) {
    ActionResult killed;
    killed.outcome = Outcome::kKilled;
    killed.external_status = "KILLED";
    killed.error_message = outcome.status().message();
    return killed;
  }
  if (!outcome.ok()) {
    return ActionResult::Error("JA018", "Main Class [" + std::string(kSparkMain) +
                                            "], could not start spark-submit: " + outcome.status().message());
  }
  Report(context, "Exit code [" + std::to_string(outcome->exit_code) + "]");
  if (outcome->exit_code == 0) {
    ActionResult result = ActionResult::Ok();
    result.external_status = "SUCCEEDED";
    return result;
  }
  std::string message =
      "Main Class [" + std::string(kSparkMain) + "], exit code [" + std::to_string(outcome->exit_code) + "]";
  const std::string tail = StderrSummary(outcome->stderr_tail);
  if (!tail.empty()) message += "; stderr: " + tail;
  ActionResult result = ActionResult::Error(std::to_string(outcome->exit_code), message);
  result.external_status = "FAILED/KILLED";
  return result;
}

}  // namespace

std::unique_ptr<Action> MakeSparkAction() { return std::make_unique<SparkAction>(); }

}  // namespace refinery::actions::internal
