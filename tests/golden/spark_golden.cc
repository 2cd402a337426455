// Golden cases for the <spark> command line (tests/data/spark/*.test).
//
//   @mode argv    (default) the input is the job, one `key: value` line per
//                 element — master, mode, name, class, jar, spark-opts, arg,
//                 file and archive (`path#link`), conf (`key=value`, the
//                 action configuration), spark-defaults (a spark-defaults.conf
//                 was shipped: `true`); the output is one [argument] per line
//   @mode split   the input is spark-opts text; the output its pieces
#include "actions/spark_action.h"
#include "golden/golden.h"

namespace refinery::golden {
namespace {

using actions::internal::ShippedEntry;
using actions::internal::SparkJob;

ShippedEntry Shipped(const std::string& entry) {
  const size_t hash = entry.find('#');
  const std::string source = entry.substr(0, hash);
  std::string link = hash == std::string::npos ? source.substr(source.find_last_of('/') + 1) : entry.substr(hash + 1);
  return {source, link};
}

Result<std::string> Bracketed(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& arg : args) out += "[" + arg + "]\n";
  return out.empty() ? std::string("(none)") : out;
}

Result<std::string> Handle(const GoldenCase& c) {
  if (ContextValue(c, "mode") == "split") return Bracketed(actions::internal::SplitSparkOpts(c.input));
  SparkJob job;
  Properties conf;
  size_t start = 0;
  while (start < c.input.size()) {
    size_t end = c.input.find('\n', start);
    if (end == std::string::npos) end = c.input.size();
    const std::string line = c.input.substr(start, end - start);
    start = end + 1;
    const size_t colon = line.find(": ");
    if (line.empty()) continue;
    if (colon == std::string::npos) return Status::InvalidArgument("expected `key: value`, got [" + line + "]");
    const std::string key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key == "master") job.master = value;
    else if (key == "mode") job.mode = value;
    else if (key == "name") job.name = value;
    else if (key == "class") job.class_name = value;
    else if (key == "jar") job.jar = value;
    else if (key == "spark-opts") job.spark_opts = value;
    else if (key == "arg") job.args.push_back(value);
    else if (key == "file") job.files.push_back(Shipped(value));
    else if (key == "archive") job.archives.push_back(Shipped(value));
    else if (key == "spark-defaults") job.spark_defaults_present = value == "true";
    else if (key == "conf") conf.Set(value.substr(0, value.find('=')), value.substr(value.find('=') + 1));
    else return Status::InvalidArgument("unknown key [" + key + "]");
  }
  return Bracketed(actions::internal::SparkSubmitArguments(job, conf));
}

const bool kRegistered = RegisterGoldenHandler("spark", Handle);

}  // namespace
}  // namespace refinery::golden
